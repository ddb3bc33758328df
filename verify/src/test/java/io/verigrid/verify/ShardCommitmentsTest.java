package io.verigrid.verify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.verigrid.engine.data.DataRecord;
import io.verigrid.engine.data.Pipeline;
import io.verigrid.engine.data.PipelineOutput;
import io.verigrid.engine.data.Shard;
import io.verigrid.engine.data.TextRecord;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShardCommitmentsTest {
    private static final List<DataRecord> RECORDS = PreprocessFixtures.TEXT.records().subList(0, 37);

    @Test
    void batchRootsAreTheAlignedSubtreesOfTheRecordsRoot() {
        List<byte[]> batches = ShardCommitments.batchRoots(RECORDS);
        assertEquals(3, batches.size());
        assertArrayEquals(ShardCommitments.recordsRoot(RECORDS), Merkle.root(batches));
        List<List<byte[]>> levels = Merkle.levels(ShardCommitments.recordLeaves(RECORDS));
        for (int b = 0; b < batches.size(); b++) {
            assertArrayEquals(levels.get(4).get(b), batches.get(b));
        }
    }

    @Test
    void aRecordIsProvenAgainstTheRootItsListCommits() {
        byte[] root = ShardCommitments.recordsRoot(RECORDS);
        LeafProof proof = ShardCommitments.recordProof(RECORDS, 21);
        assertTrue(proof.verify(root, ShardCommitments.recordLeaf(RECORDS.get(21))));
        assertFalse(proof.verify(root, ShardCommitments.recordLeaf(new TextRecord(21, "forged"))));
        assertFalse(proof.verify(root, ShardCommitments.recordLeaf(RECORDS.get(21).withOrigin(22))),
                "the leaf binds the origin");
    }

    @Test
    void theShardRootIsTheJobCommitmentAndSeesEveryRecord() {
        PipelineOutput out = Pipeline.run(PreprocessFixtures.textSpec(), PreprocessFixtures.TEXT);
        Shard shard = out.shards().get(1);
        byte[] root = ShardCommitments.shardRoot(shard);
        assertArrayEquals(root, ShardCommitments.shardRoot(Pipeline.runShard(PreprocessFixtures.textSpec(),
                PreprocessFixtures.TEXT, 1)));
        List<DataRecord> dropped = shard.records().subList(1, shard.size());
        assertFalse(Arrays.equals(root, ShardCommitments.shardRoot(new Shard(1, dropped))));
    }

    @Test
    void planRootsBindOrderAndStepAndLeavesAreDomainSeparated() {
        int[] origins = {3, 1, 4, 15, 9, 2, 6};
        int[] swapped = {1, 3, 4, 15, 9, 2, 6};
        assertFalse(Arrays.equals(ShardCommitments.planRoot(2, origins), ShardCommitments.planRoot(2, swapped)));
        assertFalse(Arrays.equals(ShardCommitments.planRoot(2, origins), ShardCommitments.planRoot(3, origins)));
        byte[] root = ShardCommitments.planRoot(2, origins);
        assertFalse(Arrays.equals(ShardCommitments.planLeaf(2, "shuffle", 7, root),
                ShardCommitments.recordsLeaf(2, "shuffle", 7, root)));
        assertFalse(Arrays.equals(ShardCommitments.planLeaf(2, "shuffle", 7, root),
                ShardCommitments.planLeaf(2, "shuffle", 8, root)), "the leaf binds the count");
    }
}
