package io.verigrid.ledger;

import static io.verigrid.ledger.TestChain.TOKEN;
import static io.verigrid.ledger.TestChain.keys;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.verigrid.engine.HfCheckpoint;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.Tensor;
import io.verigrid.engine.generate.SamplingParams;
import io.verigrid.engine.generate.TinyLlama;
import io.verigrid.ledger.tx.InferenceTx;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.verify.Hashes;
import io.verigrid.verify.InferenceCheats;
import io.verigrid.verify.InferenceCommitments;
import io.verigrid.verify.InferenceCommitments.ResponseLeaf;
import io.verigrid.verify.InferenceGame;
import io.verigrid.verify.InferenceMove;
import io.verigrid.verify.InferencePooling;
import io.verigrid.verify.InferencePlayer;
import io.verigrid.verify.InferenceRequest;
import io.verigrid.verify.InferenceTrace;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Inference keys, escrow, holds and disputes applied to a ledger state, block by block. */
class InferenceRulesTest {
    static InferenceTrace.Replica honest;
    static String config;
    static final long PRICE = 1_000;
    final Keys provider = keys(1), buyer = keys(2), verifier = keys(3);
    final LedgerState state = LedgerState.fromGenesis(TestChain.genesis());
    final Map<String, Long> nonces = new HashMap<>();
    final byte[] keyHash = Hashes.sha256("vg-test-key".getBytes(StandardCharsets.UTF_8));
    byte[] modelId;

