package io.verigrid.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicIntegerArray;
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
    void aThreadCountBelowOneIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Parallelism.of(0));
        assertEquals(1, Parallelism.single().threads());
    }
}
