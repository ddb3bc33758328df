package io.verigrid.verify;

import io.verigrid.engine.OpSet;
import io.verigrid.engine.OpSpec;
import io.verigrid.engine.Tensor;
import io.verigrid.engine.generate.Sampler;
import io.verigrid.verify.InferenceCommitments.ResponseLeaf;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The dispute game over one served inference request (dispute-game spec §3 with "steps = positions"), as a pure
 * immutable value the ledger stores and moves with one transaction per move and the block height.
 *
 * <p>The challenger (a verifier whose re-execution gave another response root) opens it; then:
 * <ol>
 * <li>{@code RESPONSE} — provider: opens its committed response root into its leaves (choice, position, token,
 * logits root). Leaves that break the request's rules (a choice longer than {@code maxTokens}, or going on past
 * an end-of-sequence token), or whose count is not the completion tokens it billed, lose at once.</li>
 * <li>{@code PICK} — challenger: names the first leaf it disputes, and whether it disputes the logits or only the
 * token drawn from agreed logits ({@code sampling}).</li>
 * <li>{@code LOGITS} (sampling) — provider: posts the logits; the referee re-draws the token.</li>
 * <li>{@code TRANSCRIPT} (logits) — provider: the root over the positions 0..T−1 that were fed to produce the
 * disputed logits (T = prompt + position), each leaf binding the fed token and that position's trace root, with
 * proof that the last position's last operator output the disputed logits.</li>
 * <li>{@code POSITIONS} — descent of the transcript tree to the first disputed position t (each round the provider
 * posts the nodes ⌊log2 fanout⌋ levels down, the challenger names the leftmost it disputes).</li>
 * <li>{@code OPEN_POSITION} — provider: opens leaf t (fed token, trace root) and leaf t−1 (for the cache). A fed
 * token that is not the prompt's or the agreed generated one loses at once.</li>
 * <li>{@code TRACE} — descent of position t's trace tree ({@link InferenceLayout}) to one leaf j; the challenger states
 * its output root.</li>
 * <li>{@code OPERATOR} — provider: the evidence leaf j's kind calls for (a whole operator's inputs, the embedding's row
 * chunks, a tile's blocks, an assembly's output); {@link InferenceReferee} or {@link TileReferee} recomputes it.</li>
 * </ol>
 * An embedding request (opened with {@code embedding}) replaces the first three phases: in {@code RESPONSE} the provider
 * opens its pooled root and posts the transcript root over the T prompt positions ({@link InferenceMove.OpenEmbedding});
 * in {@code POOL_PICK} the challenger disputes either the transcript, which is then descended from {@code POSITIONS}
 * on exactly as above, or the pooling alone; in {@code POOLING} the provider posts the T final hidden states, each
 * proven at its final-norm leaf of its position's trace, and {@link InferencePooling} re-pools them.
 * Each accepted move sets the deadline to height + moveBlocks; {@link #timeout} settles against the party whose
 * turn it is. A rejected move throws {@link GameException} and changes nothing.
 */
public final class InferenceGame {
    /** Appended phases keep the ordinals (and so the encodings) of completion games. */
    public enum Phase { RESPONSE, PICK, LOGITS, TRANSCRIPT, POSITIONS, OPEN_POSITION, TRACE, OPERATOR, SETTLED, POOL_PICK, POOLING }

    public enum Party { PROVIDER, CHALLENGER }

    private static final int ENCODING_VERSION = 1;
    /** Embedding games: version 1's fields and then u8 pooled. */
    private static final int EMBEDDING_ENCODING_VERSION = 2;
    /** Bound on opened leaves (all choices), so a hostile count cannot allocate. */
    public static final int MAX_LEAVES = 1 << 16;

    private byte[] providerRoot;
    private byte[] challengerRoot;
    private int billedPrompt;
    private int billedCompletion;
    private int traceLength;
    private int fanout;
    private long moveBlocks;
    private Phase phase;
    private Party turn;
    private long deadline;
    private int rounds;
    private int moves;
    private List<ResponseLeaf> leaves = List.of();
    private int pickedChoice = -1;
    private int pickedPosition = -1;
    private byte[] transcriptRoot;
    private int transcriptLength;
    private int treeLeaves;
    private int nodeLevel;
    private int nodePosition;
    private byte[] nodeHash;
    private List<byte[]> postedNodes = List.of();
    private int position = -1;
    private int positionToken = -1;
    private byte[] positionTraceRoot;
    private byte[] previousTraceRoot;
    private int operator = -1;
    private byte[] challengerOutputRoot;
    private byte[] providerOutputRoot;
    private Verdict verdict;
    private boolean embedding;
    private boolean pooled;

    private InferenceGame() {}

    /**
     * Opens the game: the provider settled {@code providerRoot} and billed {@code billedPrompt} + {@code
     * billedCompletion} tokens; the challenger's re-execution gave {@code challengerRoot} — the same root is allowed,
     * to dispute the bill alone. Every position's trace has {@code traceLength} leaves ({@link InferenceLayout}: the
     * program's operators, large matmuls as tiles and an assembly). Provider moves first.
     */
    public static InferenceGame open(byte[] providerRoot, byte[] challengerRoot, int billedPrompt, int billedCompletion,
                                     int traceLength, int fanout, long moveBlocks, long height) {
        return open(providerRoot, challengerRoot, billedPrompt, billedCompletion, traceLength, fanout, moveBlocks, height, false);
    }

    /** As above, over an embedding request when {@code embedding} ({@link InferenceRequest#isEmbedding()}). */
    public static InferenceGame open(byte[] providerRoot, byte[] challengerRoot, int billedPrompt, int billedCompletion,
                                     int traceLength, int fanout, long moveBlocks, long height, boolean embedding) {
        checkHash("providerRoot", providerRoot);
        checkHash("challengerRoot", challengerRoot);
        if (billedPrompt < 0 || billedCompletion < 0) throw new IllegalArgumentException("billed tokens must not be negative");
        if (traceLength < 1) throw new IllegalArgumentException("traceLength: must be positive, got " + traceLength);
        if (fanout < 2 || fanout > DisputeGame.MAX_FANOUT) throw new IllegalArgumentException("fanout: must be in 2..256, got " + fanout);
        if (moveBlocks < 1) throw new IllegalArgumentException("moveBlocks: must be positive, got " + moveBlocks);
        InferenceGame g = new InferenceGame();
        g.providerRoot = providerRoot.clone();
        g.challengerRoot = challengerRoot.clone();
        g.billedPrompt = billedPrompt;
        g.billedCompletion = billedCompletion;
        g.traceLength = traceLength;
        g.fanout = fanout;
        g.moveBlocks = moveBlocks;
        g.phase = Phase.RESPONSE;
        g.turn = Party.PROVIDER;
        g.deadline = Math.addExact(height, moveBlocks);
        g.embedding = embedding;
        return g;
    }

    /**
     * What the ledger knows about the disputed request: the request itself, the program of each position of the
     * registered model, its cache row width, its weights root and the layout of its position traces under the
     * genesis max_referee_bytes.
     */
    public record Context(InferenceRequest request, IntFunction<List<OpSpec>> programs, int kvWidth, byte[] weightsRoot,
                          InferenceLayout layout) {
        /** A model with nothing tiled: every trace leaf is the operator at its program index. */
        public Context(InferenceRequest request, IntFunction<List<OpSpec>> programs, int kvWidth, byte[] weightsRoot) {
            this(request, programs, kvWidth, weightsRoot,
                    InferenceLayout.of(programs.apply(0), null, io.verigrid.engine.MatmulTiles.UNLIMITED));
        }
    }

    /**
     * Applies {@code move} made by {@code mover}: the ledger's single entry point. A move of the other party is
     * {@code NOT_YOUR_TURN}; anything else as the individual moves.
     */
    public InferenceGame play(Party mover, InferenceMove move, Context ctx, long height) {
        if (move.party() != mover) throw new GameException("NOT_YOUR_TURN", "a " + move.getClass().getSimpleName()
                + " is the " + move.party() + "'s move");
        boolean completionMove = move instanceof InferenceMove.OpenResponse || move instanceof InferenceMove.PickLeaf
                || move instanceof InferenceMove.PostLogits || move instanceof InferenceMove.PostTranscript;
        boolean embeddingMove = move instanceof InferenceMove.OpenEmbedding || move instanceof InferenceMove.PickPooling
                || move instanceof InferenceMove.SettlePooling;
        if (embedding ? completionMove : embeddingMove) {
            throw new GameException("WRONG_KIND", "a " + move.getClass().getSimpleName() + " does not apply to "
                    + (embedding ? "an embedding" : "a completion") + " request");
        }
        if (move instanceof InferenceMove.OpenEmbedding m) return openEmbedding(ctx.request(), m.pooledRoot(), m.transcriptRoot(), height);
        if (move instanceof InferenceMove.PickPooling m) return pickPooling(m.pooling(), height);
        if (move instanceof InferenceMove.SettlePooling m) return settlePooling(ctx, m.states(), m.rows(), height);
        int promptLength = ctx.request().prompt().length;
        if (move instanceof InferenceMove.OpenResponse m) return openResponse(ctx.request(), m.leaves(), height);
        if (move instanceof InferenceMove.PickLeaf m) return pickLeaf(m.choice(), m.position(), m.sampling(), promptLength, height);
        if (move instanceof InferenceMove.PostLogits m) return postLogits(ctx.request(), m.logits(), height);
        if (move instanceof InferenceMove.PostTranscript m) {
            int last = ctx.layout().programLength() - 1;
            String lastKind = phase == Phase.TRANSCRIPT ? ctx.programs().apply(transcriptLength - 1).get(last).kind() : "";
            return postTranscript(m.root(), m.lastToken(), m.lastTraceRoot(), m.lastLeaf(), m.logitsLeaf(), last, lastKind,
                    height);
        }
        if (move instanceof InferenceMove.PostNodes m) return postNodes(m.nodes(), height);
        if (move instanceof InferenceMove.PickNode m) return pickNode(m.k(), m.claim(), height);
        if (move instanceof InferenceMove.OpenPosition m) {
            return openPosition(ctx.request(), m.token(), m.traceRoot(), m.previousToken(), m.previousTraceRoot(),
                    m.previousLeaf(), height);
        }
        return settle(ctx, move, height);
    }

    // ---- RESPONSE / PICK / LOGITS ----

    /** Provider: every leaf of its response root in (choice, position) order. */
    public InferenceGame openResponse(InferenceRequest request, List<ResponseLeaf> opened, long height) {
        expect(Phase.RESPONSE, Party.PROVIDER, height);
        if (opened == null || opened.isEmpty() || opened.size() > MAX_LEAVES) {
            throw new GameException("WRONG_COUNT", "the response must open 1.." + MAX_LEAVES + " leaves");
        }
        if (!Arrays.equals(InferenceCommitments.responseRoot(opened), providerRoot)) {
            throw new GameException("BAD_PROOF", "the leaves do not hash to the settled response root");
        }
        InferenceGame next = accepted(height, Party.CHALLENGER);
        next.leaves = List.copyOf(opened);
        next.phase = Phase.PICK;
        String broken = request.prompt().length != billedPrompt || opened.size() != billedCompletion
                ? "billed " + billedPrompt + " + " + billedCompletion + " tokens for a " + request.prompt().length + "-token prompt and "
                        + opened.size() + " committed positions" : brokenRule(request, opened);
        return broken == null ? next : next.finish(Verdict.CHALLENGER_WINS);
    }

    /**
     * Why the opened leaves break the request's rules, or null when they keep them: leaves in (choice, position)
     * order, no choice longer than maxTokens or going on past an end-of-sequence id or a completed stop sequence.
     * A verifier applies it to its own replay too: a response with the right tokens can still bill too many.
     */
    public static String brokenRule(InferenceRequest request, List<ResponseLeaf> opened) {
        int choice = -1;
        int expected = 0;
        int[] generated = new int[Math.min(opened.size(), request.maxTokens())];
        for (int i = 0; i < opened.size(); i++) {
            ResponseLeaf leaf = opened.get(i);
            if (leaf.choice() != choice) {
                // A choice may have no leaves at all (a client that went away before it started).
                if (leaf.choice() < choice || leaf.choice() >= request.n()) return "leaf " + i + " is out of order";
                choice = leaf.choice();
                expected = 0;
            }
            if (leaf.position() != expected) return "leaf " + i + " is out of order";
            if (leaf.position() >= request.maxTokens()) return "choice " + choice + " is longer than maxTokens";
            boolean last = i + 1 == opened.size() || opened.get(i + 1).choice() != choice;
            if (!last && request.isStop(leaf.token())) return "choice " + choice + " goes on past an end-of-sequence token";
            generated[expected] = leaf.token();
            if (!last && request.completesStopSequence(generated, expected)) {
                return "choice " + choice + " goes on past a stop sequence ending at position " + expected;
            }
            expected++;
        }
        return null;
    }

    /**
     * Challenger: the first leaf it disputes. {@code sampling}: it agrees with the leaf's logits root but not with
     * the token drawn from it; otherwise it disputes the logits.
     */
    public InferenceGame pickLeaf(int choice, int pos, boolean sampling, int promptLength, long height) {
        expect(Phase.PICK, Party.CHALLENGER, height);
        if (leafIndex(choice, pos) < 0) throw new GameException("BAD_PICK", "no leaf (" + choice + ", " + pos + ")");
        InferenceGame next = accepted(height, Party.PROVIDER);
        next.rounds++;
        next.pickedChoice = choice;
        next.pickedPosition = pos;
        if (sampling) {
            next.phase = Phase.LOGITS;
        } else {
            next.phase = Phase.TRANSCRIPT;
            next.transcriptLength = Math.addExact(promptLength, pos);
        }
        return next;
    }

    /** Provider, after a sampling pick: the logits (1, vocab) whose root the leaf names; the referee re-draws. */
    public InferenceGame postLogits(InferenceRequest request, Tensor logits, long height) {
        expect(Phase.LOGITS, Party.PROVIDER, height);
        if (logits == null) throw new GameException("MALFORMED", "logits: null");
        ResponseLeaf leaf = pickedLeaf();
        boolean kept = Arrays.equals(Commitments.outputRoot(logits), leaf.logitsRoot()) && logits.shape().length == 2
                && logits.shape()[0] == 1
                && Sampler.pick(logits.data(), request.sampling(), history(leaf), leaf.choice(), leaf.position(), 0).token()
                        == leaf.token();
        return settled(height, kept ? Verdict.PROVIDER_WINS : Verdict.CHALLENGER_WINS);
    }

    /** The tokens {@code leaf}'s choice committed before it (what the request's penalties count), in position order. */
    private int[] history(ResponseLeaf leaf) {
        return leaves.stream().filter(l -> l.choice() == leaf.choice() && l.position() < leaf.position())
                .mapToInt(ResponseLeaf::token).toArray();
    }

    // ---- embeddings: RESPONSE / POOL_PICK / POOLING ----

    /**
     * Provider, on an embedding request: its pooled root, which must give the settled response root, and its transcript
     * root over the T prompt positions. A bill that is not (T prompt tokens, no completion) settles {@code CHALLENGER_WINS}.
     */
    public InferenceGame openEmbedding(InferenceRequest request, byte[] pooledRoot, byte[] transcript, long height) {
        expect(Phase.RESPONSE, Party.PROVIDER, height);
        if (!isHash(pooledRoot) || !isHash(transcript)) throw new GameException("MALFORMED", "pooledRoot and transcriptRoot must be 32-byte hashes");
        if (!Arrays.equals(InferenceCommitments.embeddingRoot(pooledRoot), providerRoot)) {
            throw new GameException("BAD_PROOF", "the pooled root does not give the settled response root");
        }
        int t = request.prompt().length;
        InferenceGame next = accepted(height, Party.CHALLENGER);
        next.transcriptRoot = transcript.clone();
        next.transcriptLength = t;
        next.phase = Phase.POOL_PICK;
        return billedPrompt == t && billedCompletion == 0 ? next : next.finish(Verdict.CHALLENGER_WINS);
    }

    /**
     * Challenger, on an embedding: {@code pooling} — it agrees with the transcript and disputes the mean of the hidden
     * states; otherwise the transcript is descended to the first position it disputes, as for logits.
     */
    public InferenceGame pickPooling(boolean pooling, long height) {
        expect(Phase.POOL_PICK, Party.CHALLENGER, height);
        InferenceGame next = accepted(height, Party.PROVIDER);
        next.rounds++;
        if (pooling) {
            next.phase = Phase.POOLING;
            next.pooled = true;
        } else {
            next.phase = Phase.POSITIONS;
            next.startDescent(transcriptLength, transcriptRoot);
        }
        return next;
    }

    /**
     * Provider, after a pooling pick: the (T, hidden) final hidden states, row t proven at its final-norm leaf
     * ({@link InferencePooling#hiddenStateOp}, its whole-output leaf in the layout) against the trace root that
     * transcript leaf t binds. Rows beyond max_referee_bytes are {@code TOO_LARGE}, a proof that fails {@code BAD_PROOF}
     * (both refused: the deadline decides if the provider cannot do better); a fed token other than the prompt's settles
     * {@code CHALLENGER_WINS}; otherwise the referee pools the rows and compares the response root with both parties'.
     */
    InferenceGame settlePooling(Context ctx, Tensor states, List<InferencePooling.RowProof> rows, long height) {
        expect(Phase.POOLING, Party.PROVIDER, height);
        int t = transcriptLength;
        if (states == null || rows == null || states.shape().length != 2 || states.dim(0) != t || rows.size() != t) {
            throw new GameException("MALFORMED", "the pooling needs the (" + t + ", hidden) hidden states and " + t + " row proofs");
        }
        if (InferencePooling.evidenceBytes(t, states.dim(1)) > ctx.layout().maxRefereeBytes()) {
            throw new GameException("TOO_LARGE", InferencePooling.evidenceBytes(t, states.dim(1)) + " bytes of hidden states exceed max_referee_bytes "
                    + ctx.layout().maxRefereeBytes());
        }
        List<OpSpec> program = ctx.programs().apply(0);
        int op = InferencePooling.hiddenStateOp(program);
        int leaf = ctx.layout().wholeIndex(op);
        boolean fedPrompt = true;
        for (int i = 0; i < t; i++) {
            InferencePooling.RowProof row = rows.get(i);
            LeafProof fed = row.transcriptProof();
            if (fed.index() != i || fed.leafCount() != t
                    || !fed.verify(transcriptRoot, InferenceCommitments.transcriptLeaf(i, row.token(), row.traceRoot()))) {
                throw new GameException("BAD_PROOF", "row " + i + ": transcript leaf " + i + " is not proven");
            }
            LeafProof state = row.stateProof();
            byte[] stateLeaf = Commitments.traceLeaf(op, program.get(op).kind(), OpSet.VERSION,
                    Commitments.outputRoot(InferencePooling.row(states, i)));
            if (state.index() != leaf || state.leafCount() != traceLength || !state.verify(row.traceRoot(), stateLeaf)) {
                throw new GameException("BAD_PROOF", "row " + i + " is not the final-norm output of position " + i + "'s trace");
            }
            if (row.token() != ctx.request().prompt()[i]) fedPrompt = false;
        }
        return settled(height, fedPrompt ? InferencePooling.decide(states, providerRoot, challengerRoot) : Verdict.CHALLENGER_WINS);
    }

    // ---- TRANSCRIPT / POSITIONS ----

    /**
     * Provider: its transcript root over the {@link #transcriptLength()} fed positions, with the last leaf opened
     * (its fed token and trace root, proven at index T−1) and the proof that the last leaf of that trace — the last
     * operator {@code lastOp} of the program, whole or as the assembly of its tiles — output the disputed leaf's
     * logits root.
     */
    public InferenceGame postTranscript(byte[] root, int lastToken, byte[] lastTraceRoot, LeafProof lastLeaf,
                                        LeafProof logitsLeaf, int lastOp, String lastKind, long height) {
        expect(Phase.TRANSCRIPT, Party.PROVIDER, height);
        if (!isHash(root) || !isHash(lastTraceRoot) || lastLeaf == null || logitsLeaf == null) {
            throw new GameException("MALFORMED", "root, lastTraceRoot and both proofs are required");
        }
        int t = transcriptLength;
        if (lastLeaf.index() != t - 1 || lastLeaf.leafCount() != t
                || !lastLeaf.verify(root, InferenceCommitments.transcriptLeaf(t - 1, lastToken, lastTraceRoot))) {
            throw new GameException("BAD_PROOF", "the last transcript leaf is not proven at index " + (t - 1) + " of " + t);
        }
        byte[] logitsTraceLeaf = Commitments.traceLeaf(lastOp, lastKind, OpSet.VERSION, pickedLeaf().logitsRoot());
        if (logitsLeaf.index() != traceLength - 1 || logitsLeaf.leafCount() != traceLength
                || !logitsLeaf.verify(lastTraceRoot, logitsTraceLeaf)) {
            throw new GameException("BAD_PROOF", "the last operator of the last position does not output the disputed logits");
        }
        InferenceGame next = accepted(height, Party.PROVIDER);
        next.transcriptRoot = root.clone();
        next.phase = Phase.POSITIONS;
        next.startDescent(t, root);
        return next;
    }

    private void startDescent(int leafCount, byte[] root) {
        treeLeaves = leafCount;
        nodeLevel = Merkle.height(leafCount);
        nodePosition = 0;
        nodeHash = root.clone();
        postedNodes = List.of();
        if (nodeLevel == 0) {
            postedNodes = List.of(root.clone()); // a one-leaf tree: the challenger picks it directly
            turn = Party.CHALLENGER;
        }
    }

    /** Provider: the nodes at {@link #childLevel()} under the disputed node ({@link #childCount()} of them). */
    public InferenceGame postNodes(List<byte[]> nodes, long height) {
        expectDescent(Party.PROVIDER, height);
        List<byte[]> copy = TraceDescent.checkedRound(nodes, childCount(), nodeHash, nodeLevel, nodePosition, "nodes");
        InferenceGame next = accepted(height, Party.CHALLENGER);
        next.postedNodes = copy;
        return next;
    }

    /**
     * Challenger: the leftmost posted node it disputes. Reaching a leaf of the trace tree requires its own output
     * root of that operator ({@code claim}); every other pick must carry none.
     */
    public InferenceGame pickNode(int k, byte[] claim, long height) {
        expectDescent(Party.CHALLENGER, height);
        TraceDescent.checkPick(k, postedNodes.size());
        int level = childLevel();
        boolean needsClaim = phase == Phase.TRACE && level == 0;
        if (needsClaim && !isHash(claim)) throw new GameException("MISSING_CLAIM", "the pick reaches an operator: state its output root");
        if (!needsClaim && claim != null) throw new GameException("UNEXPECTED_CLAIM", "an output root is stated only on reaching an operator");
        InferenceGame next = accepted(height, Party.PROVIDER);
        next.rounds++;
        next.nodePosition = childStart() + k;
        next.nodeLevel = level;
        next.nodeHash = postedNodes.get(k).clone();
        next.postedNodes = List.of();
        if (level == 0 && phase == Phase.POSITIONS) {
            next.phase = Phase.OPEN_POSITION;
            next.position = next.nodePosition;
        } else if (level == 0) {
            next.phase = Phase.OPERATOR;
            next.operator = next.nodePosition;
            next.challengerOutputRoot = claim.clone();
        }
        return next;
    }

    /**
     * Provider: opens the disputed position t: its fed token and trace root, and for t &gt; 0 leaf t−1 (proven
     * against the transcript root), whose trace holds the cache t reads. A fed token that is neither the prompt's
     * nor the agreed generated token settles the game against the provider.
     */
    public InferenceGame openPosition(InferenceRequest request, int token, byte[] traceRoot, int previousToken,
                                      byte[] previousTraceRoot, LeafProof previousLeaf, long height) {
        expect(Phase.OPEN_POSITION, Party.PROVIDER, height);
        if (!isHash(traceRoot)) throw new GameException("MALFORMED", "traceRoot must be a 32-byte hash");
        if (!Arrays.equals(InferenceCommitments.transcriptLeaf(position, token, traceRoot), nodeHash)) {
            throw new GameException("BAD_PROOF", "token and trace root do not give transcript leaf " + position);
        }
        if (position > 0 && (!isHash(previousTraceRoot) || previousLeaf == null || previousLeaf.index() != position - 1
                || previousLeaf.leafCount() != transcriptLength
                || !previousLeaf.verify(transcriptRoot, InferenceCommitments.transcriptLeaf(position - 1, previousToken, previousTraceRoot)))) {
            throw new GameException("BAD_PROOF", "transcript leaf " + (position - 1) + " is not proven");
        }
        InferenceGame next = accepted(height, Party.PROVIDER);
        next.positionToken = token;
        if (token != expectedToken(request, position)) return next.finish(Verdict.CHALLENGER_WINS);
        next.positionTraceRoot = traceRoot.clone();
        next.previousTraceRoot = position > 0 ? previousTraceRoot.clone() : null;
        next.phase = Phase.TRACE;
        next.startDescent(traceLength, traceRoot);
        return next;
    }

    /** The token fed at position {@code t} of the disputed choice: the prompt's, then the agreed generated ones. */
    public int expectedToken(InferenceRequest request, int t) {
        int promptLength = request.prompt().length;
        if (t < promptLength) return request.prompt()[t];
        return leaves.get(leafIndex(pickedChoice, t - promptLength)).token();
    }

    // ---- OPERATOR ----

    /**
     * Provider: settles the trace leaf j the descent reached with the evidence its kind in {@code ctx.layout()} calls
     * for — a whole operator's inputs ({@link InferenceMove.SettleOperator}; for the {@code embedding} also the row
     * chunks of {@link InferenceMove.SettleRows}), a tile's blocks ({@link InferenceMove.SettleTile}) or an assembly's
     * output ({@link InferenceMove.SettleAssembly}) — and its output root of j, which must give the reached leaf.
     * Evidence of the wrong kind, or that proves nothing, settles {@code CHALLENGER_WINS}: the provider had to supply it.
     */
    InferenceGame settle(Context ctx, InferenceMove move, long height) {
        expect(Phase.OPERATOR, Party.PROVIDER, height);
        List<OpSpec> program = ctx.programs().apply(position);
        InferenceLayout layout = ctx.layout();
        byte[] providerOutput = outputRootOf(move);
        Verdict decided = Verdict.CHALLENGER_WINS;
        if (program.size() == layout.programLength() && layout.traceLength() == traceLength && isHash(providerOutput)) {
            InferenceLayout.Entry e = layout.entry(operator);
            int p = e.programIndex();
            byte[] leaf = e.kind() == InferenceLayout.Kind.TILE
                    ? Commitments.tileLeaf(p, e.tile(), OpSet.VERSION, providerOutput)
                    : Commitments.traceLeaf(p, program.get(p).kind(), OpSet.VERSION, providerOutput);
            if (Arrays.equals(nodeHash, leaf)) decided = referee(ctx, program, e, move, providerOutput);
        }
        InferenceGame next = settled(height, decided);
        if (isHash(providerOutput)) next.providerOutputRoot = providerOutput.clone();
        return next;
    }

    private Verdict referee(Context ctx, List<OpSpec> program, InferenceLayout.Entry e, InferenceMove move, byte[] providerOutput) {
        int p = e.programIndex();
        if (move instanceof InferenceMove.SettleOperator m && e.kind() == InferenceLayout.Kind.WHOLE) {
            return InferenceReferee.decide(program, ctx.layout(), p, m.inputs(), ctx.weightsRoot(), ctx.kvWidth(), position,
                    positionToken, positionTraceRoot, previousTraceRoot, providerOutput, challengerOutputRoot);
        }
        if (move instanceof InferenceMove.SettleRows m && e.kind() == InferenceLayout.Kind.WHOLE) {
            return InferenceReferee.decideRows(program, p, m.table(), ctx.weightsRoot(), positionToken,
                    ctx.layout().maxRefereeBytes(), providerOutput, challengerOutputRoot);
        }
        if (move instanceof InferenceMove.SettleTile m && e.kind() == InferenceLayout.Kind.TILE) {
            // Weights stand where a training tile's state does: TileReferee proves STATE blocks against the weights root.
            return TileReferee.decide(program, operator, nodeHash, m.evidence(), ctx.weightsRoot(), positionTraceRoot,
                    traceLength, NO_DATASET, ctx.layout().maxRefereeBytes(), providerOutput, challengerOutputRoot);
        }
        if (move instanceof InferenceMove.SettleAssembly m && e.kind() == InferenceLayout.Kind.ASSEMBLY) {
            return InferenceReferee.decideAssembly(ctx.layout(), p, m.output(), m.tiles(), positionTraceRoot, providerOutput,
                    challengerOutputRoot);
        }
        return Verdict.CHALLENGER_WINS;
    }

    /** A position program reads no dataset: a root no tensor leaf can be proven against. */
    private static final byte[] NO_DATASET = new byte[32];

    private static byte[] outputRootOf(InferenceMove move) {
        if (move instanceof InferenceMove.SettleOperator m) return m.outputRoot();
        if (move instanceof InferenceMove.SettleRows m) return m.outputRoot();
        if (move instanceof InferenceMove.SettleTile m) return m.outputRoot();
        if (move instanceof InferenceMove.SettleAssembly m) return m.outputRoot();
        throw new GameException("MALFORMED", "not a settling move: " + move.getClass().getSimpleName());
    }

    // ---- deadlines ----

    /** Anyone, once height &gt; deadline: settles against the party whose turn it is. */
    public InferenceGame timeout(long height) {
        if (phase == Phase.SETTLED) throw new GameException("SETTLED", "the game is settled");
        if (height <= deadline) throw new GameException("DEADLINE_NOT_PASSED", "height " + height + " is not past the deadline " + deadline);
        InferenceGame next = copy();
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

    private void expectDescent(Party mover, long height) {
        expect(phase == Phase.TRACE ? Phase.TRACE : Phase.POSITIONS, mover, height);
    }

    private InferenceGame accepted(long height, Party nextTurn) {
        InferenceGame next = copy();
        next.deadline = Math.addExact(height, moveBlocks);
        next.moves++;
        next.turn = nextTurn;
        return next;
    }

    private InferenceGame settled(long height, Verdict decided) {
        return accepted(height, turn).finish(decided);
    }

    /** Settles this fresh copy (made by the accepting move) with {@code decided}; one round for the settlement. */
    private InferenceGame finish(Verdict decided) {
        rounds++;
        phase = Phase.SETTLED;
        verdict = decided;
        return this;
    }

    private InferenceGame copy() {
        return decode(encode());
    }

    // ---- descent geometry ----

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
        return nodeLevel == 0 ? 1 : TraceDescent.childCount(nodeLevel, nodePosition, fanout, treeLeaves);
    }

    // ---- accessors ----

    public Phase phase() { return phase; }
    public Party turn() { return turn; }
    public long deadline() { return deadline; }
    public int rounds() { return rounds; }
    public int moves() { return moves; }
    /** Leaves of each position's trace. */
    public int traceLength() { return traceLength; }
    public byte[] providerRoot() { return providerRoot.clone(); }
    public byte[] challengerRoot() { return challengerRoot.clone(); }
    public List<ResponseLeaf> leaves() { return leaves; }
    public int pickedChoice() { return pickedChoice; }
    public int pickedPosition() { return pickedPosition; }
    public int transcriptLength() { return transcriptLength; }
    public byte[] transcriptRoot() { return transcriptRoot == null ? null : transcriptRoot.clone(); }
    public int treeLeaves() { return treeLeaves; }
    public int nodeLevel() { return nodeLevel; }
    public int nodePosition() { return nodePosition; }
    public List<byte[]> postedNodes() { return TraceDescent.copyHashes(postedNodes, "postedNodes"); }
    public int position() { return position; }
    public int operator() { return operator; }
    public byte[] challengerOutputRoot() { return challengerOutputRoot == null ? null : challengerOutputRoot.clone(); }
    public Verdict verdict() { return verdict; }
    /** Whether the game is over an embedding request. */
    public boolean embedding() { return embedding; }
    /** Whether the challenger disputed an embedding's pooling (rather than a position's trace). */
    public boolean pooled() { return pooled; }

    public ResponseLeaf pickedLeaf() {
        return leaves.get(leafIndex(pickedChoice, pickedPosition));
    }

    private int leafIndex(int choice, int pos) {
        for (int i = 0; i < leaves.size(); i++) {
            if (leaves.get(i).choice() == choice && leaves.get(i).position() == pos) return i;
        }
        return -1;
    }

    // ---- encoding ----

    /** Canonical bytes (docs/protocol.md, "Inference game encoding"). */
    public byte[] encode() {
        CanonicalWriter out = new CanonicalWriter().u8(embedding ? EMBEDDING_ENCODING_VERSION : ENCODING_VERSION).raw(providerRoot).raw(challengerRoot)
                .u32(billedPrompt).u32(billedCompletion).u32(traceLength).u16(fanout).i64(moveBlocks).u8(phase.ordinal()).u8(turn.ordinal()).i64(deadline)
                .u32(rounds).u32(moves).u32(leaves.size());
        for (ResponseLeaf leaf : leaves) leaf.write(out);
        out.i64(pickedChoice).i64(pickedPosition);
        writeOptional(out, transcriptRoot);
        out.u32(transcriptLength).u32(treeLeaves).u32(nodeLevel).u32(nodePosition);
        writeOptional(out, nodeHash);
        out.u32(postedNodes.size());
        postedNodes.forEach(out::raw);
        out.i64(position).i64(positionToken);
        writeOptional(out, positionTraceRoot);
        writeOptional(out, previousTraceRoot);
        out.i64(operator);
        writeOptional(out, challengerOutputRoot);
        writeOptional(out, providerOutputRoot);
        out.u8(verdict == null ? 0 : verdict.ordinal() + 1);
        if (embedding) out.u8(pooled ? 1 : 0);
        return out.toByteArray();
    }

    public static InferenceGame decode(byte[] bytes) {
        CanonicalReader in = new CanonicalReader(bytes);
        int version = in.u8();
        if (version != ENCODING_VERSION && version != EMBEDDING_ENCODING_VERSION) {
            throw new IllegalArgumentException("inference game: unknown version " + version);
        }
        InferenceGame g = new InferenceGame();
        g.embedding = version == EMBEDDING_ENCODING_VERSION;
        g.providerRoot = in.raw(32);
        g.challengerRoot = in.raw(32);
        g.billedPrompt = in.u32();
        g.billedCompletion = in.u32();
        g.traceLength = in.u32();
        g.fanout = in.u16();
        g.moveBlocks = in.i64();
        g.phase = Phase.values()[checkOrdinal(in.u8(), Phase.values().length)];
        g.turn = Party.values()[checkOrdinal(in.u8(), 2)];
        g.deadline = in.i64();
        g.rounds = in.u32();
        g.moves = in.u32();
        int count = in.u32();
        if (count > MAX_LEAVES) throw new IllegalArgumentException("inference game: " + count + " leaves");
        List<ResponseLeaf> leaves = new ArrayList<>(count);
        for (int i = 0; i < count; i++) leaves.add(ResponseLeaf.read(in));
        g.leaves = List.copyOf(leaves);
        g.pickedChoice = (int) in.i64();
        g.pickedPosition = (int) in.i64();
        g.transcriptRoot = readOptional(in);
        g.transcriptLength = in.u32();
        g.treeLeaves = in.u32();
        g.nodeLevel = in.u32();
        g.nodePosition = in.u32();
        g.nodeHash = readOptional(in);
        int nodes = in.u32();
        if (nodes > DisputeGame.MAX_FANOUT) throw new IllegalArgumentException("inference game: " + nodes + " posted nodes");
        List<byte[]> posted = new ArrayList<>(nodes);
        for (int i = 0; i < nodes; i++) posted.add(in.raw(32));
        g.postedNodes = posted;
        g.position = (int) in.i64();
        g.positionToken = (int) in.i64();
        g.positionTraceRoot = readOptional(in);
        g.previousTraceRoot = readOptional(in);
        g.operator = (int) in.i64();
        g.challengerOutputRoot = readOptional(in);
        g.providerOutputRoot = readOptional(in);
        int verdict = in.u8();
        g.verdict = verdict == 0 ? null : Verdict.values()[checkOrdinal(verdict - 1, Verdict.values().length)];
        if (g.embedding) {
            int pooled = in.u8();
            if (pooled > 1) throw new IllegalArgumentException("inference game: bad pooled flag " + pooled);
            g.pooled = pooled == 1;
        }
        in.expectEnd();
        return g;
    }

    private static int checkOrdinal(int ordinal, int count) {
        if (ordinal < 0 || ordinal >= count) throw new IllegalArgumentException("inference game: enum value " + ordinal + " out of range");
        return ordinal;
    }

    private static void writeOptional(CanonicalWriter out, byte[] hash) {
        if (hash == null) out.u8(0);
        else out.u8(1).raw(hash);
    }

    private static byte[] readOptional(CanonicalReader in) {
        int present = in.u8();
        if (present > 1) throw new IllegalArgumentException("inference game: bad optional flag " + present);
        return present == 1 ? in.raw(32) : null;
    }

    private static boolean isHash(byte[] bytes) {
        return bytes != null && bytes.length == 32;
    }

    private static void checkHash(String name, byte[] hash) {
        if (!isHash(hash)) throw new IllegalArgumentException(name + ": must be a 32-byte hash");
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof InferenceGame g && Arrays.equals(encode(), g.encode());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encode());
    }

    @Override
    public String toString() {
        return "InferenceGame[" + phase + ", turn " + turn + ", rounds " + rounds + (verdict == null ? "" : ", " + verdict) + "]";
    }
}
