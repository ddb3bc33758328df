package io.verigrid.verify;

import io.verigrid.engine.Dataset;
import io.verigrid.engine.MatmulTiles;
import io.verigrid.engine.ModelState;
import io.verigrid.engine.OpSet;
import io.verigrid.engine.OpSpec;
import io.verigrid.engine.TrainingJob;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The bisection game of specs/dispute-game.md §3 over one checkpoint unit, as a pure immutable value. The ledger
 * keeps {@link #encode()} in its replicated state and applies each move transaction by calling the matching method
 * with the block height; a move returns the next game or throws {@link GameException} and changes nothing.
 *
 * <p>Phases:
 * <ol>
 * <li>{@code STEPS}: the range (stepLo, stepHi] of steps, with the state root at stepLo agreed and the provider's
 * root at stepHi disputed. The provider posts its roots at {@link Bisection#interiorPoints}; the challenger names
 * the first sub-range whose end it disputes. Ends when stepHi = stepLo + 1.</li>
 * <li>{@code TRACE}: the provider posts its trace root of step stepHi, then the game descends the provider's trace
 * tree from the root: each round the provider posts the nodes up to log2(fanout) levels below the disputed node
 * (checked: they must hash back to it) and the challenger names the leftmost one it disputes. Everything left of
 * the disputed node stays agreed, so on reaching leaf j both agree on every leaf before j, which the referee
 * relies on for operator j's inputs. The challenger must state its own output root of op j with that last pick.
 * If the provider's whole trace agrees with the challenger's, the challenger instead disputes the state assembly
 * ({@link #disputeAssembly}), recorded as operator index = trace length (the spec's "end" leaf).</li>
 * <li>{@code OPERATOR}: the provider settles with evidence ({@link #settleOperator} or {@link #settleAssembly});
 * the {@link Referee} decides.</li>
 * <li>{@code SETTLED}: {@link #verdict()} says who lost; no move is accepted.</li>
 * </ol>
 * Every accepted move sets the deadline to height + moveBlocks. After the deadline {@link #timeout} settles the
 * game against the party whose turn it is. The ledger maps each transaction's signer to the party whose move it
 * names (provider: post*, settle*; challenger: pick*, disputeAssembly) before calling.
 *
 * <p>{@link #rounds()} counts bisection rounds (one per challenger pick) plus one for the settlement, the
 * quantity the spec's §6 bound is about; {@link #moves()} counts every accepted move.
 */
public final class DisputeGame {
    public enum Phase { STEPS, TRACE, OPERATOR, SETTLED }

    public enum Party { PROVIDER, CHALLENGER }

    public static final int MAX_FANOUT = 256;
    private static final int ENCODING_VERSION = 1;

    private long jobId;
    private int unit;
    private int fanout;
    private long moveBlocks;
    private Phase phase;
    private Party turn;
    private long deadline;
    private int rounds;
    private int moves;
    private long stepLo;
    private long stepHi;
    private byte[] rootLo;
    private byte[] providerRootHi;
    private byte[] challengerUnitRoot;
    private List<byte[]> postedRoots = List.of();
    private byte[] providerTraceRoot;
    private int traceLength;
    private int nodeLevel;
    private int nodePosition;
    private byte[] nodeHash;
    private List<byte[]> postedNodes = List.of();
    private int operator = -1;
    private byte[] challengerOutputRoot;
    private byte[] providerOutputRoot;
    private Verdict verdict;

    private DisputeGame() {}

    /**
     * Opens the game on a challenge of unit {@code unit}: the steps (stepLo, stepHi] where both agree on
     * {@code rootLo} at stepLo and the provider committed {@code providerRootHi} at stepHi, which the challenger
     * disputes with {@code challengerRootHi}. The provider moves first.
     */
    public static DisputeGame open(long jobId, int unit, long stepLo, long stepHi, byte[] rootLo,
                                   byte[] providerRootHi, byte[] challengerRootHi, int fanout, long moveBlocks,
                                   long height) {
        if (unit < 0) throw new IllegalArgumentException("unit: must be non-negative, got " + unit);
        if (stepLo < 0 || stepHi <= stepLo) {
            throw new IllegalArgumentException("steps: need 0 <= stepLo < stepHi, got " + stepLo + ", " + stepHi);
        }
        checkHash("rootLo", rootLo);
        checkHash("providerRootHi", providerRootHi);
        checkHash("challengerRootHi", challengerRootHi);
        if (Arrays.equals(providerRootHi, challengerRootHi)) {
            throw new IllegalArgumentException("challengerRootHi: equals the provider's root, nothing is disputed");
        }
        if (fanout < 2 || fanout > MAX_FANOUT) {
            throw new IllegalArgumentException("fanout: must be in 2.." + MAX_FANOUT + ", got " + fanout);
        }
        if (moveBlocks < 1) throw new IllegalArgumentException("moveBlocks: must be positive, got " + moveBlocks);
        if (height < 0) throw new IllegalArgumentException("height: must be non-negative, got " + height);
        DisputeGame game = new DisputeGame();
        game.jobId = jobId;
        game.unit = unit;
        game.fanout = fanout;
        game.moveBlocks = moveBlocks;
        game.phase = stepHi == stepLo + 1 ? Phase.TRACE : Phase.STEPS;
        game.turn = Party.PROVIDER;
        game.deadline = Math.addExact(height, moveBlocks);
        game.stepLo = stepLo;
        game.stepHi = stepHi;
        game.rootLo = rootLo.clone();
        game.providerRootHi = providerRootHi.clone();
        game.challengerUnitRoot = challengerRootHi.clone();
        return game;
    }

    // ---- STEPS ----

    /** Provider: its state roots at {@link #stepPoints()}, in order. */
    public DisputeGame postStepRoots(List<byte[]> roots, long height) {
        expect(Phase.STEPS, Party.PROVIDER, height);
        int expected = stepPoints().length;
        if (roots == null || roots.size() != expected) {
            throw new GameException("WRONG_COUNT", "expected " + expected + " step roots, got "
                    + (roots == null ? "none" : roots.size()));
        }
        DisputeGame next = accepted(height, Party.CHALLENGER);
        next.postedRoots = TraceDescent.copyHashes(roots, "roots");
        return next;
    }

    /**
     * Challenger: names the first sub-range whose end it disputes. With points p_0..p_{m−1} from
     * {@link #stepPoints()}, p_{−1} = stepLo and p_m = stepHi, {@code k} in 0..m selects (p_{k−1}, p_k]; the
     * provider's root at p_{k−1} becomes the agreed root.
     */
    public DisputeGame pickStepRange(int k, long height) {
        expect(Phase.STEPS, Party.CHALLENGER, height);
        long[] points = stepPoints();
        if (k < 0 || k > points.length) throw new GameException("BAD_PICK", "k must be in 0.." + points.length + ", got " + k);
        DisputeGame next = accepted(height, Party.PROVIDER);
        next.rounds++;
        if (k > 0) {
            next.stepLo = points[k - 1];
            next.rootLo = postedRoots.get(k - 1).clone();
        }
        if (k < points.length) {
            next.stepHi = points[k];
            next.providerRootHi = postedRoots.get(k).clone();
        }
        next.postedRoots = List.of();
        if (next.stepHi == next.stepLo + 1) next.phase = Phase.TRACE;
        return next;
    }

    /** The steps the provider must post roots for this round (strictly inside (stepLo, stepHi)). */
    public long[] stepPoints() {
        return Bisection.interiorPoints(stepLo, stepHi, fanout);
    }

    // ---- TRACE ----

    /**
     * Provider: its trace root of step stepHi over {@code traceLength} leaves. {@code programLength} is
     * {@code job.program(stepHi).size()}, which the ledger computes from the job; the lengths must
     * agree so both parties' trees have the same shape.
     */
    public DisputeGame postTraceRoot(byte[] traceRoot, int traceLength, int programLength, long height) {
        return postTraceRoot(traceRoot, traceLength, programLength, MatmulTiles.UNLIMITED, height);
    }

    /**
     * As above for a trace recorded under {@code maxRefereeBytes} (spec §2): a large matmul is several tile leaves,
     * followed by its assembly leaf, so the trace may be longer than the program, by at most
     * {@link MatmulTiles#MAX_TILES} leaves per operator.
     * Unbounded, the lengths must be equal.
     */
    public DisputeGame postTraceRoot(byte[] traceRoot, int traceLength, int programLength, long maxRefereeBytes,
                                     long height) {
        expect(Phase.TRACE, Party.PROVIDER, height);
        if (providerTraceRoot != null) throw new GameException("WRONG_PHASE", "the trace root is already posted");
        if (!isHash(traceRoot)) throw new GameException("MALFORMED", "traceRoot must be a 32-byte hash");
        // A tiled operator takes at most MAX_TILES tiles and its assembly leaf.
        long longest = maxRefereeBytes == MatmulTiles.UNLIMITED ? programLength
                : Math.min(Integer.MAX_VALUE, (long) programLength * (MatmulTiles.MAX_TILES + 1));
        if (traceLength < 1 || traceLength < programLength || traceLength > longest) {
            throw new GameException("WRONG_COUNT", "trace length " + traceLength + " but the step's program has "
                    + programLength + " operators" + (longest > programLength ? " (at most " + longest + " leaves tiled)" : ""));
        }
        DisputeGame next = accepted(height, Party.PROVIDER);
        next.providerTraceRoot = traceRoot.clone();
        next.traceLength = traceLength;
        next.nodeLevel = Merkle.height(traceLength);
        next.nodePosition = 0;
        next.nodeHash = traceRoot.clone();
        if (next.nodeLevel == 0) {
            // A one-leaf trace is its own only node: nothing to descend, the challenger picks it directly.
            next.postedNodes = List.of(traceRoot.clone());
            next.turn = Party.CHALLENGER;
        }
        return next;
    }

    /**
     * Provider: the nodes of its trace tree at level {@link #childLevel()} under the disputed node, positions
     * {@link #childStart()} onwards, {@link #childCount()} of them. They must hash back to the disputed node.
     */
    public DisputeGame postTraceNodes(List<byte[]> nodes, long height) {
        expect(Phase.TRACE, Party.PROVIDER, height);
        if (providerTraceRoot == null) throw new GameException("WRONG_PHASE", "the trace root is not posted yet");
        List<byte[]> copy = TraceDescent.checkedRound(nodes, childCount(), nodeHash, nodeLevel, nodePosition, "trace nodes");
        DisputeGame next = accepted(height, Party.CHALLENGER);
        next.postedNodes = copy;
        return next;
    }

    /**
     * Challenger: names the leftmost posted node it disputes ({@code k} indexes {@link #postedNodes()}). When that
     * node is a leaf — op j = {@link #childStart()} + k — the bisection ends and {@code challengerOutputRoot} (its
     * own {@link Commitments#outputRoot} of op j) is required; on every other pick it must be null.
     */
    public DisputeGame pickTraceNode(int k, byte[] challengerOutputRoot, long height) {
        expect(Phase.TRACE, Party.CHALLENGER, height);
        TraceDescent.checkPick(k, postedNodes.size());
        int level = childLevel();
        if (level == 0 && !isHash(challengerOutputRoot)) {
            throw new GameException("MISSING_CLAIM", "the pick reaches operator " + (childStart() + k)
                    + ": the challenger's 32-byte output root is required");
        }
        if (level > 0 && challengerOutputRoot != null) {
            throw new GameException("UNEXPECTED_CLAIM", "an output root is stated only on the pick that reaches a leaf");
        }
        DisputeGame next = accepted(height, Party.PROVIDER);
        next.rounds++;
        next.nodeLevel = level;
        next.nodePosition = childStart() + k;
        next.nodeHash = postedNodes.get(k).clone();
        next.postedNodes = List.of();
        if (level == 0) {
            next.phase = Phase.OPERATOR;
            next.operator = next.nodePosition;
            next.challengerOutputRoot = challengerOutputRoot.clone();
        }
        return next;
    }

    /**
     * Challenger, instead of the first trace pick: every operator of the step agrees, yet the state root after it
     * does not. The provider must then show the full state before the step ({@link #settleAssembly}).
     */
    public DisputeGame disputeAssembly(long height) {
        expect(Phase.TRACE, Party.CHALLENGER, height);
        if (nodeLevel != Merkle.height(traceLength)) {
            throw new GameException("WRONG_PHASE", "the trace descent has begun; the assembly can be disputed only at the root");
        }
        DisputeGame next = accepted(height, Party.PROVIDER);
        next.rounds++;
        next.phase = Phase.OPERATOR;
        next.operator = traceLength;
        next.postedNodes = List.of();
        return next;
    }

    /** How many levels one trace round descends: ⌊log2 fanout⌋, so at most fanout nodes are posted. */
    public int levelsPerRound() {
        return TraceDescent.levelsPerRound(fanout);
    }

    /** The level of the nodes the provider posts this trace round. */
    public int childLevel() {
        return TraceDescent.childLevel(nodeLevel, fanout);
    }

    /** The position (within {@link #childLevel()}) of the first node the provider posts this trace round. */
    public int childStart() {
        return TraceDescent.childStart(nodeLevel, nodePosition, fanout);
    }

    /** How many nodes the provider posts this trace round. */
    public int childCount() {
        return TraceDescent.childCount(nodeLevel, nodePosition, fanout, traceLength);
    }

    // ---- OPERATOR ----

    /**
     * Provider: settles operator j with its inputs' evidence and its output root of op j, which must be the leaf
     * the descent reached. A wrong leaf, a trace of the wrong length or bad evidence settles CHALLENGER_WINS;
     * otherwise the {@link Referee} re-executes op j.
     */
    public DisputeGame settleOperator(TrainingJob job, List<InputEvidence> inputs, byte[] providerOutputRoot, long height) {
        return settleOperator(job, job == null ? null : Commitments.datasetRoot(Referee.seeded(job)), inputs, providerOutputRoot, height);
    }

    /**
     * As above for a job whose dataset is not generated from its seed (a dataset blob): DATA inputs are proven
     * against {@code datasetRoot}, the root the job committed to.
     */
    public DisputeGame settleOperator(TrainingJob job, byte[] datasetRoot, List<InputEvidence> inputs, byte[] providerOutputRoot,
                                      long height) {
        return settleOperator(job, datasetRoot, inputs, providerOutputRoot, MatmulTiles.UNLIMITED, height);
    }

    /** As below, for a leaf of a trace as long as its program, or at trace position 0: no preceding leaf is needed. */
    public DisputeGame settleOperator(TrainingJob job, byte[] datasetRoot, List<InputEvidence> inputs, byte[] providerOutputRoot,
                                      long maxRefereeBytes, long height) {
        return settleOperator(job, datasetRoot, inputs, null, providerOutputRoot, maxRefereeBytes, height);
    }

    /**
     * As above for a trace recorded under {@code maxRefereeBytes} (spec §2): a matmul whose proven inputs exceed the
     * bound must have been recorded as tiles, so its leaf recorded whole settles CHALLENGER_WINS (its assembly leaf is
     * settled by {@link #settleTiledOutput}). When tiles make the trace longer than the program, {@code previous} opens
     * the agreed leaf before this one, which must be the whole leaf of the operator before (spec: the leaf sits where
     * the layout puts it, {@link TraceLayout}); missing or wrong, CHALLENGER_WINS.
     */
    public DisputeGame settleOperator(TrainingJob job, byte[] datasetRoot, List<InputEvidence> inputs, PrecedingLeaf previous,
                                      byte[] providerOutputRoot, long maxRefereeBytes, long height) {
        expectOperatorSettlement(job, height);
        List<OpSpec> program = job.program(stepHi);
        int p = wholeOperatorOfLeaf(program, providerOutputRoot);
        Verdict decided = p < 0 || shouldBeTiled(program.get(p), inputs, maxRefereeBytes)
                || !TraceLayout.wholePlaced(program, p, operator, previous, providerTraceRoot, traceLength) ? Verdict.CHALLENGER_WINS
                : Referee.decide(job, stepHi, p, operator, traceLength, inputs, rootLo, providerTraceRoot,
                        datasetRoot, providerOutputRoot, challengerOutputRoot);
        return settledOperator(height, decided, providerOutputRoot);
    }

    /**
     * Provider: settles a leaf that is one tile of a large matmul (spec §2) with the tile's proven input chunks and
     * carried accumulator; the {@link TileReferee} re-executes that tile alone. {@code maxRefereeBytes} is the bound
     * the job's traces are tiled under. A leaf that is not this tile settles CHALLENGER_WINS.
     */
    public DisputeGame settleTile(TrainingJob job, byte[] datasetRoot, long maxRefereeBytes, TileEvidence evidence,
                                  byte[] providerOutputRoot, long height) {
        expectOperatorSettlement(job, height);
        Verdict decided = TileReferee.decide(job.program(stepHi), operator, nodeHash, evidence, rootLo, providerTraceRoot,
                traceLength, datasetRoot, maxRefereeBytes, isHash(providerOutputRoot) ? providerOutputRoot : null,
                challengerOutputRoot);
        return settledOperator(height, decided, providerOutputRoot);
    }

    /**
     * Provider: settles a leaf that is the assembly leaf of a tiled matmul (spec §2) — the operator recorded whole after
     * its tiles — with the assembled output and its final K-block tiles' proofs; the {@link TiledOutputReferee} checks
     * the output against those agreed tiles. A leaf that is not such an assembly leaf settles CHALLENGER_WINS.
     */
    public DisputeGame settleTiledOutput(TrainingJob job, byte[] datasetRoot, long maxRefereeBytes, TiledOutputEvidence evidence,
                                         byte[] providerOutputRoot, long height) {
        expectOperatorSettlement(job, height);
        Verdict decided = TiledOutputReferee.decide(job.program(stepHi), operator, nodeHash, evidence, rootLo,
                providerTraceRoot, traceLength, datasetRoot, maxRefereeBytes, isHash(providerOutputRoot) ? providerOutputRoot : null,
                challengerOutputRoot);
        return settledOperator(height, decided, providerOutputRoot);
    }

    /** The provider's turn to settle a disputed operator leaf (not the assembly of the state). */
    private void expectOperatorSettlement(TrainingJob job, long height) {
        expect(Phase.OPERATOR, Party.PROVIDER, height);
        if (operator == traceLength) throw new GameException("WRONG_PHASE", "the assembly is disputed: settleAssembly");
        if (job == null) throw new IllegalArgumentException("job: null");
    }

    /** The game settled by the referee's {@code decided}, recording the provider's output root when it gave one. */
    private DisputeGame settledOperator(long height, Verdict decided, byte[] providerOutputRoot) {
        DisputeGame next = settled(height, decided);
        if (isHash(providerOutputRoot)) next.providerOutputRoot = providerOutputRoot.clone();
        return next;
    }

    /** Whether {@code spec} is a matmul whose evidenced inputs exceed the bound: its trace entries are then tiles. */
    private static boolean shouldBeTiled(OpSpec spec, List<InputEvidence> inputs, long maxRefereeBytes) {
        if (!spec.kind().equals("matmul") || inputs == null || inputs.size() != 2) return false;
        int[] a = inputs.get(0) == null ? null : inputs.get(0).tensor().shape();
        int[] b = inputs.get(1) == null ? null : inputs.get(1).tensor().shape();
        if (a == null || b == null || a.length != 2 || b.length != 2) return false; // the referee refuses these itself
        long[] attrs = spec.attrs();
        int m = attrs[0] == 1 ? a[1] : a[0];
        int k = attrs[0] == 1 ? a[0] : a[1];
        int n = attrs[1] == 1 ? b[0] : b[1];
        return m > 0 && k > 0 && n > 0 && MatmulTiles.needsTiling(m, k, n, maxRefereeBytes);
    }

    /**
     * The program operator whose whole-operator leaf, with {@code outputRoot}, is the disputed leaf; −1 when none is
     * (a tile leaf, or a root that is not the provider's). The leaf at trace position j names its operator, which
     * is j itself unless tiles precede it, so only operators j − (traceLength − program size) .. j can match.
     */
    private int wholeOperatorOfLeaf(List<OpSpec> program, byte[] outputRoot) {
        if (!isHash(outputRoot) || traceLength < program.size()) return -1;
        int last = Math.min(operator, program.size() - 1);
        for (int p = Math.max(0, operator - (traceLength - program.size())); p <= last; p++) {
            if (Arrays.equals(nodeHash, Commitments.traceLeaf(p, program.get(p).kind(), OpSet.VERSION, outputRoot))) return p;
        }
        return -1;
    }

    /**
     * The kind of the operator the settled game reached: the whole operator the provider's leaf names, or
     * {@link MatmulTiles#TILE_KIND} for a tile of a large matmul; null before settlement by the referee.
     */
    public String reachedKind(List<OpSpec> program) {
        if (operator < 0 || operator >= traceLength || providerOutputRoot == null) {
            return operator >= 0 && operator < program.size() && traceLength == program.size()
                    ? program.get(operator).kind() : null;
        }
        int p = wholeOperatorOfLeaf(program, providerOutputRoot);
        return p >= 0 ? program.get(p).kind() : MatmulTiles.TILE_KIND;
    }

    /** Provider, after {@link #disputeAssembly}: the full state at stepLo, which must hash to the agreed root. */
    public DisputeGame settleAssembly(TrainingJob job, ModelState stateLo, long height) {
        Dataset seeded = job == null ? null : Referee.seeded(job);
        return settleAssembly(job, seeded, seeded == null ? null : Commitments.datasetRoot(seeded), stateLo, height);
    }

    /** As above for a job that trains on {@code dataset}, which must hash to the job's {@code datasetRoot}. */
    public DisputeGame settleAssembly(TrainingJob job, Dataset dataset, byte[] datasetRoot, ModelState stateLo, long height) {
        expect(Phase.OPERATOR, Party.PROVIDER, height);
        if (operator != traceLength) throw new GameException("WRONG_PHASE", "an operator is disputed: settleOperator");
        if (job == null) throw new IllegalArgumentException("job: null");
        return settled(height, Referee.decideAssembly(job, dataset, datasetRoot, stepHi, stateLo, rootLo, providerRootHi));
    }

    // ---- deadlines ----

    /** Anyone, once height &gt; deadline: settles against the party whose turn it is. */
    public DisputeGame timeout(long height) {
        if (phase == Phase.SETTLED) throw new GameException("SETTLED", "the game is settled");
        if (height <= deadline) {
            throw new GameException("DEADLINE_NOT_PASSED", "height " + height + " is not past the deadline " + deadline);
        }
        DisputeGame next = copy();
        next.phase = Phase.SETTLED;
        next.verdict = turn == Party.PROVIDER ? Verdict.CHALLENGER_WINS : Verdict.PROVIDER_WINS;
        return next;
    }

    private void expect(Phase wanted, Party mover, long height) {
        if (phase == Phase.SETTLED) throw new GameException("SETTLED", "the game is settled");
        if (height > deadline) throw new GameException("DEADLINE_PASSED", "height " + height + " is past the deadline " + deadline);
        if (phase != wanted) throw new GameException("WRONG_PHASE", "the game is in " + phase + ", the move needs " + wanted);
        if (turn != mover) throw new GameException("NOT_YOUR_TURN", "it is the " + turn + "'s turn");
    }

    private DisputeGame accepted(long height, Party nextTurn) {
        DisputeGame next = copy();
        next.deadline = Math.addExact(height, moveBlocks);
        next.moves++;
        next.turn = nextTurn;
        return next;
    }

    private DisputeGame settled(long height, Verdict decided) {
        DisputeGame next = accepted(height, turn);
        next.rounds++;
        next.phase = Phase.SETTLED;
        next.verdict = decided;
        return next;
    }

    private DisputeGame copy() {
        return decode(encode());
    }

    // ---- accessors ----

    public long jobId() { return jobId; }
    public int unit() { return unit; }
    public int fanout() { return fanout; }
    public long moveBlocks() { return moveBlocks; }
    public Phase phase() { return phase; }
    public Party turn() { return turn; }
    public long deadline() { return deadline; }
    public int rounds() { return rounds; }
    public int moves() { return moves; }
    public long stepLo() { return stepLo; }
    public long stepHi() { return stepHi; }
    public byte[] rootLo() { return rootLo.clone(); }
    public byte[] providerRootHi() { return providerRootHi.clone(); }
    /** The root the challenger claimed for the end of the unit when it opened the game. */
    public byte[] challengerUnitRoot() { return challengerUnitRoot.clone(); }
    /** The provider's roots at {@link #stepPoints()} this round; empty until posted. */
    public List<byte[]> postedRoots() { return TraceDescent.copyHashes(postedRoots, "postedRoots"); }
    /** Null until the provider posts it. */
    public byte[] providerTraceRoot() { return providerTraceRoot == null ? null : providerTraceRoot.clone(); }
    /** 0 until the provider posts its trace root. */
    public int traceLength() { return traceLength; }
    public int nodeLevel() { return nodeLevel; }
    public int nodePosition() { return nodePosition; }
    /** The provider's hash of the disputed trace node; null before the trace root is posted. */
    public byte[] nodeHash() { return nodeHash == null ? null : nodeHash.clone(); }
    public List<byte[]> postedNodes() { return TraceDescent.copyHashes(postedNodes, "postedNodes"); }
    /** The disputed operator index j; equal to {@link #traceLength()} for an assembly dispute; −1 before. */
    public int operator() { return operator; }
    public boolean assemblyDisputed() { return operator >= 0 && operator == traceLength; }
    public byte[] challengerOutputRoot() { return challengerOutputRoot == null ? null : challengerOutputRoot.clone(); }
    public byte[] providerOutputRoot() { return providerOutputRoot == null ? null : providerOutputRoot.clone(); }
    /** Null until settled. */
    public Verdict verdict() { return verdict; }

    // ---- encoding ----

    /**
     * Canonical bytes (docs/protocol.md, "Dispute moves"): u8 version, then every field in declaration order;
     * optional hashes as u8 presence + 32 bytes, hash lists as u16 count + 32 bytes each.
     */
    public byte[] encode() {
        CanonicalWriter out = new CanonicalWriter().u8(ENCODING_VERSION)
                .i64(jobId).u32(unit).u16(fanout).i64(moveBlocks)
                .u8(phase.ordinal()).u8(turn.ordinal()).i64(deadline).u32(rounds).u32(moves)
                .i64(stepLo).i64(stepHi).raw(rootLo).raw(providerRootHi).raw(challengerUnitRoot);
        writeHashes(out, postedRoots);
        writeOptional(out, providerTraceRoot);
        out.u32(traceLength).u32(nodeLevel).u32(nodePosition);
        writeOptional(out, nodeHash);
        writeHashes(out, postedNodes);
        out.i64(operator);
        writeOptional(out, challengerOutputRoot);
        writeOptional(out, providerOutputRoot);
        out.u8(verdict == null ? 0 : verdict.ordinal() + 1);
        return out.toByteArray();
    }

    /** Inverse of {@link #encode()}; IllegalArgumentException on any malformed or inconsistent input. */
    public static DisputeGame decode(byte[] bytes) {
        CanonicalReader in = new CanonicalReader(bytes);
        int version = in.u8();
        if (version != ENCODING_VERSION) throw new IllegalArgumentException("game: unknown encoding version " + version);
        DisputeGame game = new DisputeGame();
        game.jobId = in.i64();
        game.unit = in.u32();
        game.fanout = in.u16();
        game.moveBlocks = in.i64();
        game.phase = enumAt(Phase.values(), in.u8(), "phase");
        game.turn = enumAt(Party.values(), in.u8(), "turn");
        game.deadline = in.i64();
        game.rounds = in.u32();
        game.moves = in.u32();
        game.stepLo = in.i64();
        game.stepHi = in.i64();
        game.rootLo = in.raw(Hashes.LENGTH);
        game.providerRootHi = in.raw(Hashes.LENGTH);
        game.challengerUnitRoot = in.raw(Hashes.LENGTH);
        game.postedRoots = readHashes(in);
        game.providerTraceRoot = readOptional(in);
        game.traceLength = in.u32();
        game.nodeLevel = in.u32();
        game.nodePosition = in.u32();
        game.nodeHash = readOptional(in);
        game.postedNodes = readHashes(in);
        long operator = in.i64();
        game.challengerOutputRoot = readOptional(in);
        game.providerOutputRoot = readOptional(in);
        int verdict = in.u8();
        in.expectEnd();
        if (verdict > Verdict.values().length) throw new IllegalArgumentException("game: unknown verdict " + verdict);
        game.verdict = verdict == 0 ? null : Verdict.values()[verdict - 1];
        if (operator < -1 || operator > game.traceLength) throw new IllegalArgumentException("game: operator out of range");
        game.operator = (int) operator;
        game.checkConsistent();
        return game;
    }

    private void checkConsistent() {
        if (fanout < 2 || fanout > MAX_FANOUT) throw new IllegalArgumentException("game: fanout " + fanout);
        if (moveBlocks < 1) throw new IllegalArgumentException("game: moveBlocks " + moveBlocks);
        if (stepLo < 0 || stepHi <= stepLo) throw new IllegalArgumentException("game: steps " + stepLo + ", " + stepHi);
        if ((phase == Phase.SETTLED) != (verdict != null)) throw new IllegalArgumentException("game: verdict and phase disagree");
        if (postedRoots.size() > fanout || postedNodes.size() > fanout) {
            throw new IllegalArgumentException("game: more posted hashes than the fanout allows");
        }
        if ((providerTraceRoot == null) != (traceLength == 0) || (providerTraceRoot == null) != (nodeHash == null)) {
            throw new IllegalArgumentException("game: trace root, length and node disagree");
        }
        if (traceLength > 0 && (nodeLevel > Merkle.height(traceLength)
                || nodePosition >= Merkle.width(traceLength, nodeLevel))) {
            throw new IllegalArgumentException("game: trace node outside the tree");
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof DisputeGame that && Arrays.equals(encode(), that.encode());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encode());
    }

    @Override
    public String toString() {
        return "DisputeGame(job " + jobId + ", unit " + unit + ", " + phase + ", turn " + turn + ", steps (" + stepLo
                + ", " + stepHi + "], trace node " + nodeLevel + "/" + nodePosition + ", op " + operator
                + ", rounds " + rounds + ", verdict " + verdict + ")";
    }

    private static <E> E enumAt(E[] values, int ordinal, String what) {
        if (ordinal >= values.length) throw new IllegalArgumentException("game: unknown " + what + " " + ordinal);
        return values[ordinal];
    }

    private static void writeHashes(CanonicalWriter out, List<byte[]> hashes) {
        out.u16(hashes.size());
        for (byte[] hash : hashes) out.raw(hash);
    }

    private static List<byte[]> readHashes(CanonicalReader in) {
        int count = in.u16();
        if (count > MAX_FANOUT) throw new IllegalArgumentException("game: " + count + " hashes > " + MAX_FANOUT);
        List<byte[]> hashes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) hashes.add(in.raw(Hashes.LENGTH));
        return List.copyOf(hashes);
    }

    private static void writeOptional(CanonicalWriter out, byte[] hash) {
        if (hash == null) {
            out.u8(0);
        } else {
            out.u8(1).raw(hash);
        }
    }

    private static byte[] readOptional(CanonicalReader in) {
        int present = in.u8();
        if (present > 1) throw new IllegalArgumentException("game: presence flag " + present);
        return present == 1 ? in.raw(Hashes.LENGTH) : null;
    }

    private static boolean isHash(byte[] bytes) {
        return bytes != null && bytes.length == Hashes.LENGTH;
    }

    private static void checkHash(String name, byte[] hash) {
        if (!isHash(hash)) throw new IllegalArgumentException(name + ": must be a 32-byte hash");
    }
}
