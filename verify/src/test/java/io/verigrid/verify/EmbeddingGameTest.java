package io.verigrid.verify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.verigrid.engine.Decoder;
import io.verigrid.engine.HfCheckpoint;
import io.verigrid.engine.LlamaConfig;
import io.verigrid.engine.LlamaModel;
import io.verigrid.engine.MatmulTiles;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.Tensor;
import io.verigrid.engine.generate.LlamaDecoder;
import io.verigrid.engine.generate.SamplingParams;
import io.verigrid.engine.generate.TinyLlama;
import io.verigrid.verify.InferenceGame.Party;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Embeddings as verified inference: the gateway's pooled hidden states are the traced final-norm outputs bit for bit,
 * the request encodes as version 2 beside an unchanged version 1, and the dispute game — a position's trace down to one
 * operator, or the pooling itself — convicts a provider with a wrong embedding and clears an honest one.
 */
class EmbeddingGameTest {
    static InferenceTrace.Replica honest;
    static LlamaDecoder serving;
    static final int[] PROMPT = {1, 40, 41, 42, 43, 44, 45};
    static final InferenceRequest REQUEST = InferenceRequest.embedding("embd-test-0", PROMPT);

    @BeforeAll
    static void model(@TempDir Path dir) {
        TinyLlama.write(dir, 5, 64);
        HfCheckpoint checkpoint = HfCheckpoint.llama(dir);
        honest = new InferenceTrace.Replica(checkpoint.model(), checkpoint.weights(), null);
        serving = new LlamaDecoder(checkpoint.model().config(), checkpoint.weights());
    }

    static InferenceGame.Context context(long bound) {
        return context(honest, bound);
    }

    /** The ledger's view: the registered model (its program, weights root and layout under {@code bound}). */
    static InferenceGame.Context context(InferenceTrace.Replica registered, long bound) {
        return new InferenceGame.Context(REQUEST, t -> Decoder.positionProgram(registered.model(), t), registered.kvWidth(),
                InferenceCommitments.weightsRoot(registered.weights()), InferenceLayout.of(registered.model(), bound));
    }

    static byte[] pooledRoot(Tensor states) {
        return InferencePooling.pooledRoot(InferencePooling.pool(states, Parallelism.single()));
    }

    static InferenceGame open(byte[] providerPooled, byte[] challengerRoot, int billedPrompt, int billedCompletion) {
        return open(honest, providerPooled, challengerRoot, billedPrompt, billedCompletion, MatmulTiles.DEFAULT_MAX_REFEREE_BYTES);
    }

    static InferenceGame open(InferenceTrace.Replica registered, byte[] providerPooled, byte[] challengerRoot, int billedPrompt,
                              int billedCompletion, long bound) {
        return InferenceGame.open(InferenceCommitments.embeddingRoot(providerPooled), challengerRoot, billedPrompt,
                billedCompletion, InferenceLayout.of(registered.model(), bound).traceLength(), 16, 5, 0, true);
    }

    /** Plays both parties' moves, each round-tripped through its encoding, until the game settles. */
    static InferenceGame play(byte[] servedPooled, InferenceTrace.Replica providerSide, InferenceTrace.Replica challengerSide) {
        return play(honest, servedPooled, providerSide, challengerSide, MatmulTiles.DEFAULT_MAX_REFEREE_BYTES);
    }

    /** As above for the {@code registered} model, its traces laid out under {@code bound}. */
    static InferenceGame play(InferenceTrace.Replica registered, byte[] servedPooled, InferenceTrace.Replica providerSide,
                              InferenceTrace.Replica challengerSide, long bound) {
        byte[] challengerRoot = InferencePooling.responseRoot(InferenceTrace.run(challengerSide, PROMPT, bound).hiddenStates());
        InferenceGame game = open(registered, servedPooled, challengerRoot, PROMPT.length, 0, bound);
        InferencePlayer provider = InferencePlayer.forEmbedding(Party.PROVIDER, REQUEST, providerSide, servedPooled, bound);
        InferencePlayer challenger = InferencePlayer.forEmbedding(Party.CHALLENGER, REQUEST, challengerSide, null, bound);
        InferenceGame.Context ctx = context(registered, bound);
        long height = 1;
        while (game.phase() != InferenceGame.Phase.SETTLED) {
            InferenceMove move = (game.turn() == Party.PROVIDER ? provider : challenger).next(game);
            if (move == null) {
                game = game.timeout(game.deadline() + 1);
                continue;
            }
            game = InferenceGame.decode(game.play(game.turn(), InferenceMove.decode(move.encode()), ctx, height++).encode());
        }
        return game;
    }

