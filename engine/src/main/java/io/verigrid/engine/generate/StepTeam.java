package io.verigrid.engine.generate;

import io.verigrid.engine.Parallelism;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The threads of one decode step working as a team: the caller runs the step and opens parallel regions
 * ({@link #split}); the other threads of the injected {@link Parallelism} join once per step and wait for the
 * next region spinning, instead of being woken through the pool for every operator (a wake-up costs tens of
 * microseconds, as much as a whole 15M-sized product).
 *
 * <p>A region is a count of chunks; every thread takes the next unclaimed chunk from a shared counter until none
 * is left, and the caller returns once every claimed chunk is done. The caller never waits for a helper that has
 * not arrived (it simply does the chunks itself), so a helper the OS schedules late, or a pool busy with other
 * work, slows a step but cannot stall it. Which thread runs a chunk changes no bit: a chunk computes its outputs
 * whole.
 */
final class StepTeam {
    /** A region's work for one chunk. */
    @FunctionalInterface
    interface ChunkBody {
        void run(int chunk);
    }

    /** How long a thread spins for the next region (or for chunks in progress) before it gives up its core. */
    private static final long SPIN_NANOS = 50_000;
    /**
     * How long a helper stays awake without work before it sleeps until the next region (the caller is
     * descheduled on a busy machine, or busy with long serial work). Waking it costs tens of microseconds, so
     * this is well above the gaps between a step's regions.
     */
    private static final long NAP_AFTER_NANOS = 1_000_000;
    /** How long a napping helper sleeps before it looks again, unless the next region wakes it earlier. */
    private static final long NAP_NANOS = 200_000;
    /** How long the caller waits, at the end of a step, for helpers to leave before it stops watching. */
    private static final long LEAVE_WAIT_NANOS = 200_000;
    private static final StepTeam ALONE = new StepTeam(1);

    private final int threads;
    private volatile Region region;
    private volatile boolean finished;
    private final AtomicInteger helpersInside = new AtomicInteger();
    /** Helpers asleep in {@link #help} (they are woken when a region opens). */
    private final ConcurrentLinkedQueue<Thread> napping = new ConcurrentLinkedQueue<>();

    private StepTeam(int threads) {
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

    /** Runs {@code step} on the calling thread with every thread of {@code par} on its team. */
    static void run(Parallelism par, Consumer<StepTeam> step) {
        if (par.threads() == 1) {
            step.accept(ALONE);
            return;
        }
        StepTeam team = new StepTeam(par.threads());
        // Chunk 0 of forRange runs on the caller; the others are the pool's threads, which help until the end.
        par.forRange(par.threads(), (from, to) -> {
            if (from == 0) {
                try {
                    step.accept(team);
                } finally {
                    team.finish();
                }
            } else {
                team.help();
            }
        });
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
        wakeNappers();
        r.work();
        if (r.done.get() < chunks) {
            long start = System.nanoTime();
            for (int spins = 0; r.done.get() < chunks; spins++) {
                pause(spins, start);
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

    private void help() {
        helpersInside.incrementAndGet();
        try {
            Region seen = null;
            long idleSince = System.nanoTime();
            for (int spins = 0; !finished; spins++) {
                Region r = region;
                if (r != seen) {
                    seen = r;
                    r.work();
                    spins = 0;
                    idleSince = System.nanoTime();
                } else if ((spins & 63) != 63) {
                    Thread.onSpinWait();
                } else if (System.nanoTime() - idleSince < NAP_AFTER_NANOS) {
                    pause(spins, idleSince);
                } else {
                    napping.add(Thread.currentThread());
                    if (region == seen && !finished) {
                        LockSupport.parkNanos(this, NAP_NANOS);
                    }
                    napping.remove(Thread.currentThread());
                    idleSince = System.nanoTime();
                }
            }
        } finally {
            helpersInside.decrementAndGet();
        }
    }

    private void wakeNappers() {
        if (!napping.isEmpty()) {
            for (Thread helper : napping) {
                LockSupport.unpark(helper);
            }
        }
    }

    /**
     * Ends the step. Waiting briefly for the helpers to leave lets the pool's futures be complete when the
     * caller collects them, so it does not park and wait to be woken.
     */
    private void finish() {
        finished = true;
        wakeNappers();
        long start = System.nanoTime();
        for (int spins = 0; helpersInside.get() > 0 && System.nanoTime() - start < LEAVE_WAIT_NANOS; spins++) {
            Thread.onSpinWait();
        }
    }

    /** Spins for a while, then yields the core at every look (a helper holding a chunk may need it). */
    private static void pause(int spins, long start) {
        if ((spins & 63) != 63 || System.nanoTime() - start < SPIN_NANOS) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
    }
}
