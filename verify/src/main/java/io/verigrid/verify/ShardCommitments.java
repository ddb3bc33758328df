package io.verigrid.verify;

import io.verigrid.engine.data.DataRecord;
import io.verigrid.engine.data.InputDataset;
import io.verigrid.engine.data.Shard;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Commitments of verified preprocessing (formats in docs/protocol.md, "Preprocessing"). A record list is committed
 * by the Merkle root over its record leaves; batches of {@link #BATCH_RECORDS} consecutive records are aligned
 * subtrees of that tree, so a batch root is both a node of the list's tree and the root of the batch alone. A plan
 * list (surviving origins after one step) is committed by the Merkle root over its origin-batch leaves.
 */
public final class ShardCommitments {
    /** Records per batch: a power of two, so batch b is the tree node at level 4, index b. */
    public static final int BATCH_RECORDS = 16;
    /** The step name of the input list (step 0) in trace leaves. */
    public static final String INPUT_KIND = "input";

    static final byte RECORD_TAG = 0x20;
    static final byte ORIGINS_TAG = 0x21;
    static final byte PLAN_LEAF_TAG = 0x22;
    static final byte RECORDS_LEAF_TAG = 0x23;

    private ShardCommitments() {}

    /** H(0x20 ‖ record's canonical bytes); the bytes start with the record's type and origin. */
    public static byte[] recordLeaf(DataRecord record) {
        if (record == null) throw new IllegalArgumentException("record: null");
        return Hashes.sha256(new byte[] {RECORD_TAG}, record.encode());
    }

    public static List<byte[]> recordLeaves(List<DataRecord> records) {
        if (records == null) throw new IllegalArgumentException("records: null");
        List<byte[]> leaves = new ArrayList<>(records.size());
        for (DataRecord record : records) leaves.add(recordLeaf(record));
        return leaves;
    }

    public static byte[] recordsRoot(List<DataRecord> records) {
        return Merkle.root(recordLeaves(records));
    }

    /** The job commitment of one output shard (spec §1, "Preprocessing: per shard, the output shard's root"). */
    public static byte[] shardRoot(Shard shard) {
        if (shard == null) throw new IllegalArgumentException("shard: null");
        return recordsRoot(shard.records());
    }

    /** The root every input record is proven against: the records root of the input dataset. */
    public static byte[] inputRoot(InputDataset input) {
        if (input == null) throw new IllegalArgumentException("input: null");
        return recordsRoot(input.records());
    }

    /** Proof that {@code records[index]} is in {@code recordsRoot(records)}. */
    public static LeafProof recordProof(List<DataRecord> records, int index) {
        List<byte[]> leaves = recordLeaves(records);
        if (index < 0 || index >= leaves.size()) {
            throw new IllegalArgumentException("index: " + index + " outside 0.." + (leaves.size() - 1));
        }
        return new LeafProof(index, leaves.size(), Merkle.proof(leaves, index));
    }

    public static int batchCount(int records) {
        return (records + BATCH_RECORDS - 1) / BATCH_RECORDS;
    }

    /** The roots of the record batches of a list; {@code Merkle.root(batchRoots(r)) == recordsRoot(r)}. */
    public static List<byte[]> batchRoots(List<DataRecord> records) {
        List<byte[]> leaves = recordLeaves(records);
        List<byte[]> roots = new ArrayList<>();
        for (int start = 0; start < leaves.size(); start += BATCH_RECORDS) {
            roots.add(Merkle.root(leaves.subList(start, Math.min(leaves.size(), start + BATCH_RECORDS))));
        }
        return roots;
    }

    /** H(0x21 ‖ u32 step ‖ u32 batch ‖ u32 count ‖ u32 origins): batch {@code batch} of a plan list. */
    public static byte[] originsBatchLeaf(int step, int batch, int[] origins) {
        if (origins == null) throw new IllegalArgumentException("origins: null");
        CanonicalWriter out = new CanonicalWriter().u8(ORIGINS_TAG).u32(step).u32(batch).u32(origins.length);
        for (int origin : origins) out.u32(origin);
        return Hashes.sha256(out.toByteArray());
    }

    public static List<byte[]> originsBatchLeaves(int step, int[] origins) {
        if (origins == null) throw new IllegalArgumentException("origins: null");
        List<byte[]> leaves = new ArrayList<>();
        for (int start = 0, batch = 0; start < origins.length; start += BATCH_RECORDS, batch++) {
            leaves.add(originsBatchLeaf(step, batch,
                    Arrays.copyOfRange(origins, start, Math.min(origins.length, start + BATCH_RECORDS))));
        }
        return leaves;
    }

    /** Merkle root over the origin-batch leaves of the surviving origins after {@code step}. */
    public static byte[] planRoot(int step, int[] origins) {
        return Merkle.root(originsBatchLeaves(step, origins));
    }

    /** H(0x22 ‖ u32 step ‖ kind ‖ u32 count ‖ planRoot): the plan after one step in a pipeline trace. */
    public static byte[] planLeaf(int step, String kind, int count, byte[] planRoot) {
        return stepLeaf(PLAN_LEAF_TAG, step, kind, count, planRoot);
    }

    /** H(0x23 ‖ u32 step ‖ kind ‖ u32 count ‖ recordsRoot): one shard's records after one step. */
    public static byte[] recordsLeaf(int step, String kind, int count, byte[] recordsRoot) {
        return stepLeaf(RECORDS_LEAF_TAG, step, kind, count, recordsRoot);
    }

    private static byte[] stepLeaf(byte tag, int step, String kind, int count, byte[] root) {
        if (root == null || root.length != Hashes.LENGTH) {
            throw new IllegalArgumentException("root: must be a " + Hashes.LENGTH + "-byte hash");
        }
        if (kind == null || kind.isEmpty()) throw new IllegalArgumentException("kind: empty");
        return Hashes.sha256(new CanonicalWriter().u8(tag).u32(step).string(kind).u32(count).raw(root).toByteArray());
    }
}
