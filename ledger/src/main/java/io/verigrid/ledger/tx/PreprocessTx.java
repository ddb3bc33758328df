package io.verigrid.ledger.tx;

import io.verigrid.verify.CutEvidence;
import io.verigrid.verify.MerkleProof;
import io.verigrid.verify.PreprocessEvidence;
import java.util.List;

/**
 * The preprocessing transactions (tags 20..29): a lessee commits each output shard of a preprocessing order, a
 * verifier challenges one, and the two play {@code io.verigrid.verify.PreprocessGame} move by move. Constructors
 * reject values no transaction may carry; whether one is allowed now is the ledger's decision
 * ({@code PreprocessRules}).
 */
public final class PreprocessTx {
    private PreprocessTx() {}

    /**
     * The lessee's commitment to output shard {@code shard} (1-based: the job's unit): its records root, and the
     * plan and manifest it belongs to ({@code SHA-256} of {@code PipelinePlan.encode()} and of the manifest JSON)
     * with the plan's shard count. The first shard fixes plan, manifest and count; the rest must repeat them.
     */
    public record CommitShard(long jobId, int shard, byte[] shardRoot, byte[] planSha256, byte[] manifestSha256,
                              int shardCount) implements TxBody.PreprocessBody {
        public static final int TAG = 20;

        public CommitShard {
            Fields.positive(jobId, "jobId");
            Fields.positive(shard, "shard");
            shardRoot = Fields.hash(shardRoot, "shardRoot");
            planSha256 = Fields.hash(planSha256, "planSha256");
            manifestSha256 = Fields.hash(manifestSha256, "manifestSha256");
            Fields.positive(shardCount, "shardCount");
        }

        public int tag() { return TAG; }

        public void write(ByteWriter out) {
            out.i64(jobId).i32(shard).raw(shardRoot).raw(planSha256).raw(manifestSha256).i32(shardCount);
        }
    }

    /** A staked verifier disputes shard {@code shard}: re-executed, it has records root {@code claimedRoot}. */
    public record ChallengeShard(long jobId, int shard, byte[] claimedRoot) implements TxBody.PreprocessBody {
        public static final int TAG = 21;

        public ChallengeShard {
            Fields.positive(jobId, "jobId");
            Fields.positive(shard, "shard");
            claimedRoot = Fields.hash(claimedRoot, "claimedRoot");
        }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { out.i64(jobId).i32(shard).raw(claimedRoot); }
    }

    /**
     * Provider: its trace root for the disputed shard, the shard's record count after the last step and the Merkle
     * path of the last trace leaf (siblings, leaf level first).
     */
    public record PostShardTraceRoot(long disputeId, byte[] traceRoot, int lastCount, List<byte[]> lastPath)
            implements TxBody.PreprocessBody {
        public static final int TAG = 22;

        public PostShardTraceRoot {
            Fields.positive(disputeId, "disputeId");
            traceRoot = Fields.hash(traceRoot, "traceRoot");
            Fields.nonNegative(lastCount, "lastCount");
            lastPath = Fields.hashes(lastPath, "lastPath");
            if (lastPath.size() > MerkleProof.MAX_SIBLINGS) throw new IllegalArgumentException("lastPath has more than " + MerkleProof.MAX_SIBLINGS + " siblings");
        }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { out.i64(disputeId).raw(traceRoot).i32(lastCount).byteList(lastPath); }
    }

    /** Provider: the trace nodes one round below the disputed node. */
    public record PostShardTraceNodes(long disputeId, List<byte[]> nodes) implements TxBody.PreprocessBody {
        public static final int TAG = 23;

        public PostShardTraceNodes {
            Fields.positive(disputeId, "disputeId");
            nodes = Fields.hashes(nodes, "nodes");
        }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { out.i64(disputeId).byteList(nodes); }
    }

    /** Challenger: the leftmost disputed node; {@code claim} is empty unless the pick reaches a leaf. */
    public record PickShardTraceNode(long disputeId, int k, byte[] claim) implements TxBody.PreprocessBody {
        public static final int TAG = 24;

        public PickShardTraceNode {
            Fields.positive(disputeId, "disputeId");
            Fields.nonNegative(k, "k");
            if (claim == null) throw new IllegalArgumentException("claim must not be null (empty when no leaf is reached)");
            claim = claim.clone();
        }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { out.i64(disputeId).i32(k).bytes(claim); }
    }

    /** Provider: the evidence for the disputed leaf; the ledger re-executes one step on one batch and settles. */
    public record SettleShardStep(long disputeId, PreprocessEvidence evidence) implements TxBody.PreprocessBody {
        public static final int TAG = 25;

        public SettleShardStep {
            Fields.positive(disputeId, "disputeId");
            if (evidence == null) throw new IllegalArgumentException("evidence must not be null");
        }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { out.i64(disputeId).bytes(evidence.encode()); }
    }

