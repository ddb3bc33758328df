package io.verigrid.engine.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class StepTeamTest {
    @Test
    void everyChunkOfEveryRegionRunsExactlyOnceOnAnyThreadCount() {
        for (int threads : new int[] {1, 2, 3}) {
            StepTeam team = new StepTeam(threads);
            for (int step = 0; step < 20; step++) {
                runRegions(team, "threads " + threads);
            }
        }
    }

    @Test
    void aFailingChunkIsRethrownByItsRegionAndTheTeamStaysUsable() {
        StepTeam team = new StepTeam(2);
        IllegalStateException thrown = new IllegalStateException("chunk 5 failed");
        IllegalStateException seen = assertThrows(IllegalStateException.class, () -> team.split(16, chunk -> {
            if (chunk == 5) {
                throw thrown;
            }
        }));
        assertSame(thrown, seen);
        runRegions(team, "after a failure");
    }

    @Test
    void teamsOfConcurrentCallersDoNotMix() throws Exception {
        Thread[] callers = new Thread[3];
        Throwable[] failures = new Throwable[callers.length];
        for (int c = 0; c < callers.length; c++) {
            int caller = c;
            callers[c] = new Thread(() -> {
                try {
                    StepTeam team = new StepTeam(2);
                    for (int step = 0; step < 20; step++) {
                        runRegions(team, "caller " + caller);
                    }
                } catch (Throwable t) {
                    failures[caller] = t;
                }
            });
            callers[c].start();
        }
        for (int c = 0; c < callers.length; c++) {
            callers[c].join();
            assertEquals(null, failures[c], "caller " + c);
        }
    }

    @Test
    void regionsAfterAGapLongEnoughForHelpersToSleepRunEveryChunkOnce() throws Exception {
        StepTeam team = new StepTeam(2);
        runRegions(team, "before the gap");
        Thread.sleep(20); // longer than a helper stays awake without work
        runRegions(team, "after the gap");
    }

    @Test
    void aTeamNeedsAThread() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new StepTeam(0));
        assertEquals("threads must be >= 1, got 0", e.getMessage());
    }

    /** Ten regions of 1 … 10 chunks: each returns only when all its chunks are done, each chunk once. */
    private static void runRegions(StepTeam team, String context) {
        AtomicIntegerArray runs = new AtomicIntegerArray(200);
        for (int region = 0; region < 10; region++) {
            int base = region * 20;
            team.split(region + 1, chunk -> runs.incrementAndGet(base + chunk));
            for (int chunk = 0; chunk <= region; chunk++) {
                assertEquals(1, runs.get(base + chunk), context + ", region " + region + ", chunk " + chunk);
            }
        }
        for (int i = 0; i < runs.length(); i++) {
            assertEquals(i % 20 <= i / 20 ? 1 : 0, runs.get(i), context + ", slot " + i);
        }
    }
}