    @Test
    void theServingDecodersHiddenStatesAreTheTracedFinalNormOutputsBitForBit() {
        Tensor served = serving.hiddenStates(PROMPT, Parallelism.of(3));
        Tensor traced = InferenceTrace.run(honest, PROMPT).hiddenStates();
        assertArrayEquals(traced.shape(), served.shape());
        for (int i = 0; i < traced.size(); i++) {
            assertEquals(Float.floatToRawIntBits(traced.data()[i]), Float.floatToRawIntBits(served.data()[i]), "element " + i);
        }
        assertArrayEquals(InferencePooling.pooledRoot(InferencePooling.pool(traced, Parallelism.single())),
                InferencePooling.pooledRoot(InferencePooling.pool(served, Parallelism.of(3))), "pooled on any thread count");
    }

    @Test
    void anEmbeddingRequestEncodesAsVersionTwoAndVersionOneIsUnchanged() {
        InferenceRequest completion = new InferenceRequest("chatcmpl-test", new int[] {1, 40}, 2, 5,
                new SamplingParams(0.9f, 0, 1f, 1234), new int[] {2});
        CanonicalWriter v1 = new CanonicalWriter().u8(1).string("chatcmpl-test").u32(2).u32(1).u32(40).u32(2).u32(5)
                .u32(Float.floatToRawIntBits(0.9f)).u32(0).u32(Float.floatToRawIntBits(1f)).i64(1234).u32(1).u32(2);
        assertArrayEquals(v1.toByteArray(), completion.encode());
        assertEquals("108543a9984ac68deef2d1b82342c0f45f688c50771c45cc77eb7d552cf3cd2e", Hashes.hex(completion.hash()));
        assertFalse(InferenceRequest.decode(completion.encode()).isEmbedding());

        CanonicalWriter v2 = new CanonicalWriter().u8(2).string("embd-test-0").u32(PROMPT.length);
        for (int id : PROMPT) v2.u32(id);
        assertArrayEquals(v2.toByteArray(), REQUEST.encode());
        InferenceRequest back = InferenceRequest.decode(REQUEST.encode());
        assertTrue(back.isEmbedding());
        assertEquals(REQUEST, back);
        byte[] trailing = Arrays.copyOf(REQUEST.encode(), REQUEST.encode().length + 1);
        assertThrows(IllegalArgumentException.class, () -> InferenceRequest.decode(trailing));
        assertThrows(IllegalArgumentException.class, () -> new InferenceRequest("x", PROMPT, 1, 0, new SamplingParams(0f, 0, 1f, 0),
                new int[0], new int[0][], InferenceRequest.Kind.COMPLETION), "a completion still needs maxTokens >= 1");
    }

    @Test
    void aProviderWithACorruptedHiddenStateIsConvictedAtThatResidualAddition() {
        InferenceTrace.Replica cheat = InferenceCheats.corruptHiddenState(honest);
        byte[] served = pooledRoot(InferenceTrace.run(cheat, PROMPT).hiddenStates());
        InferenceGame game = play(served, cheat, honest);
        assertEquals(Verdict.CHALLENGER_WINS, game.verdict());
        assertFalse(game.pooled());
        assertEquals(0, game.position(), "the first position already differs");
        List<io.verigrid.engine.OpSpec> program = Decoder.positionProgram(honest.model(), 0);
        assertEquals(program.get(InferencePooling.hiddenStateOp(program)).inputs().get(0).op(), game.operator(),
                "the referee re-executed the last residual addition");
        int bound = 1 + 1 + 1 + 2 + 1; // pick + ⌈log16 T⌉ + open + ⌈log16 L⌉ + settle
        assertTrue(game.rounds() <= bound, game.rounds() + " rounds");
    }

    @Test
    void aProviderThatPoolsFewerPositionsIsConvictedAtThePooling() {
        Tensor states = InferenceTrace.run(honest, PROMPT).hiddenStates();
        int d = states.dim(1);
        Tensor fewer = Tensor.of(new int[] {PROMPT.length - 1, d}, Arrays.copyOf(states.data(), (PROMPT.length - 1) * d));
        InferenceGame game = play(pooledRoot(fewer), honest, honest);
        assertEquals(Verdict.CHALLENGER_WINS, game.verdict());
        assertTrue(game.pooled(), "settled by re-pooling the proven hidden states");
    }

