package io.verigrid.verify;

import io.verigrid.engine.data.PipelineSpec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The dispute game over one shard of a preprocessing job: a descent of the provider's {@link PipelineTrace} tree to
 * the first disputed leaf (a plan leaf or a records leaf of one step), then one settlement move in which the provider
 * posts its evidence and {@link PreprocessReferee} re-executes that one step — on one record batch, or for one plan
 * decision. A pure value like {@link DisputeGame}: every move returns a new game or throws {@link GameException}
 * and changes nothing; the ledger stores {@link #encode()}.
 *
 * <p>Moves: the provider posts its trace root together with a path proving that its last leaf (the records leaf of
 * the last step) commits to the shard root it committed on the ledger, so its trace and its commitment cannot part.
 * Then, each round, the provider posts the nodes ⌊log2 fanout⌋ levels below the disputed node and the challenger names
 * the leftmost one it disputes; the pick that reaches a leaf carries the challenger's claim for that leaf (the origin
 * list of a plan leaf, or the record count and batch roots of a records leaf). Whoever misses a deadline loses.
 */
public final class PreprocessGame {
    /**
     * WITNESS: after the provider's evidence for a dedup decision, the challenger may post its duplicate witness.
     * CUT: a challenge of the shard's cut ({@link #openCut}) waits for the provider's {@link CutEvidence}.
     */
    public enum Phase { TRACE, LEAF, SETTLED, WITNESS, CUT }

    /** First byte of the encoding; a training {@link DisputeGame} starts with its version (1), so the two never mix. */
    public static final int MAGIC = 0x50;
    /**
     * The most bytes of one provider move sent in parts ({@link #postPart}): a cut's plan, tokenizers and input
     * records, or a step's batch and tokenizers, can outgrow one transaction.
     */
    public static final int MAX_PARTED_MOVE_BYTES = 64 << 20;
    /** Byte offset of the deadline in the encoding (magic, job, shard, steps, fanout, moveBlocks, phase, turn). */
    private static final int DEADLINE_OFFSET = 1 + 8 + 4 + 4 + 2 + 8 + 1 + 1;

    private long jobId;
    private int shard;
    private int steps;
    private int fanout;
    private long moveBlocks;
    private Phase phase;
    private DisputeGame.Party turn;
    private long deadline;
    private int rounds;
    private int moves;
    private byte[] providerShardRoot;
    private byte[] challengerShardRoot;
    private byte[] providerTraceRoot;
    private int nodeLevel;
    private int nodePosition;
    private byte[] nodeHash;
    private List<byte[]> postedNodes = List.of();
    private int leaf = -1;
    private byte[] challengerClaim = new byte[0];
    private Verdict verdict;
    private int batch = -1;
    private byte[] evidence = new byte[0];
    /** A provider move arriving in parts (LEAF and CUT phases): its body tag, its whole length, the bytes so far. */
    private int partTag;
    private int partTotal;
    private byte[] partBytes = new byte[0];
    /** A cut game's declared plan SHA-256 (null for a trace game) and the declared shard count. */
    private byte[] cutPlanSha256;
    private int declaredShards;

    private PreprocessGame() {}

    /**
     * A game opened by a challenge of shard {@code shard} (1-based, as the ledger's units) of a pipeline of
     * {@code steps} steps: the provider committed {@code providerShardRoot}, the challenger claims
     * {@code challengerShardRoot}. The provider moves first, by {@code height + moveBlocks}.
     */
    public static PreprocessGame open(long jobId, int shard, int steps, byte[] providerShardRoot, byte[] challengerShardRoot,
                                      int fanout, long moveBlocks, long height) {
        if (shard < 1) throw new IllegalArgumentException("shard: must be >= 1, got " + shard);
        if (steps < 0 || steps > PipelineSpec.MAX_STEPS) throw new IllegalArgumentException("steps: " + steps + " outside 0.." + PipelineSpec.MAX_STEPS);
        if (fanout < 2 || fanout > DisputeGame.MAX_FANOUT) throw new IllegalArgumentException("fanout: " + fanout + " outside 2.." + DisputeGame.MAX_FANOUT);
        if (moveBlocks < 1) throw new IllegalArgumentException("moveBlocks: must be >= 1, got " + moveBlocks);
        if (!isHash(providerShardRoot) || !isHash(challengerShardRoot)) throw new IllegalArgumentException("shard roots: must be 32-byte hashes");
        if (Arrays.equals(providerShardRoot, challengerShardRoot)) throw new IllegalArgumentException("challengerShardRoot: equals the committed root");
        PreprocessGame g = new PreprocessGame();
        g.jobId = jobId;
        g.shard = shard;
        g.steps = steps;
        g.fanout = fanout;
        g.moveBlocks = moveBlocks;
        g.phase = Phase.TRACE;
        g.turn = DisputeGame.Party.PROVIDER;
        g.deadline = Math.addExact(height, moveBlocks);
        g.providerShardRoot = providerShardRoot.clone();
        g.challengerShardRoot = challengerShardRoot.clone();
        return g;
    }

