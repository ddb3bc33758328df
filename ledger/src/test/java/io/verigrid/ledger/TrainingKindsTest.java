package io.verigrid.ledger;

import static io.verigrid.ledger.TestChain.TOKEN;
import static io.verigrid.ledger.TestChain.keys;
import static org.junit.jupiter.api.Assertions.*;

import io.verigrid.engine.Dataset;
import io.verigrid.engine.Fault;
import io.verigrid.engine.FineTuning;
import io.verigrid.engine.GptConfig;
import io.verigrid.engine.GptModel;
import io.verigrid.engine.LearningRate;
import io.verigrid.engine.LmJob;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.TrainingJob;
import io.verigrid.ledger.tx.SignedTx;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.verify.Bisection;
import io.verigrid.verify.Commitments;
import io.verigrid.verify.DisputeGame;
import io.verigrid.verify.Hashes;
import io.verigrid.verify.LocalRun;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Language-model jobs on the ledger state machine: orders of kinds lm and lm-finetune, their R_0 (computed for a
 * seeded job, declared for fine-tuning), a dispute on an LM unit refereed down to one operator inside the state
 * machine, and the bad input the ledger refuses without changing anything.
 */
class TrainingKindsTest {
    private static final GptModel GPT = new GptModel(new GptConfig(32, 8, 16, 1, 2, 1e-5f, true));
    private static final LmJob JOB = new LmJob(GPT, 11, 16, 4, 8, 4, 2, new LearningRate(1e-2f, 1e-3f, 1, 4), 0.9f, 0.95f,
            1e-8f, 0.01f, 1f);
    private static final Dataset DATA = tokens();
    private static final TxBody.DatasetBlob BLOB = new TxBody.DatasetBlob(Hashes.hex(Hashes.sha256("blob".getBytes(StandardCharsets.UTF_8))),
            List.of("http://127.0.0.1:9101", "http://127.0.0.1:9102"));
    private static final long GIB = 1L << 30;
    private static LocalRun honest, faulty;
    private static Fault fault;

    private final Keys buyer = keys(1), provider = keys(2), verifier = keys(3);
    private final Params params = Params.defaults();
    private final LedgerState state = LedgerState.fromGenesis(TestChain.genesis());

