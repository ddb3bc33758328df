package io.verigrid.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.verigrid.engine.data.DataFault;
import io.verigrid.engine.data.Pipeline;
import io.verigrid.engine.data.PipelineOutput;
import io.verigrid.engine.data.PipelineSpec;
import io.verigrid.engine.data.Sharding;
import org.junit.jupiter.api.Test;

class ShardVerifierTest {
    private static final PipelineSpec SPEC = PreprocessFixtures.imageSpec();
    private static final PipelineOutput HONEST = Pipeline.run(SPEC, PreprocessFixtures.IMAGES);

    @Test
    void everyHonestShardPasses() {
        for (int k = 0; k < HONEST.shards().size(); k++) {
            assertTrue(ShardVerifier.check(SPEC, PreprocessFixtures.IMAGES, HONEST.plan(), HONEST.manifest(), k).passed());
        }
    }

    @Test
    void onlyTheCheatedShardFails() {
        PipelineSpec small = new PipelineSpec(SPEC.input(), SPEC.steps(), Sharding.byRecords(4));
        PipelineOutput honest = Pipeline.run(small, PreprocessFixtures.IMAGES);
        int victim = honest.shards().get(1).origins()[2];
        PipelineOutput cheat = Pipeline.run(small, PreprocessFixtures.IMAGES, new DataFault(5, victim, DataFault.Action.ALTER));
        for (int k = 0; k < cheat.shards().size(); k++) {
            ShardVerifier.Result result = ShardVerifier.check(small, PreprocessFixtures.IMAGES, cheat.plan(), cheat.manifest(), k);
            assertTrue(result.manifestMatches());
            assertEquals(k != 1, result.passed(), "shard " + k);
            assertEquals(honest.manifest().shards().get(k).sha256(), result.recomputedSha256());
        }
    }

    @Test
    void aManifestForAnotherSpecOrPlanFails() {
        PipelineSpec other = PreprocessFixtures.textSpec();
        PipelineOutput text = Pipeline.run(other, PreprocessFixtures.TEXT);
        assertFalse(ShardVerifier.check(SPEC, PreprocessFixtures.IMAGES, HONEST.plan(), text.manifest(), 0).manifestMatches());
        assertFalse(ShardVerifier.check(SPEC, PreprocessFixtures.IMAGES, text.plan(), HONEST.manifest(), 0).passed());
        assertThrows(IllegalArgumentException.class,
                () -> ShardVerifier.check(SPEC, PreprocessFixtures.IMAGES, HONEST.plan(), HONEST.manifest(), 2));
    }
}