    /**
     * A game opened by a challenge of shard {@code shard}'s cut: the challenger says the shard does not end where the
     * sharding rule ends it, given where the declared plan ({@code planSha256}, with {@code declaredShards} shards)
     * starts it. There is no descent: the provider answers with {@link CutEvidence} by {@code height + moveBlocks}
     * and the referee decides ({@link #settleCut}).
     */
    public static PreprocessGame openCut(long jobId, int shard, int steps, byte[] providerShardRoot, byte[] planSha256,
                                         int declaredShards, long moveBlocks, long height) {
        if (shard < 1) throw new IllegalArgumentException("shard: must be >= 1, got " + shard);
        if (declaredShards < shard) throw new IllegalArgumentException("declaredShards: " + declaredShards + " < shard " + shard);
        if (steps < 0 || steps > PipelineSpec.MAX_STEPS) throw new IllegalArgumentException("steps: " + steps + " outside 0.." + PipelineSpec.MAX_STEPS);
        if (moveBlocks < 1) throw new IllegalArgumentException("moveBlocks: must be >= 1, got " + moveBlocks);
        if (!isHash(providerShardRoot) || !isHash(planSha256)) throw new IllegalArgumentException("shard root, plan: must be 32-byte hashes");
        PreprocessGame g = new PreprocessGame();
        g.jobId = jobId;
        g.shard = shard;
        g.steps = steps;
        g.fanout = 2; // unused: a cut game has no descent
        g.moveBlocks = moveBlocks;
        g.phase = Phase.CUT;
        g.turn = DisputeGame.Party.PROVIDER;
        g.deadline = Math.addExact(height, moveBlocks);
        g.providerShardRoot = providerShardRoot.clone();
        g.challengerShardRoot = new byte[Hashes.LENGTH];
        g.cutPlanSha256 = planSha256.clone();
        g.declaredShards = declaredShards;
        return g;
    }

    /** True when {@code encoded} is a preprocessing game rather than a training one. */
    public static boolean isEncoding(byte[] encoded) {
        return encoded != null && encoded.length > 0 && (encoded[0] & 0xff) == MAGIC;
    }

    // ---- TRACE ----

    /**
     * Provider: its trace root, with the count of the shard's records after the last step and the path of the last
     * leaf: that leaf must be the records leaf of the last step ({@code lastKind}, as the spec names it) over the shard
     * root the provider committed ({@code BAD_PROOF} otherwise).
     */
    public PreprocessGame postTraceRoot(byte[] traceRoot, String lastKind, int lastCount, MerkleProof lastPath, long height) {
        expect(Phase.TRACE, DisputeGame.Party.PROVIDER, height);
        if (providerTraceRoot != null) throw new GameException("WRONG_PHASE", "the trace root is already posted");
        if (!isHash(traceRoot)) throw new GameException("MALFORMED", "traceRoot must be a 32-byte hash");
        if (lastCount < 0 || lastPath == null || lastKind == null || lastKind.isEmpty()) {
            throw new GameException("MALFORMED", "lastCount must be >= 0 with the last leaf's kind and path");
        }
        int length = traceLength();
        byte[] last = ShardCommitments.recordsLeaf(steps, lastKind, lastCount, providerShardRoot);
        if (!new LeafProof(length - 1, length, lastPath).verify(traceRoot, last)) {
            throw new GameException("BAD_PROOF", "the trace's last leaf is not the records leaf of the committed shard root");
        }
        PreprocessGame next = accepted(height, DisputeGame.Party.PROVIDER);
        next.providerTraceRoot = traceRoot.clone();
        next.nodeLevel = Merkle.height(length);
        next.nodePosition = 0;
        next.nodeHash = traceRoot.clone();
        return next;
    }