    @BeforeAll
    static void model(@TempDir Path dir) throws Exception {
        TinyLlama.write(dir, 5, 64);
        HfCheckpoint checkpoint = HfCheckpoint.llama(dir);
        honest = new InferenceTrace.Replica(checkpoint.model(), checkpoint.weights(), null);
        config = Files.readString(dir.resolve("config.json"));
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

    void rejected(Keys from, TxBody body, String code) {
        byte[] before = state.stateRoot();
        TxResult r = submit(from, body);
        assertEquals(code, r.code(), r.message());
        assertArrayEquals(before, state.stateRoot(), "a rejection changes nothing");
    }

    void setUp() {
        ok(provider, new TxBody.Stake(150 * TOKEN));
        ok(verifier, new TxBody.Stake(20 * TOKEN));
        InferenceTx.RegisterModel register = new InferenceTx.RegisterModel("tiny", config.getBytes(StandardCharsets.UTF_8),
                InferenceCommitments.weightsRoot(honest.weights()), PRICE);
        ok(provider, register);
        modelId = Hashes.unhex(InferenceRules.modelId(provider.address(), register));
        ok(buyer, new InferenceTx.RegisterApiKey(keyHash, 1_000_000));
        ok(buyer, new InferenceTx.DepositInference(10 * TOKEN));
    }

    static final InferenceRequest REQUEST = new InferenceRequest("chatcmpl-1", new int[] {1, 50, 51, 52}, 1, 4,
            new SamplingParams(0f, 0, 1f, 7), new int[] {2});

    /** Request hashes answered by {@code holds:ADDRESS}, or by {@code holds} when the address is empty. */
    List<String> holdsOf(String address) {
        List<?> holds = (List<?>) InferenceQuery.answer(state, address.isEmpty() ? "holds" : "holds:" + address);
        return holds.stream().map(h -> ((InferenceViews.HoldView) h).requestHash()).toList();
    }

    void assertSupplyKept() {
        assertEquals(state.genesisSupply() - state.burned(), state.totalSupply());
    }

    @Test
    void aServedRequestIsHeldThenPaidToTheProviderAfterTheWindow() {
        setUp();
        long providerBefore = state.account(provider.address()).balance();
        List<ResponseLeaf> leaves = InferenceTrace.responseLeaves(honest, REQUEST, new int[] {4});
        ok(provider, new InferenceTx.SettleInference(modelId, List.of(new InferenceTx.Served(keyHash, REQUEST.hash(),
                InferenceCommitments.responseRoot(leaves), 4, 4))));
        String hash = Hashes.hex(REQUEST.hash());
        InferenceViews.HoldView hold = (InferenceViews.HoldView) InferenceQuery.answer(state, "hold:" + hash);
        assertEquals(8 * PRICE, hold.amount());
        assertEquals("HELD", hold.status());
        assertEquals(List.of(hash), holdsOf(provider.address()), "the provider's own holds");
        assertEquals(List.of(), holdsOf(buyer.address()), "another address holds nothing");
        assertEquals(List.of(hash), holdsOf(""), "the whole list");
        assertSupplyKept();
        rejected(provider, new InferenceTx.SettleInference(modelId, List.of(new InferenceTx.Served(keyHash, REQUEST.hash(),
                new byte[32], 4, 4))), Rejection.DUPLICATE_REQUEST);
        for (long h = 0; h <= state.params().challengeWindowBlocks() + 1; h++) state.applyBlock();
        assertNull(InferenceQuery.answer(state, "hold:" + hash));
        assertEquals(providerBefore - state.params().txFee() + 8 * PRICE, state.account(provider.address()).balance());
        assertSupplyKept();
    }

    @Test
    void oneSettlementCarriesThousandsOfRequestsAndTheirPayoutsRunAtOneBlock() {
        setUp();
        List<InferenceTx.Served> records = new java.util.ArrayList<>();
        for (int i = 0; i < InferenceTx.MAX_RECORDS; i++) {
            byte[] requestHash = Hashes.sha256(("request-" + i).getBytes(StandardCharsets.UTF_8));
            records.add(new InferenceTx.Served(keyHash, requestHash, requestHash, 100, 50));
        }
        long start = System.nanoTime();
        ok(provider, new InferenceTx.SettleInference(modelId, records));
        long settleMicros = (System.nanoTime() - start) / 1_000;
        assertEquals(InferenceTx.MAX_RECORDS, state.inference.holds.size());
        for (long h = 0; h <= state.params().challengeWindowBlocks(); h++) state.applyBlock();
        start = System.nanoTime();
        state.applyBlock();
        long payoutMicros = (System.nanoTime() - start) / 1_000;
        assertEquals(0, state.inference.holds.size());
        assertEquals(InferenceTx.MAX_RECORDS * 150L * PRICE, state.inference.paidOut);
        System.out.printf("settle %d requests in one tx: %d us (%.1f us/request); pay them at one block: %d us%n",
                InferenceTx.MAX_RECORDS, settleMicros, settleMicros / (double) InferenceTx.MAX_RECORDS, payoutMicros);
        assertSupplyKept();
    }

    @Test
    void badSettlementsAndWithdrawalsAreRejectedAndChangeNothing() {
        setUp();
        InferenceTx.Served unknownKey = new InferenceTx.Served(new byte[32], REQUEST.hash(), new byte[32], 3, 1);
        rejected(provider, new InferenceTx.SettleInference(modelId, List.of(unknownKey)), Rejection.UNKNOWN_KEY);
        InferenceTx.Served served = new InferenceTx.Served(keyHash, REQUEST.hash(), new byte[32], 3, 1);
        rejected(buyer, new InferenceTx.SettleInference(modelId, List.of(served)), Rejection.NOT_MODEL_OWNER);
        rejected(provider, new InferenceTx.SettleInference(new byte[32], List.of(served)), Rejection.UNKNOWN_MODEL);
        InferenceTx.Served tooMuch = new InferenceTx.Served(keyHash, REQUEST.hash(), new byte[32], 20_000_000, 1);
        rejected(provider, new InferenceTx.SettleInference(modelId, List.of(tooMuch)), Rejection.INSUFFICIENT_ESCROW);
        rejected(buyer, new InferenceTx.WithdrawInference(11 * TOKEN), Rejection.INSUFFICIENT_ESCROW);
        rejected(buyer, new InferenceTx.RegisterApiKey(keyHash, 0), Rejection.ALREADY_REGISTERED);
        rejected(verifier, new InferenceTx.ChallengeInference(REQUEST.encode(), new byte[32]), Rejection.UNKNOWN_HOLD);
        rejected(buyer, new InferenceTx.RegisterModel("x", "{}".getBytes(StandardCharsets.UTF_8), new byte[32], 1),
                Rejection.INSUFFICIENT_STAKE);
        ok(buyer, new InferenceTx.WithdrawInference(4 * TOKEN));
        assertSupplyKept();
    }

    /** Plays the dispute through move transactions until it settles; returns its final view. */
    InferenceViews.DisputeView playOut(InferencePlayer providerSide, InferencePlayer challengerSide) {
        for (int guard = 0; guard < 200; guard++) {
            InferenceViews.DisputeView view = (InferenceViews.DisputeView) InferenceQuery.answer(state, "dispute:1");
            if (!view.open()) return view;
            InferenceGame game = InferenceGame.decode(Hashes.unhex(view.game()));
            boolean providerTurn = game.turn() == InferenceGame.Party.PROVIDER;
            InferenceMove move = (providerTurn ? providerSide : challengerSide).next(game);
            if (move == null || !submit(providerTurn ? provider : verifier, new InferenceTx.InferenceMove(1, move.encode())).accepted()) {
                state.applyBlock(); // the party cannot move: its deadline passes
            }
        }
        throw new AssertionError("the dispute did not settle");
    }

    @Test
    void aProviderServingBf16LogitsIsSlashedAndTheBuyerRefunded() {
        setUp();
        InferenceTrace.Replica cheat = InferenceCheats.bf16Logits(honest);
        List<ResponseLeaf> served = InferenceTrace.responseLeaves(cheat, REQUEST, new int[] {4});
        ok(provider, new InferenceTx.SettleInference(modelId, List.of(new InferenceTx.Served(keyHash, REQUEST.hash(),
                InferenceCommitments.responseRoot(served), 4, 4))));
        long escrowAfterCharge = state.inference.escrow.get(buyer.address());
        long stakeBefore = state.account(provider.address()).stake();
        byte[] honestRoot = InferenceCommitments.responseRoot(InferenceTrace.responseLeaves(honest, REQUEST, new int[] {4}));
        ok(verifier, new InferenceTx.ChallengeInference(REQUEST.encode(), honestRoot));
        assertSupplyKept();
        InferenceViews.DisputeView settled = playOut(new InferencePlayer(InferenceGame.Party.PROVIDER, REQUEST, cheat, served),
                new InferencePlayer(InferenceGame.Party.CHALLENGER, REQUEST, honest, null));
        assertEquals("CHALLENGER_WINS by REFEREE", settled.outcome());
        assertEquals(stakeBefore / 2, state.account(provider.address()).stake());
        assertEquals(escrowAfterCharge + 8 * PRICE, state.inference.escrow.get(buyer.address()));
        assertNull(InferenceQuery.answer(state, "hold:" + Hashes.hex(REQUEST.hash())));
        assertEquals(1, state.account(provider.address()).penalties().size());
        assertSupplyKept();
    }

    @Test
    void aProviderBillingMoreTokensThanItCommittedLosesOnAnAgreedRoot() {
        setUp();
        List<ResponseLeaf> served = InferenceTrace.responseLeaves(honest, REQUEST, new int[] {4});
        byte[] root = InferenceCommitments.responseRoot(served);
        ok(provider, new InferenceTx.SettleInference(modelId, List.of(new InferenceTx.Served(keyHash, REQUEST.hash(), root, 4, 40))));
        ok(verifier, new InferenceTx.ChallengeInference(REQUEST.encode(), root));
        InferenceViews.DisputeView settled = playOut(new InferencePlayer(InferenceGame.Party.PROVIDER, REQUEST, honest, served),
                new InferencePlayer(InferenceGame.Party.CHALLENGER, REQUEST, honest, null));
        assertEquals("CHALLENGER_WINS by REFEREE", settled.outcome());
        assertEquals(1, state.account(provider.address()).penalties().size());
        assertSupplyKept();
    }

    @Test
    void anHonestProviderChallengedByALyingVerifierKeepsItsStakeAndIsPaid() {
        setUp();
        List<ResponseLeaf> served = InferenceTrace.responseLeaves(honest, REQUEST, new int[] {4});
        ok(provider, new InferenceTx.SettleInference(modelId, List.of(new InferenceTx.Served(keyHash, REQUEST.hash(),
                InferenceCommitments.responseRoot(served), 4, 4))));
        InferenceTrace.Replica lying = InferenceCheats.bf16Logits(honest);
        byte[] lyingRoot = InferenceCommitments.responseRoot(InferenceTrace.responseLeaves(lying, REQUEST, new int[] {4}));
        long stakeBefore = state.account(provider.address()).stake();
        ok(verifier, new InferenceTx.ChallengeInference(REQUEST.encode(), lyingRoot));
        InferenceViews.DisputeView settled = playOut(new InferencePlayer(InferenceGame.Party.PROVIDER, REQUEST, honest, served),
                new InferencePlayer(InferenceGame.Party.CHALLENGER, REQUEST, lying, null));
        assertEquals("PROVIDER_WINS by REFEREE", settled.outcome());
        assertEquals(stakeBefore, state.account(provider.address()).stake());
        assertEquals(1, state.account(verifier.address()).penalties().size());
        for (long h = 0; h <= state.params().challengeWindowBlocks() + 1; h++) state.applyBlock();
        assertNull(InferenceQuery.answer(state, "hold:" + Hashes.hex(REQUEST.hash())), "paid once the window passed");
        assertNotNull(InferenceQuery.answer(state, "dispute:1"));
        assertSupplyKept();
        LedgerState copy = LedgerState.decode(state.encode());
        assertArrayEquals(state.stateRoot(), copy.stateRoot(), "the inference section survives a snapshot");
    }
    static final InferenceRequest EMBEDDING = InferenceRequest.embedding("embd-1-0", new int[] {1, 50, 51, 52, 53});

    static byte[] pooledRoot(InferenceTrace.Replica replica) {
        return InferencePooling.pooledRoot(InferencePooling.pool(InferenceTrace.run(replica, EMBEDDING.prompt()).hiddenStates(),
                Parallelism.single()));
    }

    void settleEmbedding(byte[] pooledRoot) {
        ok(provider, new InferenceTx.SettleInference(modelId, List.of(new InferenceTx.Served(keyHash, EMBEDDING.hash(),
                InferenceCommitments.embeddingRoot(pooledRoot), 5, 0))));
    }

    @Test
    void anEmbeddingIsHeldForItsPromptTokensAndPaidToTheProviderAfterTheWindow() {
        setUp();
        long providerBefore = state.account(provider.address()).balance();
        long escrowBefore = state.inference.escrow.get(buyer.address());
        settleEmbedding(pooledRoot(honest));
        InferenceViews.HoldView hold = (InferenceViews.HoldView) InferenceQuery.answer(state, "hold:" + Hashes.hex(EMBEDDING.hash()));
        assertEquals(5 * PRICE, hold.amount());
        assertEquals(0, hold.completionTokens());
        assertEquals(escrowBefore - 5 * PRICE, state.inference.escrow.get(buyer.address()));
        for (long h = 0; h <= state.params().challengeWindowBlocks() + 1; h++) state.applyBlock();
        assertNull(InferenceQuery.answer(state, "hold:" + Hashes.hex(EMBEDDING.hash())));
        assertEquals(providerBefore - state.params().txFee() + 5 * PRICE, state.account(provider.address()).balance());
        assertSupplyKept();
    }

    @Test
    void aProviderThatFakesThePoolingIsSlashedThereAndBadPoolingMovesChangeNothing() {
        setUp();
        InferenceTrace trace = InferenceTrace.run(honest, EMBEDDING.prompt());
        Tensor states = trace.hiddenStates();
        float[] skewed = states.data().clone();
        for (int i = 0; i < skewed.length; i++) skewed[i] *= 2f; // a sum over two copies passed off as the mean
        byte[] faked = InferencePooling.pooledRoot(InferencePooling.pool(Tensor.of(states.shape(), skewed), Parallelism.single()));
        settleEmbedding(faked);
        long escrowAfterCharge = state.inference.escrow.get(buyer.address());
        long stakeBefore = state.account(provider.address()).stake();
        ok(verifier, new InferenceTx.ChallengeInference(EMBEDDING.encode(), InferenceCommitments.embeddingRoot(pooledRoot(honest))));
        ok(provider, new InferenceTx.InferenceMove(1, new InferenceMove.OpenEmbedding(faked, trace.root()).encode()));
        rejected(buyer, new InferenceTx.InferenceMove(1, new InferenceMove.PickPooling(true).encode()), Rejection.NOT_PARTY);
        rejected(provider, new InferenceTx.InferenceMove(1, new InferenceMove.PickPooling(true).encode()), "NOT_YOUR_TURN");
        ok(verifier, new InferenceTx.InferenceMove(1, new InferenceMove.PickPooling(true).encode()));
        rejected(provider, new InferenceTx.InferenceMove(1, new InferenceMove.SettlePooling(Tensor.of(states.shape(), skewed),
                trace.hiddenStateProofs()).encode()), "BAD_PROOF");
        rejected(provider, new InferenceTx.InferenceMove(1, new InferenceMove.OpenResponse(List.of(new ResponseLeaf(0, 0, 1,
                new byte[32]))).encode()), "WRONG_KIND");
        InferenceViews.DisputeView settled = playOut(
                InferencePlayer.forEmbedding(InferenceGame.Party.PROVIDER, EMBEDDING, honest, faked, state.params().maxRefereeBytes()),
                InferencePlayer.forEmbedding(InferenceGame.Party.CHALLENGER, EMBEDDING, honest, null, state.params().maxRefereeBytes()));
        assertEquals("CHALLENGER_WINS by REFEREE", settled.outcome());
        assertTrue(InferenceGame.decode(Hashes.unhex(settled.game())).pooled());
        assertEquals(stakeBefore / 2, state.account(provider.address()).stake());
        assertEquals(escrowAfterCharge + 5 * PRICE, state.inference.escrow.get(buyer.address()), "the buyer is refunded");
        assertSupplyKept();
    }

    @Test
    void anHonestEmbeddingProviderBeatsAVerifierWithACorruptedHiddenState() {
        setUp();
        settleEmbedding(pooledRoot(honest));
        InferenceTrace.Replica lying = InferenceCheats.corruptHiddenState(honest);
        ok(verifier, new InferenceTx.ChallengeInference(EMBEDDING.encode(), InferenceCommitments.embeddingRoot(pooledRoot(lying))));
        long bound = state.params().maxRefereeBytes();
        InferenceViews.DisputeView settled = playOut(
                InferencePlayer.forEmbedding(InferenceGame.Party.PROVIDER, EMBEDDING, honest, pooledRoot(honest), bound),
                InferencePlayer.forEmbedding(InferenceGame.Party.CHALLENGER, EMBEDDING, lying, null, bound));
        assertEquals("PROVIDER_WINS by REFEREE", settled.outcome());
        assertTrue(settled.operator() >= 0, "settled at one operator of position " + settled.position());
        assertEquals(1, state.account(verifier.address()).penalties().size());
        LedgerState copy = LedgerState.decode(state.encode());
        assertArrayEquals(state.stateRoot(), copy.stateRoot(), "an embedding game survives a snapshot");
        assertSupplyKept();
    }
}
