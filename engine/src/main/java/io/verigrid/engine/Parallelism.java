package io.verigrid.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The injected thread count. Operators split their OUTPUT indices into contiguous chunks, one per thread;
 * each output element is computed whole by one thread, so the bits never depend on the thread count.
 * A persistent pool of daemon threads; {@link #close()} releases it.
 */
public final class Parallelism implements AutoCloseable {
    /** A body run over the half-open output index range {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    /**
     * Below this many element operations a range runs on the calling thread: handing a chunk to a pool thread and
     * waiting for it costs tens of microseconds, more than the loop itself.
     */
    public static final long PARALLEL_MIN_WORK = 1 << 15;
    private static final Parallelism SINGLE = new Parallelism(1, null);

    private final int threads;
    private final ExecutorService pool;

    private Parallelism(int threads, ExecutorService pool) {
        this.threads = threads;
        this.pool = pool;
    }

    public static Parallelism of(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        if (threads == 1) {
            return SINGLE;
        }
        // The caller runs one chunk itself, so the pool needs threads - 1 workers.
        ExecutorService pool = Executors.newFixedThreadPool(threads - 1, runnable -> {
            Thread thread = new Thread(runnable, "verigrid-engine");
            thread.setDaemon(true);
            return thread;
        });
        return new Parallelism(threads, pool);
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
        if (chunks <= 1) {
            body.run(0, n);
            return;
        }
        List<Future<?>> pending = new ArrayList<>(chunks - 1);
        for (int chunk = 1; chunk < chunks; chunk++) {
            int from = (int) ((long) n * chunk / chunks);
            int to = (int) ((long) n * (chunk + 1) / chunks);
            pending.add(pool.submit(() -> body.run(from, to)));
        }
        try {
            body.run(0, (int) ((long) n / chunks));
        } finally {
            // Wait for every chunk even when ours failed: no worker may still write into the output afterwards.
            for (Future<?> future : pending) {
                await(future);
            }
        }
    }

    /** {@link #forRange(int, RangeBody)}, or the whole range on this thread when {@code work} is small. */
    public void forRange(int n, long work, RangeBody body) {
        (work < PARALLEL_MIN_WORK ? SINGLE : this).forRange(n, body);
    }

    private static void await(Future<?> future) {
        try {
            future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for an operator chunk", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdown();
        }
    }

    @Override
    public String toString() {
        return "Parallelism(" + threads + ")";
    }
}
