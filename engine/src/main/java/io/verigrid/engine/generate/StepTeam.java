package io.verigrid.engine.generate;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The threads that run a decoder's steps as a team: the step's own thread opens parallel regions
 * ({@link #split}); {@code threads − 1} helper threads wait for the next region spinning, through the gaps
 * between regions and between one token's step and the next, instead of being woken for every operator or
 * every token (a wake-up costs tens to hundreds of microseconds on a virtual machine, more than a whole
 * 15M-sized product).
 *
 * <p>A region is a count of chunks; every thread takes the next unclaimed chunk from a shared counter until none
 * is left, and the caller returns once every chunk is done. The caller never waits for a helper that has not
 * arrived (it simply does the chunks itself), so a helper the OS schedules late costs only its share of the work;
 * one descheduled in the middle of a chunk holds the region until it runs again (the caller yields its core
 * meanwhile). Which thread runs a chunk changes no bit: a chunk computes its outputs whole.
 *
 * <p>Helpers are daemon threads of the team's own, started by the first region and after they retire: an idle
 * helper spins for {@value #SPIN_NANOS} ns, then yields its core, sleeps after {@value #NAP_AFTER_NANOS} ns
 * (the next region wakes it) and exits after {@value #RETIRE_AFTER_NANOS} ns without work. One caller at a time
 * uses a team.
 */
final class StepTeam {
    /** A region's work for one chunk. */
    @FunctionalInterface
    interface ChunkBody {
        void run(int chunk);
    }

    /** How long a waiting thread spins before it yields its core at every look. */
    private static final long SPIN_NANOS = 50_000;
    /** How long a helper stays awake without work; well above the gap between two tokens' steps. */
    private static final long NAP_AFTER_NANOS = 2_000_000;
    /** How long a napping helper sleeps before it looks again, unless the next region wakes it earlier. */
    private static final long NAP_NANOS = 10_000_000;
    /** How long a helper without work lives. */
    private static final long RETIRE_AFTER_NANOS = 2_000_000_000L;
    private static final AtomicInteger HELPER_IDS = new AtomicInteger();

    private final int threads;
    private volatile Region region;
    private final AtomicInteger helpers = new AtomicInteger();
    /** Helpers asleep (they are woken when a region opens). */
    private final ConcurrentLinkedQueue<Thread> napping = new ConcurrentLinkedQueue<>();

    StepTeam(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.threads = threads;
    }

    /** One parallel region: its chunks, the next unclaimed one, how many are done, the first failure. */
    private static final class Region {
        final ChunkBody body;
        final int chunks;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        volatile Throwable failure;

        Region(ChunkBody body, int chunks) {
            this.body = body;
            this.chunks = chunks;
        }

        void work() {
            for (int chunk = next.getAndIncrement(); chunk < chunks; chunk = next.getAndIncrement()) {
                try {
                    body.run(chunk);
                } catch (Throwable t) {
                    if (failure == null) {
                        failure = t;
                    }
                } finally {
                    done.incrementAndGet();
                }
            }
        }
    }

    /** Threads on the team (the caller included). */
    int threads() {
        return threads;
    }

    /**
     * Runs {@code body} for chunks {@code [0, chunks)} across the team and returns when all are done; the first
     * failure of any chunk is rethrown here. Called by the step's thread only.
     */
    void split(int chunks, ChunkBody body) {
        if (threads == 1 || chunks <= 1) {
            for (int chunk = 0; chunk < chunks; chunk++) {
                body.run(chunk);
            }
            return;
        }
        Region r = new Region(body, chunks);
        region = r;
        rouseHelpers();
        r.work();
        if (r.done.get() < chunks) {
            long start = System.nanoTime();
            for (int spins = 0; r.done.get() < chunks; spins++) {
                if ((spins & 63) != 63 || System.nanoTime() - start < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield(); // a helper holding a chunk may need this core
                }
            }
        }
        Throwable failure = r.failure;
        if (failure instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (failure instanceof Error error) {
            throw error;
        }
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
    }

    /** Wakes napping helpers and starts the missing ones (the first region, or after they retired). */
    private void rouseHelpers() {
        if (!napping.isEmpty()) {
            for (Thread helper : napping) {
                LockSupport.unpark(helper);
            }
        }
        for (int alive = helpers.get(); alive < threads - 1; alive = helpers.get()) {
            if (helpers.compareAndSet(alive, alive + 1)) {
                Thread helper = new Thread(this::help, "verigrid-decode-" + HELPER_IDS.incrementAndGet());
                helper.setDaemon(true);
                helper.start();
            }
        }
    }

    private void help() {
        Region seen = null;
        long idleSince = System.nanoTime();
        for (int spins = 0;; spins++) {
            Region r = region;
            if (r != seen) {
                seen = r;
                r.work();
                idleSince = System.nanoTime();
                spins = 0;
                continue;
            }
            if ((spins & 63) != 63) {
                Thread.onSpinWait();
                continue;
            }
            long idle = System.nanoTime() - idleSince;
            if (idle < SPIN_NANOS) {
                Thread.onSpinWait();
            } else if (idle < NAP_AFTER_NANOS) {
                Thread.yield();
            } else if (idle < RETIRE_AFTER_NANOS) {
                napping.add(Thread.currentThread());
                if (region == seen) {
                    LockSupport.parkNanos(this, NAP_NANOS);
                }
                napping.remove(Thread.currentThread());
            } else {
                // Retire. A region opened meanwhile is still done by its caller, which starts a new helper.
                helpers.decrementAndGet();
                return;
            }
        }
    }
}