    @Test
    void anHonestProviderWinsAgainstAChallengerWithACorruptedHiddenState() {
        byte[] served = pooledRoot(InferenceTrace.run(honest, PROMPT).hiddenStates());
        InferenceGame game = play(served, honest, InferenceCheats.corruptHiddenState(honest));
        assertEquals(Verdict.PROVIDER_WINS, game.verdict());
        assertTrue(game.operator() >= 0, "won at the referee: " + game);
    }

    @Test
    void anHonestProviderWinsWhenALyingChallengerDisputesThePooling() {
        InferenceTrace trace = InferenceTrace.run(honest, PROMPT);
        InferenceGame game = open(pooledRoot(trace.hiddenStates()), new byte[32], PROMPT.length, 0);
        InferenceGame.Context ctx = context(MatmulTiles.DEFAULT_MAX_REFEREE_BYTES);
        game = game.play(Party.PROVIDER, new InferenceMove.OpenEmbedding(pooledRoot(trace.hiddenStates()), trace.root()), ctx, 1);
        game = game.play(Party.CHALLENGER, new InferenceMove.PickPooling(true), ctx, 2);
        game = game.play(Party.PROVIDER, new InferenceMove.SettlePooling(trace.hiddenStates(), trace.hiddenStateProofs()), ctx, 3);
        assertEquals(Verdict.PROVIDER_WINS, game.verdict());
        assertTrue(game.pooled());
    }

    @Test
    void underATiledLayoutTheSameCheatsAreConvictedAndTheHonestProviderWins() {
        // A 4 096-token vocabulary makes the LM head 1 MiB: under a 384 KiB bound it is laid out as tiles + assembly.
        long bound = 384 * 1024;
        LlamaModel model = new LlamaModel(new LlamaConfig(64, 128, 2, 4, 2, 4096, 32, 1e-5f, 10000f, false));
        InferenceTrace.Replica reference = new InferenceTrace.Replica(model, model.initialParameters(21), null);
        assertTrue(InferenceLayout.of(model, bound).traceLength() > Decoder.positionProgram(model, 0).size(),
                "the layout really has tiles at this bound");
        InferenceTrace.Replica cheat = InferenceCheats.corruptHiddenState(reference);

        InferenceGame corrupted = play(reference, pooledRoot(InferenceTrace.run(cheat, PROMPT).hiddenStates()), cheat, reference, bound);
        assertEquals(Verdict.CHALLENGER_WINS, corrupted.verdict());
        assertFalse(corrupted.pooled());
        assertEquals(0, corrupted.position());

        Tensor states = InferenceTrace.run(reference, PROMPT).hiddenStates();
        int d = states.dim(1);
        Tensor fewer = Tensor.of(new int[] {PROMPT.length - 1, d}, Arrays.copyOf(states.data(), (PROMPT.length - 1) * d));
        InferenceGame pooling = play(reference, pooledRoot(fewer), reference, reference, bound);
        assertEquals(Verdict.CHALLENGER_WINS, pooling.verdict());
        assertTrue(pooling.pooled(), "the rows are proven at the final norm's leaf of the tiled traces");

        assertEquals(Verdict.PROVIDER_WINS, play(reference, pooledRoot(states), reference, cheat, bound).verdict());

        InferenceTrace tiled = InferenceTrace.run(reference, PROMPT, bound);
        InferenceGame.Context ctx = context(reference, bound);
        InferenceGame lied = open(reference, pooledRoot(tiled.hiddenStates()), new byte[32], PROMPT.length, 0, bound);
        lied = lied.play(Party.PROVIDER, new InferenceMove.OpenEmbedding(pooledRoot(tiled.hiddenStates()), tiled.root()), ctx, 1);
        lied = lied.play(Party.CHALLENGER, new InferenceMove.PickPooling(true), ctx, 2);
        lied = lied.play(Party.PROVIDER, new InferenceMove.SettlePooling(tiled.hiddenStates(), tiled.hiddenStateProofs()), ctx, 3);
        assertEquals(Verdict.PROVIDER_WINS, lied.verdict());
    }

    @Test
    void aBillWithCompletionTokensOrTheWrongPromptLosesWhenOpened() {
        InferenceTrace trace = InferenceTrace.run(honest, PROMPT);
        byte[] pooled = pooledRoot(trace.hiddenStates());
        byte[] root = InferenceCommitments.embeddingRoot(pooled);
        InferenceGame.Context ctx = context(MatmulTiles.DEFAULT_MAX_REFEREE_BYTES);
        InferenceMove open = new InferenceMove.OpenEmbedding(pooled, trace.root());
        assertEquals(Verdict.CHALLENGER_WINS, open(pooled, root, PROMPT.length, 1).play(Party.PROVIDER, open, ctx, 1).verdict());
        assertEquals(Verdict.CHALLENGER_WINS, open(pooled, root, PROMPT.length + 1, 0).play(Party.PROVIDER, open, ctx, 1).verdict());
        InferenceGame fair = open(pooled, root, PROMPT.length, 0).play(Party.PROVIDER, open, ctx, 1);
        assertEquals(InferenceGame.Phase.POOL_PICK, fair.phase(), "a fair bill with an agreed root leaves nothing to pick");
    }

