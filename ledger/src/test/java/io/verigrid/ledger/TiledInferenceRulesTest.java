package io.verigrid.ledger;

import static io.verigrid.ledger.TestChain.TOKEN;
import static io.verigrid.ledger.TestChain.keys;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.verigrid.engine.LlamaConfig;
import io.verigrid.engine.LlamaModel;
import io.verigrid.engine.Tensor;
import io.verigrid.engine.generate.SamplingParams;
import io.verigrid.ledger.tx.InferenceTx;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.verify.Hashes;
import io.verigrid.verify.InferenceCommitments;
import io.verigrid.verify.InferenceCommitments.ResponseLeaf;
import io.verigrid.verify.InferenceGame;
import io.verigrid.verify.InferenceLayout;
import io.verigrid.verify.InferenceMove;
import io.verigrid.verify.InferencePlayer;
import io.verigrid.verify.InferenceRequest;
import io.verigrid.verify.InferenceTrace;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Inference disputes on a ledger whose genesis max_referee_bytes (384 KiB) is below the model's LM head (vocabulary
 * 4 096 × width 64 = 1 MiB): the chain lays position traces out with the LM head as tiles, a provider with one wrong
 * LM-head weight is bisected to the tile holding it and slashed by a settling transaction within the bound, a
 * malformed settling move is refused with a reason and changes nothing, and a model the bound cannot tile is refused.
 */
class TiledInferenceRulesTest {
    static final long BOUND = 384 * 1024;
    static final long PRICE = 1_000;
    static final InferenceRequest REQUEST = new InferenceRequest("chatcmpl-tiled", new int[] {1, 50, 51}, 1, 2,
            new SamplingParams(0.7f, 0, 1f, 5), new int[] {2});
    static LlamaModel model;
    static SortedMap<String, Tensor> weights;
    static byte[] config;
    final Keys provider = keys(1), buyer = keys(2), verifier = keys(3);
    final LedgerState state = LedgerState.fromGenesis(TestChain.genesis(5, Params.defaults().withMaxRefereeBytes(BOUND)));
    final Map<String, Long> nonces = new HashMap<>();
    final byte[] keyHash = Hashes.sha256("vg-tiled-key".getBytes(StandardCharsets.UTF_8));

    @BeforeAll
    static void model() throws Exception {
        LlamaConfig c = new LlamaConfig(64, 128, 2, 4, 2, 4096, 32, 1e-5f, 10000f, false);
        model = new LlamaModel(c);
        weights = model.initialParameters(3);
        config = new ObjectMapper().writeValueAsBytes(c.toJson());
    }

    TxResult submit(Keys from, TxBody body) {
        long nonce = nonces.getOrDefault(from.address(), 0L) + 1;
        TxResult result = state.apply(TestChain.tx(from, nonce, body));
        if (result.accepted()) nonces.put(from.address(), nonce);
        return result;
    }

    void ok(Keys from, TxBody body) {
        TxResult r = submit(from, body);
        assertTrue(r.accepted(), r.code() + " " + r.message());
    }

