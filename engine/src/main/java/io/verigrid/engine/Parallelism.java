package io.verigrid.engine;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The injected thread count. Operators split their OUTPUT indices into contiguous chunks, one per thread;
 * each output element is computed whole by one thread, so the bits never depend on the thread count.
 *
 * <p>A persistent set of daemon workers, one per chunk after the first (the caller runs chunk 0); {@link #close()}
 * releases them. A training step forks for a hundred small operators in a row, so a worker that finishes a chunk
 * waits {@link #SPIN_NANOS} (spinning, then yielding) before it parks: a fork to a waiting worker costs about a
 * microsecond, a wake-up from park tens of microseconds on a virtual machine, more than most of those operators
 * take. One range runs at a time: a call made while another is running (from another thread, or nested inside a
 * body) runs on its own thread, with the same bits.
 */
public final class Parallelism implements AutoCloseable {
    /** A body run over the half-open output index range {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    /**
     * Below this many element operations a range runs on the calling thread: handing a chunk to a pool thread and
     * waiting for it costs more than the loop itself.
     */
    public static final long PARALLEL_MIN_WORK = 1 << 15;
    /** How long an idle worker (and a caller waiting for workers) waits before it parks. */
    static final long SPIN_NANOS = 200_000;
    /**
     * The first part of that wait is a pure spin; after it the waiting thread yields on each turn, so on a machine
     * with more runnable threads than cores a waiting thread hands its core to one with work.
     */
    static final long BUSY_SPIN_NANOS = 20_000;
    private static final Parallelism SINGLE = new Parallelism(1);

    private final int threads;
    private final Worker[] workers;
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile boolean closed;

    private Parallelism(int threads) {
        this.threads = threads;
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker();
            workers[i].thread.start();
        }
    }

    public static Parallelism of(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        return threads == 1 ? SINGLE : new Parallelism(threads);
    }

    public static Parallelism single() {
        return SINGLE;
    }

    public int threads() {
        return threads;
    }

    /** Runs {@code body} over {@code [0, n)} split into at most {@link #threads()} contiguous chunks. */
    public void forRange(int n, RangeBody body) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, got " + n);
        }
        int chunks = Math.min(threads, n);
        if (chunks <= 1 || closed || !busy.compareAndSet(false, true)) {
            body.run(0, n);
            return;
        }
        try {
            Range range = new Range(body, n, chunks);
            for (int chunk = 1; chunk < chunks; chunk++) {
                workers[chunk - 1].start(range, chunk);
            }
            range.runChunk(0);
            // Wait for every chunk even when ours failed: no worker may still write into the output afterwards.
            awaitWorkers(range);
            range.rethrow();
        } finally {
            busy.set(false);
        }
    }

    /**
     * Waits until every worker's chunk of {@code range} has run. After close() a worker may have exited before it
     * took its chunk; such a chunk is taken back and run here.
     */
    private void awaitWorkers(Range range) {
        long start = System.nanoTime();
        while (range.running.get() > 0) {
            long waited = System.nanoTime() - start;
            if (waited < SPIN_NANOS) {
                pause(waited);
                continue;
            }
            LockSupport.parkNanos(this, SPIN_NANOS);
            if (closed) {
                for (int i = 0; i < range.chunks - 1; i++) {
                    Worker worker = workers[i];
                    if (!worker.thread.isAlive() && worker.slot.compareAndSet(range, null)) {
                        range.runChunk(i + 1);
                    }
                }
            }
        }
    }

    /** {@link #forRange(int, RangeBody)}, or the whole range on this thread when {@code work} is small. */
    public void forRange(int n, long work, RangeBody body) {
        (work < PARALLEL_MIN_WORK ? SINGLE : this).forRange(n, body);
    }

    /** One turn of a wait that has lasted {@code waited} nanoseconds: a spin hint, later a yield. */
    private static void pause(long waited) {
        if (waited < BUSY_SPIN_NANOS) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
    }

    /** One call's chunks: chunk c covers [n·c/chunks, n·(c+1)/chunks). */
    private static final class Range {
        private final RangeBody body;
        private final int n;
        private final int chunks;
        private final Thread caller = Thread.currentThread();
        /** Chunks after the first not yet finished. */
        private final AtomicInteger running;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        Range(RangeBody body, int n, int chunks) {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
            this.running = new AtomicInteger(chunks - 1);
        }

        /** Runs one chunk, keeping its failure for the caller; a worker's chunk wakes the caller when it is the last. */
        void runChunk(int chunk) {
            try {
                body.run((int) ((long) n * chunk / chunks), (int) ((long) n * (chunk + 1) / chunks));
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            } finally {
                if (chunk > 0 && running.decrementAndGet() == 0) {
                    LockSupport.unpark(caller);
                }
            }
        }

        /** The first failure of any chunk, thrown on the caller's thread. */
        void rethrow() {
            Throwable t = failure.get();
            if (t instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (t instanceof Error error) {
                throw error;
            }
            if (t != null) {
                throw new IllegalStateException("an operator chunk failed", t);
            }
        }
    }

    /** A daemon thread that runs the chunks handed to it, waiting a while after each before it parks. */
    private final class Worker implements Runnable {
        private final Thread thread = new Thread(this, "verigrid-engine");
        /** The range whose chunk this worker is to run; taken (set back to null) by whoever runs it. */
        private final AtomicReference<Range> slot = new AtomicReference<>();
        private volatile boolean parked;
        private volatile int chunk;

        Worker() {
            thread.setDaemon(true);
        }

        /** Hands over one chunk; the previous one has finished (the range it belonged to has returned). */
        void start(Range next, int nextChunk) {
            chunk = nextChunk;
            slot.set(next);
            if (parked) {
                LockSupport.unpark(thread);
            }
        }

        @Override
        public void run() {
            long idleSince = System.nanoTime();
            while (true) {
                Range current = slot.get();
                long idle = System.nanoTime() - idleSince;
                if (current != null) {
                    if (slot.compareAndSet(current, null)) {
                        current.runChunk(chunk);
                    }
                    idleSince = System.nanoTime();
                } else if (closed) {
                    return;
                } else if (idle < SPIN_NANOS) {
                    pause(idle);
                } else {
                    // Parked is published before the slot is read again: start() either sees it and unparks, or
                    // its range is seen here.
                    parked = true;
                    if (slot.get() == null && !closed) {
                        LockSupport.park(this);
                    }
                    parked = false;
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Worker worker : workers) {
            LockSupport.unpark(worker.thread);
        }
    }

    @Override
    public String toString() {
        return "Parallelism(" + threads + ")";
    }
}