    /** Provider: the {@link #childCount()} nodes at {@link #childLevel()} from {@link #childStart()}, hashing back to the disputed node. */
    public PreprocessGame postTraceNodes(List<byte[]> nodes, long height) {
        expect(Phase.TRACE, DisputeGame.Party.PROVIDER, height);
        if (providerTraceRoot == null) throw new GameException("WRONG_PHASE", "the trace root is not posted yet");
        List<byte[]> copy = TraceDescent.checkedRound(nodes, childCount(), nodeHash, nodeLevel, nodePosition, "trace nodes");
        PreprocessGame next = accepted(height, DisputeGame.Party.CHALLENGER);
        next.postedNodes = copy;
        return next;
    }

    /**
     * Challenger: the leftmost posted node it disputes. When that node is a leaf the descent ends and {@code claim}
     * ({@link PreprocessEvidence#planClaim} or {@link PreprocessEvidence#recordsClaim}) is required; otherwise it
     * must be empty.
     */
    public PreprocessGame pickTraceNode(int k, byte[] claim, long height) {
        expect(Phase.TRACE, DisputeGame.Party.CHALLENGER, height);
        TraceDescent.checkPick(k, postedNodes.size());
        int level = childLevel();
        boolean hasClaim = claim != null && claim.length > 0;
        if (level == 0 && !hasClaim) {
            throw new GameException("MISSING_CLAIM", "the pick reaches leaf " + (childStart() + k) + ": the challenger's claim is required");
        }
        if (level > 0 && hasClaim) throw new GameException("UNEXPECTED_CLAIM", "a claim is stated only on the pick that reaches a leaf");
        PreprocessGame next = accepted(height, DisputeGame.Party.PROVIDER);
        next.rounds++;
        next.nodeLevel = level;
        next.nodePosition = childStart() + k;
        next.nodeHash = postedNodes.get(k).clone();
        next.postedNodes = List.of();
        if (level == 0) {
            if (!PreprocessEvidence.claimFits(claim, next.nodePosition <= steps)) {
                throw new GameException("MALFORMED", "the claim is not a " + (next.nodePosition <= steps ? "plan" : "records") + " claim");
            }
            next.phase = Phase.LEAF;
            next.leaf = next.nodePosition;
            next.challengerClaim = claim.clone();
        }
        return next;
    }

    public int levelsPerRound() {
        return TraceDescent.levelsPerRound(fanout);
    }

    public int childLevel() {
        return TraceDescent.childLevel(nodeLevel, fanout);
    }

    public int childStart() {
        return TraceDescent.childStart(nodeLevel, nodePosition, fanout);
    }

    public int childCount() {
        return TraceDescent.childCount(nodeLevel, nodePosition, fanout, traceLength());
    }

    // ---- CUT ----

    /**
     * Provider: its evidence for the disputed cut; {@code inputRoot} and {@code inputCount} are the job's input
     * commitment. {@link CutEvidence#judge} decides at once.
     */
    public PreprocessGame settleCut(PipelineSpec spec, byte[] inputRoot, int inputCount, CutEvidence cut, long height) {
        expect(Phase.CUT, DisputeGame.Party.PROVIDER, height);
        if (spec.steps().size() != steps) throw new IllegalArgumentException("spec: has " + spec.steps().size() + " steps, the game " + steps);
        if (cut == null) throw new GameException("MALFORMED", "the cut evidence is required");
        return settled(height, cut.judge(spec, new PreprocessReferee.InputCommitment(inputRoot, inputCount), cutPlanSha256,
                shard, declaredShards));
    }

