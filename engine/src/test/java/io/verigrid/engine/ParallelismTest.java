package io.verigrid.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

class ParallelismTest {
    @Test
    void forRangeVisitsEveryIndexExactlyOnceForAnyThreadCount() {
        for (int threads = 1; threads <= 5; threads++) {
            try (Parallelism par = Parallelism.of(threads)) {
                for (int n : new int[] {0, 1, 2, 3, 7, 64, 1001}) {
                    AtomicIntegerArray visits = new AtomicIntegerArray(n);
                    par.forRange(n, (from, to) -> {
                        for (int i = from; i < to; i++) {
                            visits.incrementAndGet(i);
                        }
                    });
                    for (int i = 0; i < n; i++) {
                        assertEquals(1, visits.get(i), "threads " + threads + " n " + n + " index " + i);
                    }
                }
            }
        }
    }

    @Test
    void smallWorkRunsWholeOnTheCallingThreadAndLargeWorkIsSplit() {
        try (Parallelism par = Parallelism.of(2)) {
            Thread caller = Thread.currentThread();
            java.util.List<int[]> chunks = new java.util.concurrent.CopyOnWriteArrayList<>();
            par.forRange(100, Parallelism.PARALLEL_MIN_WORK - 1, (from, to) -> {
                assertEquals(caller, Thread.currentThread());
                chunks.add(new int[] {from, to});
            });
            assertEquals(1, chunks.size());
            assertEquals(100, chunks.get(0)[1] - chunks.get(0)[0]);
            chunks.clear();
            par.forRange(100, Parallelism.PARALLEL_MIN_WORK, (from, to) -> chunks.add(new int[] {from, to}));
            assertEquals(2, chunks.size());
            assertThrows(IllegalArgumentException.class, () -> par.forRange(-1, 1, (from, to) -> { }));
        }
    }

    @Test
    void anExceptionInAWorkerChunkReachesTheCaller() {
        try (Parallelism par = Parallelism.of(2)) {
            assertThrows(IllegalStateException.class, () -> par.forRange(10, (from, to) -> {
                if (from > 0) {
                    throw new IllegalStateException("chunk " + from);
                }
            }));
        }
    }

    @Test
    void aFailingCallerChunkStillWaitsForTheWorkersChunks() {
        try (Parallelism par = Parallelism.of(2)) {
            java.util.concurrent.atomic.AtomicBoolean workerDone = new java.util.concurrent.atomic.AtomicBoolean();
            assertThrows(IllegalStateException.class, () -> par.forRange(2, (from, to) -> {
                if (from == 0) {
                    throw new IllegalStateException("caller's chunk");
                }
                LockSupport.parkNanos(50_000_000);
                workerDone.set(true);
            }));
            assertTrue(workerDone.get(), "returned while a worker was still running its chunk");
        }
    }

    @Test
    void concurrentAndNestedCallsEachCoverTheirRangeOnce() throws Exception {
        try (Parallelism par = Parallelism.of(3)) {
            int n = 5_000;
            java.util.List<Thread> callers = new java.util.ArrayList<>();
            java.util.List<AtomicIntegerArray> counts = new java.util.concurrent.CopyOnWriteArrayList<>();
            java.util.Queue<Throwable> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
            for (int c = 0; c < 4; c++) {
                AtomicIntegerArray visits = new AtomicIntegerArray(n);
                counts.add(visits);
                Thread caller = new Thread(() -> {
                    try {
                        for (int round = 0; round < 200; round++) {
                            // Each chunk forks again: the inner call runs on the thread that made it.
                            par.forRange(n, (from, to) -> par.forRange(to - from, (a, b) -> {
                                for (int i = from + a; i < from + b; i++) {
                                    visits.incrementAndGet(i);
                                }
                            }));
                        }
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                });
                callers.add(caller);
                caller.start();
            }
            for (Thread caller : callers) {
                caller.join(60_000);
                assertFalse(caller.isAlive(), "a caller is stuck");
            }
            assertTrue(failures.isEmpty(), () -> "failures: " + failures);
            for (AtomicIntegerArray visits : counts) {
                for (int i = 0; i < n; i++) {
                    assertEquals(200, visits.get(i), "index " + i);
                }
            }
        }
    }

    @Test
    void workersRunChunksAndAClosedParallelismRunsOnTheCaller() {
        Parallelism par = Parallelism.of(2);
        java.util.Set<Thread> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        par.forRange(2, (from, to) -> seen.add(Thread.currentThread()));
        assertEquals(2, seen.size(), "one chunk on the caller, one on a worker");
        par.close();
        seen.clear();
        par.forRange(2, (from, to) -> seen.add(Thread.currentThread()));
        assertEquals(java.util.Set.of(Thread.currentThread()), seen);
    }

    @Test
    void closingWhileRangesRunNeitherHangsNorSkipsAChunk() throws Exception {
        for (int attempt = 0; attempt < 20; attempt++) {
            Parallelism par = Parallelism.of(3);
            AtomicIntegerArray visits = new AtomicIntegerArray(3);
            Thread user = new Thread(() -> {
                for (int round = 0; round < 2_000; round++) {
                    par.forRange(3, (from, to) -> {
                        for (int i = from; i < to; i++) {
                            visits.incrementAndGet(i);
                        }
                    });
                }
            });
            user.start();
            LockSupport.parkNanos(200_000L * attempt);
            par.close();
            user.join(30_000);
            assertFalse(user.isAlive(), "a range never finished after close()");
            for (int i = 0; i < 3; i++) {
                assertEquals(2_000, visits.get(i), "index " + i);
            }
        }
    }

    @Test
    void aThreadCountBelowOneIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Parallelism.of(0));
        assertEquals(1, Parallelism.single().threads());
    }
}
