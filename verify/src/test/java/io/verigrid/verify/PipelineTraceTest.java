package io.verigrid.verify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.verigrid.engine.data.DataFault;
import io.verigrid.engine.data.DataRecord;
import io.verigrid.engine.data.InputDataset;
import io.verigrid.engine.data.Pipeline;
import io.verigrid.engine.data.PipelineSpec;
import io.verigrid.verify.PipelineTrace.Divergence;
import io.verigrid.verify.PipelineTrace.Section;
import io.verigrid.verify.PreprocessFixtures.View;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each cheat changes the shard's hash, and the first differing trace leaf names the step and batch it happened in. */
class PipelineTraceTest {
    private static final int SHARD = 2;
    private static final View HONEST = PreprocessFixtures.view(PreprocessFixtures.textSpec(), PreprocessFixtures.TEXT, SHARD, null);

    private static Divergence divergence(View cheat) {
        assertFalse(Arrays.equals(ShardCommitments.shardRoot(HONEST.shardTrace().shard()),
                ShardCommitments.shardRoot(cheat.shardTrace().shard())), "the cheat shows in the shard root");
        assertFalse(Arrays.equals(HONEST.trace().root(), cheat.trace().root()));
        return PipelineTrace.firstDivergence(cheat.trace(), HONEST.trace()).orElseThrow();
    }

    /** The batch that holds {@code origin} in a list of origins. */
    private static int batchOf(int[] origins, int origin) {
        return Arrays.stream(origins).boxed().toList().indexOf(origin) / ShardCommitments.BATCH_RECORDS;
    }

    private static int[] origins(List<DataRecord> records) {
        return records.stream().mapToInt(DataRecord::origin).toArray();
    }

    @Test
    void honestPartiesAgreeOnEveryLeafAndTheLastLeafCommitsTheShard() {
        View again = PreprocessFixtures.view(PreprocessFixtures.textSpec(), PreprocessFixtures.TEXT, SHARD, null);
        assertTrue(PipelineTrace.firstDivergence(again.trace(), HONEST.trace()).isEmpty());
        assertArrayEquals(HONEST.trace().root(), again.trace().root());
        int steps = HONEST.spec().steps().size();
        assertEquals(2 * (steps + 1), HONEST.trace().leaves().size());
        byte[] shardRoot = ShardCommitments.shardRoot(Pipeline.run(HONEST.spec(), PreprocessFixtures.TEXT).shards().get(SHARD));
        assertArrayEquals(ShardCommitments.recordsLeaf(steps, "shuffle", 20, shardRoot),
                HONEST.trace().leaves().get(2 * steps + 1));
        int leaf = HONEST.trace().leafIndex(Section.RECORDS, 3);
        assertTrue(HONEST.trace().proof(leaf).verify(HONEST.trace().root(), HONEST.trace().leaves().get(leaf)));
    }

    @Test
    void anAlteredRecordIsPinnedToItsStepAndBatch() {
        int victim = HONEST.shardTrace().shard().origins()[17];
        View cheat = PreprocessFixtures.view(HONEST.spec(), PreprocessFixtures.TEXT, SHARD,
                new DataFault(5, victim, DataFault.Action.ALTER));
        Divergence divergence = divergence(cheat);
        assertEquals(Section.RECORDS, divergence.section());
        assertEquals(5, divergence.step());
        assertEquals(batchOf(origins(HONEST.shardTrace().recordsAfter(5)), victim), divergence.batch());
    }

    @Test
    void aDroppedRecordIsPinnedToTheSelectionThatDroppedIt() {
        int victim = HONEST.shardTrace().shard().origins()[4];
        View cheat = PreprocessFixtures.view(HONEST.spec(), PreprocessFixtures.TEXT, SHARD,
                new DataFault(4, victim, DataFault.Action.DROP));
        Divergence divergence = divergence(cheat);
        assertEquals(Section.PLAN, divergence.section());
        assertEquals(4, divergence.step());
        assertEquals(batchOf(HONEST.plan().originsAfter(4), victim), divergence.batch());
    }

    @Test
    void aShuffleWithAnotherSeedIsPinnedToTheShuffle() {
        View cheat = PreprocessFixtures.view(PreprocessFixtures.textSpec(PreprocessFixtures.GPT2, 78L),
                PreprocessFixtures.TEXT, SHARD, null);
        Divergence divergence = divergence(cheat);
        assertEquals(new Divergence(HONEST.trace().leafIndex(Section.PLAN, 6), Section.PLAN, 6, 0), divergence);
    }

    @Test
    void aWrongTokenizerIsPinnedToTheTokenizeStep() {
        View cheat = PreprocessFixtures.view(PreprocessFixtures.textSpec(PreprocessFixtures.LLAMA3, 77L),
                PreprocessFixtures.TEXT, SHARD, null);
        Divergence divergence = divergence(cheat);
        assertEquals(new Divergence(HONEST.trace().leafIndex(Section.RECORDS, 5), Section.RECORDS, 5, 0), divergence);
    }

    @Test
    void anImageCheatIsPinnedToTheAugmentationItHid() {
        PipelineSpec spec = PreprocessFixtures.imageSpec();
        InputDataset images = PreprocessFixtures.IMAGES;
        View honest = PreprocessFixtures.view(spec, images, 1, null);
        int victim = honest.shardTrace().recordsAfter(3).get(9).origin();
        View cheat = PreprocessFixtures.view(spec, images, 1, new DataFault(3, victim, DataFault.Action.ALTER));
        Divergence divergence = PipelineTrace.firstDivergence(cheat.trace(), honest.trace()).orElseThrow();
        assertEquals(Section.RECORDS, divergence.section());
        assertEquals(3, divergence.step());
        assertEquals(batchOf(origins(honest.shardTrace().recordsAfter(3)), victim), divergence.batch());
    }
}