    /** True for a game over a shard's cut rather than its trace. */
    public boolean isCut() {
        return cutPlanSha256 != null;
    }

    /** The plan SHA-256 a cut game holds the provider to (null for a trace game). */
    public byte[] cutPlanSha256() {
        return cutPlanSha256 == null ? null : cutPlanSha256.clone();
    }

    /** The shard count the provider declared when the cut was challenged (0 for a trace game). */
    public int declaredShards() {
        return declaredShards;
    }

    // ---- LEAF ----

    /**
     * Provider: its evidence for the disputed leaf; {@code inputRoot} and {@code inputCount} are the job's input
     * commitment. Evidence that does not match the provider's own trace root settles CHALLENGER_WINS; otherwise
     * {@link PreprocessReferee} decides.
     */
    public PreprocessGame settle(PipelineSpec spec, byte[] inputRoot, int inputCount, PreprocessEvidence evidence, long height) {
        expect(Phase.LEAF, DisputeGame.Party.PROVIDER, height);
        if (spec.steps().size() != steps) throw new IllegalArgumentException("spec: has " + spec.steps().size() + " steps, the game " + steps);
        if (section() == PipelineTrace.Section.PLAN && step() >= 1 && isDedup(spec.steps().get(step() - 1))) {
            // A dedup decision may turn on a witness only the skipping party can name: the challenger's move next.
            PreprocessGame next = accepted(height, DisputeGame.Party.CHALLENGER);
            next.phase = Phase.WITNESS;
            next.evidence = evidence.encode();
            return next;
        }
        return judged(spec, inputRoot, inputCount, evidence, null, height);
    }

    /**
     * Challenger, after the provider's evidence for a dedup decision: the input record of an earlier kept record that
     * the disputed one duplicates ({@link PreprocessEvidence#witness}), or an empty array when it has none. Then the
     * referee decides.
     */
    public PreprocessGame postWitness(PipelineSpec spec, byte[] inputRoot, int inputCount, byte[] witness, long height) {
        expect(Phase.WITNESS, DisputeGame.Party.CHALLENGER, height);
        PreprocessReferee.ProvenRecord challengerWitness;
        try {
            challengerWitness = witness == null || witness.length == 0 ? null : PreprocessEvidence.decodeWitness(witness);
        } catch (IllegalArgumentException e) {
            throw new GameException("MALFORMED", "witness: " + e.getMessage());
        }
        return judged(spec, inputRoot, inputCount, PreprocessEvidence.decode(evidence), challengerWitness, height);
    }

    private PreprocessGame judged(PipelineSpec spec, byte[] inputRoot, int inputCount, PreprocessEvidence evidence,
                                  PreprocessReferee.ProvenRecord challengerWitness, long height) {
        PreprocessEvidence.Judgement j = evidence.judge(spec, new PreprocessReferee.InputCommitment(inputRoot, inputCount),
                providerTraceRoot, shard, leaf, challengerClaim, challengerWitness);
        PreprocessGame next = settled(height, j.verdict());
        next.batch = j.batch();
        next.evidence = new byte[0];
        return next;
    }

    private static boolean isDedup(io.verigrid.engine.data.Step step) {
        return step instanceof io.verigrid.engine.data.ExactDedup || step instanceof io.verigrid.engine.data.MinHashDedup;
    }

    /** The provider's evidence while the game waits for the challenger's witness; empty otherwise. */
    public byte[] evidence() {
        return evidence.clone();
    }

    // ---- evidence in parts ----