    /**
     * Challenger, when the referee's dedup decision waits for it: the input record (with its path) of the earlier kept
     * record the disputed one duplicates ({@code PreprocessEvidence.encodeWitness}), or empty for none.
     */
    public record PostShardWitness(long disputeId, byte[] witness) implements TxBody.PreprocessBody {
        public static final int TAG = 26;

        public PostShardWitness {
            Fields.positive(disputeId, "disputeId");
            if (witness == null) throw new IllegalArgumentException("witness must not be null (empty for none)");
            witness = witness.clone();
        }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { out.i64(disputeId).bytes(witness); }
    }

    /**
     * A staked verifier disputes the cut of shard {@code shard}: it does not end where the sharding rule ends it,
     * starting where the declared plan starts it (the challenger names the first shard whose end differs from its own
     * plan's). The provider answers with {@link SettleShardCut}.
     */
    public record ChallengeShardCut(long jobId, int shard) implements TxBody.PreprocessBody {
        public static final int TAG = 27;

        public ChallengeShardCut {
            Fields.positive(jobId, "jobId");
            Fields.positive(shard, "shard");
        }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { out.i64(jobId).i32(shard); }
    }

    /** Provider: its plan and the proven input records of the disputed shard and the next record; the referee decides. */
    public record SettleShardCut(long disputeId, CutEvidence evidence) implements TxBody.PreprocessBody {
        public static final int TAG = 28;

        public SettleShardCut {
            Fields.positive(disputeId, "disputeId");
            if (evidence == null) throw new IllegalArgumentException("evidence must not be null");
        }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { out.i64(disputeId).bytes(evidence.encode()); }
    }

    /**
     * Provider: part of its {@link SettleShardStep} or {@link SettleShardCut} in dispute {@code disputeId} when the move
     * outgrows one transaction: the move's body bytes ({@code moveTag}, {@code total} bytes in all), this part
     * starting at {@code offset}. The ledger keeps the parts in the game and plays the move when the last arrives.
     */
    public record PostMovePart(long disputeId, int moveTag, int total, int offset, byte[] part) implements TxBody.PreprocessBody {
        public static final int TAG = 29;

        public PostMovePart {
            Fields.positive(disputeId, "disputeId");
            if (moveTag != SettleShardStep.TAG && moveTag != SettleShardCut.TAG) {
                throw new IllegalArgumentException("moveTag: only SettleShardStep (" + SettleShardStep.TAG + ") and SettleShardCut ("
                        + SettleShardCut.TAG + ") arrive in parts, not " + moveTag);
            }
            Fields.positive(total, "total");
            if (offset < 0 || offset >= total) throw new IllegalArgumentException("offset: must be in 0.." + (total - 1) + ", got " + offset);
            if (part == null || part.length == 0) throw new IllegalArgumentException("part: must hold bytes");
            part = part.clone();
        }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { out.i64(disputeId).i32(moveTag).i32(total).i32(offset).bytes(part); }

        @Override
        public byte[] part() {
            return part.clone();
        }
    }

    /** The move a completed {@link PostMovePart} upload assembled: its body bytes, read as tag {@code moveTag}. */
    public static TxBody.PreprocessBody assembled(int moveTag, byte[] body) {
        ByteReader in = new ByteReader(body);
        TxBody move = read(moveTag, in);
        in.expectEnd("the assembled move");
        return (TxBody.PreprocessBody) move;
    }

    static TxBody read(int tag, ByteReader in) {
        return switch (tag) {
            case CommitShard.TAG -> new CommitShard(in.i64("jobId"), in.i32("shard"), in.raw(32, "shardRoot"),
                    in.raw(32, "planSha256"), in.raw(32, "manifestSha256"), in.i32("shardCount"));
            case ChallengeShard.TAG -> new ChallengeShard(in.i64("jobId"), in.i32("shard"), in.raw(32, "claimedRoot"));
            case PostShardTraceRoot.TAG -> new PostShardTraceRoot(in.i64("disputeId"), in.raw(32, "traceRoot"),
                    in.i32("lastCount"), in.byteList("lastPath"));
            case PostShardTraceNodes.TAG -> new PostShardTraceNodes(in.i64("disputeId"), in.byteList("nodes"));
            case PickShardTraceNode.TAG -> new PickShardTraceNode(in.i64("disputeId"), in.i32("k"), in.bytes("claim"));
            case SettleShardStep.TAG -> new SettleShardStep(in.i64("disputeId"), PreprocessEvidence.decode(in.bytes("evidence")));
            case PostShardWitness.TAG -> new PostShardWitness(in.i64("disputeId"), in.bytes("witness"));
            case ChallengeShardCut.TAG -> new ChallengeShardCut(in.i64("jobId"), in.i32("shard"));
            case SettleShardCut.TAG -> new SettleShardCut(in.i64("disputeId"), CutEvidence.decode(in.bytes("evidence")));
            case PostMovePart.TAG -> new PostMovePart(in.i64("disputeId"), in.i32("moveTag"), in.i32("total"), in.i32("offset"),
                    in.bytes("part"));
            default -> throw new MalformedTxException("unknown body tag " + tag);
        };
    }
}