    @Test
    void aWrongLmHeadWeightIsSlashedAtItsTileByATransactionWithinTheBound() {
        ok(provider, new TxBody.Stake(150 * TOKEN));
        ok(verifier, new TxBody.Stake(20 * TOKEN));
        InferenceTx.RegisterModel register = new InferenceTx.RegisterModel("tiled", config,
                InferenceCommitments.weightsRoot(weights), PRICE);
        ok(provider, register);
        byte[] modelId = Hashes.unhex(InferenceRules.modelId(provider.address(), register));
        ok(buyer, new InferenceTx.RegisterApiKey(keyHash, 1_000_000));
        ok(buyer, new InferenceTx.DepositInference(10 * TOKEN));

        SortedMap<String, Tensor> wrong = new TreeMap<>(weights);
        float[] head = weights.get("lm_head.weight").data().clone();
        head[3000 * 64 + 1] += 0.5f; // column 3 000: the third of four 1 024-column tiles
        wrong.put("lm_head.weight", Tensor.of(weights.get("lm_head.weight").shape(), head));
        InferenceTrace.Replica cheat = new InferenceTrace.Replica(model, wrong, null);
        InferenceTrace.Replica honest = new InferenceTrace.Replica(model, weights, null);
        List<ResponseLeaf> served = InferenceTrace.responseLeaves(cheat, REQUEST, new int[] {2});
        ok(provider, new InferenceTx.SettleInference(modelId, List.of(new InferenceTx.Served(keyHash, REQUEST.hash(),
                InferenceCommitments.responseRoot(served), 3, 2))));
        ok(verifier, new InferenceTx.ChallengeInference(REQUEST.encode(),
                InferenceCommitments.responseRoot(InferenceTrace.responseLeaves(honest, REQUEST, new int[] {2}))));
        InferenceLayout layout = InferenceLayout.of(model, BOUND);
        assertEquals(layout.traceLength(), game().traceLength(), "the chain laid the trace out with the LM head's tiles");

        InferencePlayer cheater = new InferencePlayer(InferenceGame.Party.PROVIDER, REQUEST, cheat, served, BOUND);
        InferencePlayer checker = new InferencePlayer(InferenceGame.Party.CHALLENGER, REQUEST, honest, null, BOUND);
        long stakeBefore = state.account(provider.address()).stake();
        while (game().phase() != InferenceGame.Phase.OPERATOR) {
            boolean providerTurn = game().turn() == InferenceGame.Party.PROVIDER;
            InferenceMove move = (providerTurn ? cheater : checker).next(game());
            ok(providerTurn ? provider : verifier, new InferenceTx.InferenceMove(1, move.encode()));
        }
        InferenceLayout.Entry entry = layout.entry(game().operator());
        assertEquals(InferenceLayout.Kind.TILE, entry.kind());
        assertEquals(2, entry.tileIndex());

        InferenceMove.SettleTile settle = assertInstanceOf(InferenceMove.SettleTile.class, cheater.next(game()));
        byte[] encoded = settle.encode();
        byte[] before = state.stateRoot();
        TxResult malformed = submit(provider, new InferenceTx.InferenceMove(1, Arrays.copyOf(encoded, encoded.length - 7)));
        assertEquals(Rejection.MALFORMED, malformed.code(), malformed.message());
        assertArrayEquals(before, state.stateRoot(), "a refused move changes nothing");
        TxResult outsider = submit(buyer, new InferenceTx.InferenceMove(1, encoded));
        assertEquals(Rejection.NOT_PARTY, outsider.code());
        assertArrayEquals(before, state.stateRoot());

        int txBytes = TestChain.tx(provider, nonces.get(provider.address()) + 1, new InferenceTx.InferenceMove(1, encoded)).encode().length;
        assertTrue(settle.evidence().inputBytes() <= BOUND, "the referee reads " + settle.evidence().inputBytes() + " bytes");
        assertTrue(txBytes < BOUND + 16 * 1024 && txBytes < state.params().maxTxBytes(), "the settling transaction is " + txBytes + " bytes");
        ok(provider, new InferenceTx.InferenceMove(1, encoded));
        InferenceViews.DisputeView settled = (InferenceViews.DisputeView) InferenceQuery.answer(state, "dispute:1");
        assertEquals("CHALLENGER_WINS by REFEREE", settled.outcome());
        assertEquals(stakeBefore / 2, state.account(provider.address()).stake());
    }

    @Test
    void aModelWhoseLmHeadNoTilingUnderTheBoundFitsIsRefusedAtRegistration() {
        LedgerState small = LedgerState.fromGenesis(TestChain.genesis(5, Params.defaults().withMaxRefereeBytes(Params.MIN_MAX_REFEREE_BYTES)));
        assertTrue(small.apply(TestChain.tx(provider, 1, new TxBody.Stake(150 * TOKEN))).accepted());
        byte[] before = small.stateRoot();
        TxResult r = small.apply(TestChain.tx(provider, 2, new InferenceTx.RegisterModel("tiled", config,
                InferenceCommitments.weightsRoot(weights), PRICE)));
        assertEquals(Rejection.INVALID, r.code(), r.message());
        assertTrue(r.message().contains("maxRefereeBytes"), r.message());
        assertArrayEquals(before, small.stateRoot());
    }

    InferenceGame game() {
        InferenceViews.DisputeView view = (InferenceViews.DisputeView) InferenceQuery.answer(state, "dispute:1");
        return InferenceGame.decode(Hashes.unhex(view.game()));
    }
}