    /**
     * Provider, in the LEAF or CUT phase: part of a move too large for one transaction — {@code total} bytes of the move
     * body with tag {@code tag}, this part starting at {@code offset}. Offset 0 starts the upload (again, discarding
     * what an earlier one left); every other part must continue it with the same tag and total. The deadline stays:
     * the whole move must arrive by it. Once {@link #partedMove} is complete the ledger plays it as one move.
     */
    public PreprocessGame postPart(DisputeGame.Party mover, int tag, int total, int offset, byte[] part, long height) {
        if (phase != Phase.LEAF && phase != Phase.CUT && phase != Phase.SETTLED) {
            throw new GameException("WRONG_PHASE", "only the provider's evidence (LEAF or CUT phase) may arrive in parts, the game is in " + phase);
        }
        expect(phase, mover, height);
        if (total < 1 || total > MAX_PARTED_MOVE_BYTES) {
            throw new GameException("TOO_LARGE", "a move sent in parts holds 1.." + MAX_PARTED_MOVE_BYTES + " bytes, not " + total);
        }
        if (part == null || part.length == 0) throw new GameException("MALFORMED", "a part must hold bytes");
        int have = offset == 0 ? 0 : partBytes.length;
        if (offset != 0 && (partTag == 0 || tag != partTag || total != partTotal || offset != have)) {
            throw new GameException("BAD_PART", partTag == 0 ? "no upload in progress: the first part has offset 0"
                    : "the upload of tag " + partTag + " (" + partTotal + " bytes) continues at offset " + have);
        }
        if ((long) have + part.length > total) throw new GameException("BAD_PART", "the part runs past the declared " + total + " bytes");
        PreprocessGame next = copy();
        next.partTag = tag;
        next.partTotal = total;
        byte[] joined = Arrays.copyOf(offset == 0 ? new byte[0] : partBytes, have + part.length);
        System.arraycopy(part, 0, joined, have, part.length);
        next.partBytes = joined;
        return next;
    }

    /** The body tag of a move whose parts are all here, else 0. */
    public int partedTag() {
        return partTag != 0 && partBytes.length == partTotal ? partTag : 0;
    }

    /** The assembled body of a move whose parts are all here ({@link #partedTag}), else null. */
    public byte[] partedMove() {
        return partedTag() == 0 ? null : partBytes.clone();
    }

    /** Bytes of the upload in progress so far (0 when none). */
    public int partedBytes() {
        return partBytes.length;
    }

    /** This game with no upload in progress: what the assembled move is played on. */
    public PreprocessGame withoutParts() {
        PreprocessGame next = copy();
        next.partTag = 0;
        next.partTotal = 0;
        next.partBytes = new byte[0];
        return next;
    }

    // ---- deadlines ----

    /** The deadline of an encoded game, read without decoding the rest (which may hold megabytes of parts). */
    public static long deadlineOf(byte[] encoded) {
        if (!isEncoding(encoded) || encoded.length < DEADLINE_OFFSET + 8) throw new IllegalArgumentException("game: not a preprocessing game");
        return new CanonicalReader(Arrays.copyOfRange(encoded, DEADLINE_OFFSET, DEADLINE_OFFSET + 8)).i64();
    }

    /** Anyone, once height &gt; deadline: settles against the party whose turn it is. */
    public PreprocessGame timeout(long height) {
        if (phase == Phase.SETTLED) throw new GameException("SETTLED", "the game is settled");
        if (height <= deadline) throw new GameException("DEADLINE_NOT_PASSED", "height " + height + " is not past the deadline " + deadline);
        PreprocessGame next = copy();
        next.phase = Phase.SETTLED;
        next.verdict = turn == DisputeGame.Party.PROVIDER ? Verdict.CHALLENGER_WINS : Verdict.PROVIDER_WINS;
        return next;
    }

    private void expect(Phase wanted, DisputeGame.Party mover, long height) {
        if (phase == Phase.SETTLED) throw new GameException("SETTLED", "the game is settled");
        if (height > deadline) throw new GameException("DEADLINE_PASSED", "height " + height + " is past the deadline " + deadline);
        if (phase != wanted) throw new GameException("WRONG_PHASE", "the game is in " + phase + ", the move needs " + wanted);
        if (turn != mover) throw new GameException("NOT_YOUR_TURN", "it is the " + turn + "'s turn");
    }

    /** The move that settles the game: accepted (the turn unchanged), one more round, the verdict recorded. */
    private PreprocessGame settled(long height, Verdict decided) {
        PreprocessGame next = accepted(height, turn);
        next.rounds++;
        next.phase = Phase.SETTLED;
        next.verdict = decided;
        return next;
    }