    private static Dataset tokens() {
        int[] stream = new int[16 * 8 + 1];
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < stream.length; i++) stream[i] = random.nextInt(32);
        return LmJob.windows(stream, 8, 32);
    }

    @BeforeAll
    static void runUnitOne() {
        // A bit of the first matmul's output (the QKV projection) at step 2: a query of position 2, which attends to
        // three keys (position 0's query attends to one key only, so flipping it changes nothing).
        int matmul = 0;
        while (!JOB.program(2).get(matmul).kind().equals("matmul")) matmul++;
        fault = Fault.bitFlip(2, matmul, 2 * 48 + 4, 1 << 21);
        honest = LocalRun.execute(JOB, DATA, JOB.initialState(), 2, Parallelism.single(), null);
        faulty = LocalRun.execute(JOB, DATA, JOB.initialState(), 2, Parallelism.single(), fault);
    }

    private TxResult send(Keys k, TxBody body) {
        return state.apply(TestChain.tx(k, state.account(k.publicKey()).nonce() + 1, body));
    }

    private void ok(Keys k, TxBody body) {
        TxResult r = send(k, body);
        assertTrue(r.accepted(), r.code() + ": " + r.message());
    }

    private void rejected(String code, String message, Keys k, TxBody body) {
        byte[] root = state.stateRoot();
        TxResult r = send(k, body);
        assertEquals(code, r.code(), r.message());
        assertTrue(r.message().contains(message), r.message());
        assertArrayEquals(root, state.stateRoot(), "a rejected tx changes nothing");
    }

    private TxBody.PostOrder order(int kind, byte[] spec) {
        return new TxBody.PostOrder(kind, spec, Commitments.datasetRoot(DATA), TOKEN, 1_000_000, 0, 0, 3, 200, BLOB);
    }

    /** The provider registers and bids, the auction closes: job 1 is leased to it. */
    private void lease(TrainingJob spec) {
        ok(provider, new TxBody.Stake(params.minProviderStake()));
        ok(provider, new TxBody.RegisterProvider("http://127.0.0.1:9000", 1_000, 8 * GIB, 100 * GIB));
        ok(verifier, new TxBody.Stake(params.minVerifierStake()));
        ok(buyer, order(spec.kind().code(), spec.encode()));
        ok(provider, new TxBody.PlaceBid(1, TOKEN));
        for (int i = 0; i < 3; i++) state.applyBlock();
        assertEquals("LEASED", state.job(1).status());
        assertEquals(spec.kind().tag(), state.job(1).kind());
    }

    @Test
    void anLmJobsR0IsTheSeededStatesAndAFineTuningJobsIsTheDeclaredOne() {
        ok(buyer, order(TrainingJob.Kind.LM.code(), JOB.encode()));
        JobView lm = state.job(1);
        assertEquals("lm", lm.kind());
        assertEquals(Hashes.hex(Commitments.stateRoot(JOB.initialState())), lm.r0());
        assertArrayEquals(JOB.encode(), lm.spec().encode(), "the view decodes the spec by its kind");

        byte[] declared = Hashes.sha256("declared".getBytes(StandardCharsets.UTF_8));
        LmJob tune = JOB.withFineTuning(FineTuning.lora(Hashes.sha256("base".getBytes(StandardCharsets.UTF_8)), declared, 2, 4f, List.of("c_attn")));
        ok(buyer, order(TrainingJob.Kind.LM_FINETUNE.code(), tune.encode()));
        assertEquals("lm-finetune", state.job(2).kind());
        assertEquals(Hashes.hex(declared), state.job(2).r0(), "the ledger cannot build a checkpoint's state: it takes the declared root");
        LedgerState copy = LedgerState.decode(state.encode());
        assertArrayEquals(state.stateRoot(), copy.stateRoot(), "a snapshot keeps each job's kind");
        assertEquals("lm-finetune", copy.job(2).kind());
    }

    @Test
    void unknownKindsArchitecturesAndMismatchedSpecsAreRefusedAndChangeNothing() {
        rejected(MarketRules.BAD_ORDER, "unknown job kind 9", buyer, order(9, JOB.encode()));
        byte[] alien = JOB.encode();
        alien[1] = 7; // the architecture byte
        rejected(Rejection.BAD_JOB, "unknown model architecture 7", buyer, order(TrainingJob.Kind.LM.code(), alien));
        rejected(Rejection.BAD_JOB, "not lm-finetune", buyer, order(TrainingJob.Kind.LM_FINETUNE.code(), JOB.encode()));
        LmJob tune = JOB.withFineTuning(FineTuning.full(new byte[32], new byte[32], List.of("transformer.wpe.")));
        rejected(Rejection.BAD_JOB, "not lm", buyer, order(TrainingJob.Kind.LM.code(), tune.encode()));
        rejected(Rejection.BAD_JOB, "not a mlp job", buyer, order(TrainingJob.Kind.MLP.code(), JOB.encode()));
        rejected(Rejection.BAD_JOB, "trains on a dataset blob", buyer, new TxBody.PostOrder(TrainingJob.Kind.LM.code(), JOB.encode(),
                Commitments.datasetRoot(DATA), TOKEN, 0, 0, 0, 3, 200));
        rejected(Rejection.BAD_JOB, "not a mlp job", buyer, new TxBody.PostJob(JOB.encode(), TOKEN, 0));
    }

    @Test
    void aCheatOnAnLmUnitIsRefereedToItsOperatorInsideTheStateMachine() {
        lease(JOB);
        ok(provider, new TxBody.CommitUnit(1, 1, faulty.stateRoot(2)));
        state.applyBlock();
        ok(verifier, new TxBody.Challenge(1, 1, honest.stateRoot(2)));
        long id = state.job(1).openDisputeId();

        // Out of turn, and by the wrong party: refused, nothing changes.
        rejected(Rejection.NOT_YOUR_TURN, "provider's", verifier, DisputeMoves.provider(id, state.dispute(id).decodeGame(), honest));
        DisputeView view = state.dispute(id);
        while (view.outcome() == null) {
            DisputeGame game = view.decodeGame();
            boolean providerTurn = game.turn() == DisputeGame.Party.PROVIDER;
            TxBody move = providerTurn ? DisputeMoves.provider(id, game, faulty) : DisputeMoves.challenger(id, game, honest);
            Keys mover = providerTurn ? provider : verifier;
            SignedTx tx = TestChain.tx(mover, state.account(mover.publicKey()).nonce() + 1, move);
            TxResult r = state.applyEncoded(SignedTx.decode(tx.encode()).encode());
            assertTrue(r.accepted(), move.getClass().getSimpleName() + " " + r.code() + ": " + r.message());
            view = state.dispute(id);
        }
        DisputeOutcome o = view.outcome();
        assertEquals("CHALLENGER_WINS", o.verdict());
        assertEquals("REFEREE", o.reason());
        assertEquals(fault.step(), o.step(), "the faulty step");
        assertEquals(fault.opIndex(), o.operatorIndex(), "the faulty operator");
        assertEquals("matmul", o.opKind());
        int traceLength = JOB.program(2).size();
        int bound = Bisection.ceilLog(params.fanout(), JOB.units()) + Bisection.ceilLog(params.fanout(), JOB.checkpointInterval())
                + Bisection.ceilLog(params.fanout(), traceLength) + 1;
        assertTrue(o.rounds() <= bound, "rounds " + o.rounds() + " within spec §6's bound " + bound);
        assertEquals(params.minProviderStake() / 2, o.providerSlashed());
        assertTrue(state.job(1).bannedProviders().contains(provider.address()));
    }

    @Test
    void aChallengeAfterTheWindowIsRefusedAndChangesNothing() {
        lease(JOB);
        ok(provider, new TxBody.CommitUnit(1, 1, faulty.stateRoot(2)));
        ok(provider, new TxBody.CommitUnit(1, 2, Hashes.sha256("R_2".getBytes(StandardCharsets.UTF_8)))); // no unit deadline left
        for (long i = 0; i <= params.challengeWindowBlocks(); i++) {
            if (i % 4 == 0) ok(provider, new TxBody.Heartbeat(1)); // the lessee stays alive while the window runs
            state.applyBlock();
        }
        rejected(Rejection.WINDOW_CLOSED, "window closed", verifier, new TxBody.Challenge(1, 1, honest.stateRoot(2)));
    }
}
