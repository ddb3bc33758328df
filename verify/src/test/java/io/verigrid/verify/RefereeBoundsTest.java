package io.verigrid.verify;

import static org.junit.jupiter.api.Assertions.*;

import io.verigrid.engine.MatmulTiles;
import io.verigrid.engine.MlpJob;
import org.junit.jupiter.api.Test;

/**
 * A job is refused up front when some leaf of its trace could not be settled within max_referee_bytes (spec §2, §6):
 * the error names the operator, its kind and its bytes.
 */
class RefereeBoundsTest {
    @Test
    void aJobWhoseOnlyLargeOperatorsAreMatmulsIsAccepted() {
        MlpJob job = TiledTraceGames.JOB;
        assertDoesNotThrow(() -> RefereeBounds.check(job, job.dataset(), job.initialState(), TiledTraceGames.BOUND));
        MlpJob demo = MlpJob.demo();
        assertDoesNotThrow(() -> RefereeBounds.check(demo, demo.dataset(), demo.initialState(), MatmulTiles.DEFAULT_MAX_REFEREE_BYTES));
    }

    @Test
    void anElementwiseOperatorOverTheBoundIsNamed() {
        // 1024 hidden units of a 128-row batch: the bias add reads the 512 KiB pre-activation and the bias.
        MlpJob job = new MlpJob(3, 256, 1024, 4, 256, 128, 0.05f, 0.9f, 2, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RefereeBounds.check(job, job.dataset(), job.initialState(), 512 * 1024));
        assertEquals("job: operator #3 (add_bias) reads 528384 bytes, more than maxRefereeBytes 524288; no dispute on it could"
                + " be settled (only matmuls are tiled): shrink the model or batch, or use a chain with a larger bound", e.getMessage());
    }

    @Test
    void aTiledMatmulWhoseOutputExceedsTheBoundIsNamed() {
        // x·w1 (128 KiB + 1.25 MiB) is tiled; its 128×1280 output (640 KiB) is more than the 512 KiB its assembly may read.
        MlpJob job = new MlpJob(3, 256, 1280, 4, 128, 128, 0.05f, 0.9f, 2, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RefereeBounds.check(job, job.dataset(), job.initialState(), 512 * 1024));
        assertTrue(e.getMessage().startsWith("job: operator #2 (matmul) is tiled, but the referee of its assembled output reads 655360 bytes"),
                e.getMessage());
    }

    @Test
    void aBoundNoTilingFitsIsNamed() {
        MlpJob job = TiledTraceGames.JOB;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RefereeBounds.check(job, job.dataset(), job.initialState(), 128 * 1024));
        assertTrue(e.getMessage().startsWith("job: a step cannot be traced within maxRefereeBytes 131072: maxRefereeBytes: 131072 is too small"),
                e.getMessage());
    }
}