    private PreprocessGame accepted(long height, DisputeGame.Party nextTurn) {
        PreprocessGame next = copy();
        next.deadline = Math.addExact(height, moveBlocks);
        next.moves++;
        next.turn = nextTurn;
        return next;
    }

    private PreprocessGame copy() {
        return decode(encode());
    }

    // ---- accessors ----

    public long jobId() { return jobId; }
    public int shard() { return shard; }
    public int steps() { return steps; }
    public int fanout() { return fanout; }
    public Phase phase() { return phase; }
    public DisputeGame.Party turn() { return turn; }
    public long deadline() { return deadline; }
    public int rounds() { return rounds; }
    public int moves() { return moves; }
    public byte[] providerShardRoot() { return providerShardRoot.clone(); }
    public byte[] challengerShardRoot() { return challengerShardRoot.clone(); }
    public byte[] providerTraceRoot() { return providerTraceRoot == null ? null : providerTraceRoot.clone(); }
    public int nodeLevel() { return nodeLevel; }
    public int nodePosition() { return nodePosition; }
    public List<byte[]> postedNodes() { return TraceDescent.copyHashes(postedNodes, "postedNodes"); }
    /** The disputed trace leaf once the descent reached it, else −1. */
    public int leaf() { return leaf; }
    public byte[] challengerClaim() { return challengerClaim.clone(); }
    public Verdict verdict() { return verdict; }
    /** The record or origin batch the referee re-executed (−1 when the game ended otherwise). */
    public int batch() { return batch; }

    /** Leaves of every shard's trace: plan leaves of steps 0..T, then records leaves of steps 0..T. */
    public int traceLength() {
        return 2 * (steps + 1);
    }

    /** The section of the disputed leaf ({@code null} before the descent ends). */
    public PipelineTrace.Section section() {
        return leaf < 0 ? null : leaf <= steps ? PipelineTrace.Section.PLAN : PipelineTrace.Section.RECORDS;
    }

    /** The pipeline step of the disputed leaf (−1 before the descent ends). */
    public int step() {
        return leaf < 0 ? -1 : leaf <= steps ? leaf : leaf - steps - 1;
    }

    // ---- encoding ----

    /**
     * u8 0x50 ‖ i64 jobId ‖ u32 shard ‖ u32 steps ‖ u16 fanout ‖ i64 moveBlocks ‖ u8 phase ‖ u8 turn ‖ i64 deadline ‖
     * u32 rounds ‖ u32 moves ‖ providerShardRoot ‖ challengerShardRoot ‖ opt providerTraceRoot ‖ u32 nodeLevel ‖
     * u32 nodePosition ‖ opt nodeHash ‖ u16 count ‖ postedNodes ‖ u32 leaf + 1 ‖ bytes challengerClaim ‖ u8 verdict (0 none, 1 PROVIDER_WINS, 2 CHALLENGER_WINS,
     * 3 BOTH_LOSE) ‖ u32 batch + 1 (0: none) ‖ bytes evidence (the provider's, while the phase is WITNESS; while it is
     * LEAF or CUT, a move arriving in parts: u8 tag ‖ u32 total ‖ the bytes so far, or empty) ‖ cut games only:
     * planSha256 ‖ u32 declaredShards.
     */
    public byte[] encode() {
        CanonicalWriter out = new CanonicalWriter().u8(MAGIC).i64(jobId).u32(shard).u32(steps).u16(fanout).i64(moveBlocks)
                .u8(phase.ordinal()).u8(turn.ordinal()).i64(deadline).u32(rounds).u32(moves)
                .raw(providerShardRoot).raw(challengerShardRoot);
        writeOptional(out, providerTraceRoot);
        out.u32(nodeLevel).u32(nodePosition);
        writeOptional(out, nodeHash);
        out.u16(postedNodes.size());
        postedNodes.forEach(out::raw);
        out.u32(leaf + 1).bytes(challengerClaim).u8(verdict == null ? 0 : verdict.ordinal() + 1).u32(batch + 1).bytes(partTag == 0 ? evidence : parts());
        if (cutPlanSha256 != null) out.raw(cutPlanSha256).u32(declaredShards);
        return out.toByteArray();
    }