    @Test
    void badEmbeddingMovesAreRefusedWithStableCodesAndChangeNothing() {
        InferenceTrace trace = InferenceTrace.run(honest, PROMPT);
        Tensor states = trace.hiddenStates();
        byte[] pooled = pooledRoot(states);
        InferenceGame.Context ctx = context(MatmulTiles.DEFAULT_MAX_REFEREE_BYTES);
        InferenceGame fresh = open(pooled, new byte[32], PROMPT.length, 0);
        byte[] before = fresh.encode();
        InferenceMove open = new InferenceMove.OpenEmbedding(pooled, trace.root());
        assertEquals("NOT_YOUR_TURN", refused(fresh, Party.CHALLENGER, open, ctx, 1));
        assertEquals("WRONG_PHASE", refused(fresh, Party.CHALLENGER, new InferenceMove.PickPooling(true), ctx, 1));
        assertEquals("WRONG_PHASE", refused(fresh, Party.PROVIDER, new InferenceMove.SettlePooling(states, trace.hiddenStateProofs()), ctx, 1));
        assertEquals("DEADLINE_PASSED", refused(fresh, Party.PROVIDER, open, ctx, 6));
        assertEquals("BAD_PROOF", refused(fresh, Party.PROVIDER, new InferenceMove.OpenEmbedding(new byte[32], trace.root()), ctx, 1));
        assertEquals("WRONG_KIND", refused(fresh, Party.PROVIDER, new InferenceMove.OpenResponse(List.of(
                new InferenceCommitments.ResponseLeaf(0, 0, 1, new byte[32]))), ctx, 1));
        InferenceGame completion = InferenceGame.open(new byte[32], new byte[32], 2, 1, 10, 16, 5, 0);
        assertEquals("WRONG_KIND", refused(completion, Party.PROVIDER, open, ctx, 1));
        assertArrayEquals(before, fresh.encode());

        InferenceGame pooling = fresh.play(Party.PROVIDER, open, ctx, 1).play(Party.CHALLENGER, new InferenceMove.PickPooling(true), ctx, 2);
        byte[] atPooling = pooling.encode();
        float[] tampered = states.data().clone();
        tampered[3] += 0.5f;
        assertEquals("BAD_PROOF", refused(pooling, Party.PROVIDER, new InferenceMove.SettlePooling(Tensor.of(states.shape(), tampered),
                trace.hiddenStateProofs()), ctx, 3));
        List<InferencePooling.RowProof> swapped = new java.util.ArrayList<>(trace.hiddenStateProofs());
        java.util.Collections.swap(swapped, 0, 1);
        assertEquals("BAD_PROOF", refused(pooling, Party.PROVIDER, new InferenceMove.SettlePooling(states, swapped), ctx, 3));
        assertEquals("MALFORMED", refused(pooling, Party.PROVIDER, new InferenceMove.SettlePooling(states,
                trace.hiddenStateProofs().subList(1, PROMPT.length)), ctx, 3));
        int wide = (int) (MatmulTiles.DEFAULT_MAX_REFEREE_BYTES / 4 / PROMPT.length) + 1; // rows past the bound: refused unread
        assertEquals("TOO_LARGE", refused(pooling, Party.PROVIDER, new InferenceMove.SettlePooling(
                Tensor.zeros(PROMPT.length, wide), trace.hiddenStateProofs()), ctx, 3));
        assertEquals("NOT_YOUR_TURN", refused(pooling, Party.CHALLENGER, new InferenceMove.SettlePooling(states,
                trace.hiddenStateProofs()), ctx, 3));
        assertArrayEquals(atPooling, pooling.encode());
        assertEquals(pooling, InferenceGame.decode(pooling.encode()), "an embedding game round-trips its encoding");
        assertEquals("MALFORMED", assertThrows(GameException.class, () -> InferenceMove.parse(new byte[] {13, 2})).reason());
    }

    private static String refused(InferenceGame game, Party mover, InferenceMove move, InferenceGame.Context ctx, long height) {
        return assertThrows(GameException.class, () -> game.play(mover, InferenceMove.decode(move.encode()), ctx, height)).reason();
    }
}
