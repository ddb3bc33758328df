package io.verigrid.engine.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.verigrid.engine.Parallelism;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class StepTeamTest {
    @Test
    void everyChunkOfEveryRegionRunsExactlyOnceOnAnyThreadCount() {
        for (int threads : new int[] {1, 2, 3}) {
            try (Parallelism par = Parallelism.of(threads)) {
                for (int step = 0; step < 20; step++) {
                    AtomicIntegerArray runs = new AtomicIntegerArray(200);
                    StepTeam.run(par, team -> {
                        assertEquals(threads, team.threads());
                        for (int region = 0; region < 10; region++) {
                            int base = region * 20;
                            team.split(region + 1, chunk -> runs.incrementAndGet(base + chunk));
                            // A region returns only when all its chunks are done, wherever they ran.
                            for (int chunk = 0; chunk <= region; chunk++) {
                                assertEquals(1, runs.get(base + chunk), "threads " + threads + ", region " + region);
                            }
                        }
                    });
                    for (int i = 0; i < runs.length(); i++) {
                        assertEquals(i % 20 <= i / 20 ? 1 : 0, runs.get(i), "threads " + threads + ", slot " + i);
                    }
                }
            }
        }
    }

    @Test
    void aFailingChunkIsRethrownByTheRegionAndTheTeamStaysUsable() {
        try (Parallelism par = Parallelism.of(2)) {
            IllegalStateException thrown = new IllegalStateException("chunk 5 failed");
            IllegalStateException seen = assertThrows(IllegalStateException.class, () -> StepTeam.run(par,
                    team -> team.split(16, chunk -> {
                        if (chunk == 5) {
                            throw thrown;
                        }
                    })));
            assertSame(thrown, seen);
            AtomicIntegerArray runs = new AtomicIntegerArray(16);
            StepTeam.run(par, team -> team.split(16, runs::incrementAndGet));
            for (int i = 0; i < 16; i++) {
                assertEquals(1, runs.get(i));
            }
        }
    }

    @Test
    void regionsCompleteWithoutHelpersWhenThePoolIsBusyElsewhere() throws Exception {
        try (Parallelism par = Parallelism.of(2)) {
            CountDownLatch poolBusy = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            // Another user holds the pool's only worker until the step below has done all its regions.
            Thread other = new Thread(() -> par.forRange(2, (from, to) -> {
                if (from == 1) {
                    poolBusy.countDown();
                    await(release);
                }
            }));
            other.start();
            assertTrue(poolBusy.await(10, TimeUnit.SECONDS));
            AtomicIntegerArray runs = new AtomicIntegerArray(64);
            StepTeam.run(par, team -> {
                for (int region = 0; region < 4; region++) {
                    int base = region * 16;
                    team.split(16, chunk -> runs.incrementAndGet(base + chunk));
                }
                release.countDown();
            });
            other.join(10_000);
            for (int i = 0; i < runs.length(); i++) {
                assertEquals(1, runs.get(i));
            }
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