    private byte[] parts() {
        return new CanonicalWriter().u8(partTag).u32(partTotal).raw(partBytes).toByteArray();
    }

    public static PreprocessGame decode(byte[] bytes) {
        try {
            CanonicalReader in = new CanonicalReader(bytes);
            if (in.u8() != MAGIC) throw new IllegalArgumentException("game: not a preprocessing game");
            PreprocessGame g = new PreprocessGame();
            g.jobId = in.i64();
            g.shard = in.u32();
            g.steps = in.u32();
            g.fanout = in.u16();
            g.moveBlocks = in.i64();
            g.phase = Phase.values()[in.u8()];
            g.turn = DisputeGame.Party.values()[in.u8()];
            g.deadline = in.i64();
            g.rounds = in.u32();
            g.moves = in.u32();
            g.providerShardRoot = in.raw(Hashes.LENGTH);
            g.challengerShardRoot = in.raw(Hashes.LENGTH);
            g.providerTraceRoot = readOptional(in);
            g.nodeLevel = in.u32();
            g.nodePosition = in.u32();
            g.nodeHash = readOptional(in);
            int count = in.u16();
            List<byte[]> nodes = new ArrayList<>(count);
            for (int i = 0; i < count; i++) nodes.add(in.raw(Hashes.LENGTH));
            g.postedNodes = List.copyOf(nodes);
            g.leaf = in.u32() - 1;
            g.challengerClaim = in.bytes();
            int v = in.u8();
            g.verdict = v == 0 ? null : Verdict.values()[v - 1];
            g.batch = in.u32() - 1;
            g.evidence = in.bytes();
            if ((g.phase == Phase.LEAF || g.phase == Phase.CUT) && g.evidence.length > 0) {
                if (g.evidence.length < 6) throw new IllegalArgumentException("game: truncated parts");
                CanonicalReader parts = new CanonicalReader(g.evidence);
                g.partTag = parts.u8();
                g.partTotal = parts.u32();
                g.partBytes = parts.raw(g.evidence.length - 5);
                g.evidence = new byte[0];
                if (g.partTag == 0 || g.partTotal < 1 || g.partBytes.length == 0 || g.partBytes.length > g.partTotal
                        || g.partTotal > MAX_PARTED_MOVE_BYTES) {
                    throw new IllegalArgumentException("game: inconsistent parts");
                }
            }
            if (!in.atEnd()) {
                g.cutPlanSha256 = in.raw(Hashes.LENGTH);
                g.declaredShards = in.u32();
            }
            in.expectEnd();
            if (g.steps > PipelineSpec.MAX_STEPS || g.fanout < 2 || g.fanout > DisputeGame.MAX_FANOUT
                    || (g.phase == Phase.SETTLED) != (g.verdict != null) || g.leaf < -1 || g.leaf >= g.traceLength()
                    || (g.phase == Phase.CUT) != (g.cutPlanSha256 != null && g.verdict == null)
                    || (g.cutPlanSha256 != null && (g.leaf != -1 || g.declaredShards < g.shard))) {
                throw new IllegalArgumentException("game: inconsistent fields");
            }
            return g;
        } catch (ArrayIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("game: unknown enum value", e);
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PreprocessGame g && Arrays.equals(encode(), g.encode());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encode());
    }

    @Override
    public String toString() {
        return "PreprocessGame[job " + jobId + " shard " + shard + (isCut() ? " cut" : "") + " " + phase + " turn " + turn + " leaf " + leaf
                + (verdict == null ? "" : " " + verdict) + "]";
    }

    private static void writeOptional(CanonicalWriter out, byte[] hash) {
        out.u8(hash == null ? 0 : 1);
        if (hash != null) out.raw(hash);
    }

    private static byte[] readOptional(CanonicalReader in) {
        int present = in.u8();
        if (present > 1) throw new IllegalArgumentException("game: bad presence flag " + present);
        return present == 1 ? in.raw(Hashes.LENGTH) : null;
    }

    private static boolean isHash(byte[] bytes) {
        return bytes != null && bytes.length == Hashes.LENGTH;
    }
}
