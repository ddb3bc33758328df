package io.verigrid.ledger;

import static io.verigrid.ledger.TestChain.TOKEN;
import static io.verigrid.ledger.TestChain.keys;
import static org.junit.jupiter.api.Assertions.*;

import io.verigrid.engine.Dataset;
import io.verigrid.engine.Fault;
import io.verigrid.engine.MlpJob;
import io.verigrid.engine.Parallelism;
import io.verigrid.ledger.tx.SignedTx;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.verify.Bisection;
import io.verigrid.verify.DisputeGame;
import io.verigrid.verify.LocalRun;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Disputes played through LedgerState with the real engine: MlpJob.demo(), unit 1, a bit flipped in one step. */
class DisputeTest {
    private static final MlpJob JOB = MlpJob.demo();
    /** Op 8 of a step is softmax_xent_backward: every gradient and update depends on it. */
    private static final Fault FAULT = new Fault(7, 8, 0, 1 << 22);
    private static LocalRun honest, faulty;

    private final Keys buyer = keys(1), provider = keys(2), verifier = keys(3), outsider = keys(4);
    private final Params params = Params.defaults();
    private final LedgerState state = LedgerState.fromGenesis(TestChain.genesis());
    private final long providerStake = 200 * TOKEN;

    @BeforeAll
    static void runUnitOne() {
        Dataset data = JOB.dataset();
        honest = LocalRun.execute(JOB, data, JOB.initialState(), JOB.checkpointInterval(), Parallelism.single(), null);
        faulty = LocalRun.execute(JOB, data, JOB.initialState(), JOB.checkpointInterval(), Parallelism.single(), FAULT);
    }

    private TxResult send(Keys k, TxBody body) {
        return state.apply(TestChain.tx(k, state.account(k.publicKey()).nonce() + 1, body));
    }

    private void ok(Keys k, TxBody body) {
        TxResult r = send(k, body);
        assertTrue(r.accepted(), r.code() + ": " + r.message());
    }

    /** Job 1 leased by the provider, unit 1 committed from {@code providerRun}, challenged from {@code challengerRun}. */
    private long openDispute(LocalRun providerRun, LocalRun challengerRun) {
        ok(buyer, new TxBody.PostJob(JOB.encode(), 100 * TOKEN, 100_000));
        ok(provider, new TxBody.Stake(providerStake));
        ok(verifier, new TxBody.Stake(params.minVerifierStake()));
        ok(provider, new TxBody.AcceptJob(1));
        ok(provider, new TxBody.CommitUnit(1, 1, providerRun.stateRoot(20)));
        state.applyBlock();
        ok(verifier, new TxBody.Challenge(1, 1, challengerRun.stateRoot(20)));
        assertEquals(1, state.job(1).openDisputeId());
        return 1;
    }

    /** Both parties play from their own runs until the game settles; returns {provider, challenger} moves sent. */
    private int[] play(long id, LocalRun providerRun, LocalRun challengerRun) {
        int[] moves = new int[2];
        DisputeView view = state.dispute(id);
        while (view.outcome() == null) {
            DisputeGame game = view.decodeGame();
            boolean providerTurn = game.turn() == DisputeGame.Party.PROVIDER;
            TxBody move = providerTurn ? DisputeMoves.provider(id, game, providerRun)
                    : DisputeMoves.challenger(id, game, challengerRun);
            SignedTx tx = TestChain.tx(providerTurn ? provider : verifier,
                    state.account((providerTurn ? provider : verifier).publicKey()).nonce() + 1, move);
            // every move survives the wire format
            TxResult r = state.applyEncoded(SignedTx.decode(tx.encode()).encode());
            assertTrue(r.accepted(), move.getClass().getSimpleName() + " " + r.code() + ": " + r.message());
            moves[providerTurn ? 0 : 1]++;
            view = state.dispute(id);
        }
        return moves;
    }

    @Test
    void aCheatingProviderIsSlashedTheChallengerRewardedAndTheJobReopened() {
        assertFalse(java.util.Arrays.equals(honest.stateRoot(20), faulty.stateRoot(20)), "the fault changes R_1");
        long id = openDispute(faulty, honest);
        long challengerBefore = state.account(verifier.publicKey()).balance();
        long burnedBefore = state.burned();
        int[] moves = play(id, faulty, honest);

        DisputeOutcome o = state.dispute(id).outcome();
        assertEquals("CHALLENGER_WINS", o.verdict());
        assertEquals("REFEREE", o.reason());
        assertEquals(7, o.step(), "narrowed to the faulty step");
        assertEquals(8, o.operatorIndex(), "and to the faulty operator");
        assertNotNull(o.opKind());
        int bound = Bisection.ceilLog(params.fanout(), 20) + Bisection.ceilLog(params.fanout(), 64) + 4;
        assertTrue(o.rounds() <= bound, "rounds " + o.rounds());

        long slash = providerStake / 2;
        assertEquals(slash, o.providerSlashed());
        assertEquals(slash / 2, o.toChallenger());
        AccountView p = state.account(provider.publicKey());
        assertEquals(providerStake - slash, p.stake());
        assertEquals(java.util.List.of(1L), p.bannedFromJobs());
        assertEquals(Penalty.SLASH, p.penalties().get(0).kind());
        assertTrue(p.penalties().get(0).reason().startsWith("CHALLENGER_WINS by REFEREE in dispute 1"), p.penalties().get(0).reason());
        long challengerFees = moves[1] * params.txFee(); // the challenger's picks paid fees
        AccountView v = state.account(verifier.publicKey());
        assertEquals(challengerBefore + params.challengeBond() + params.challengeFee() + slash / 2,
                v.balance() + challengerFees, "bond and fee back, plus the winner's share");

        JobView job = state.job(1);
        assertEquals("OPEN", job.status());
        assertEquals(0, job.openDisputeId());
        assertTrue(job.commits().isEmpty(), "unit 1 and later are dropped");
        assertTrue(job.bannedProviders().contains(provider.address()));
        assertEquals(Rejection.BANNED, send(provider, new TxBody.AcceptJob(1)).code());
        assertEquals(burnedBefore + (slash - slash / 2) + (long) (moves[0] + moves[1]) * params.txFee(), state.burned());
        LedgerStateTest.assertSupplyConserved(state);

        // an honest provider re-leases the job and resumes from R_0
        ok(outsider, new TxBody.Stake(params.minProviderStake()));
        ok(outsider, new TxBody.AcceptJob(1));
        ok(outsider, new TxBody.CommitUnit(1, 1, honest.stateRoot(20)));
    }

    @Test
    void aWrongChallengerForfeitsItsBondAndTheProviderKeepsItsStake() {
        long id = openDispute(honest, faulty);
        long providerBefore = state.account(provider.publicKey()).balance();
        int[] moves = play(id, honest, faulty);

        DisputeOutcome o = state.dispute(id).outcome();
        assertEquals("PROVIDER_WINS", o.verdict());
        assertEquals(0, o.providerSlashed());
        assertEquals(params.challengeBond(), o.challengerForfeited());
        long share = params.challengeBond() / 2;
        assertEquals(share + params.challengeFee(), o.toProvider());
        assertEquals(providerStake, state.account(provider.publicKey()).stake());
        long providerFees = moves[0] * params.txFee();
        assertEquals(providerBefore + share + params.challengeFee() - providerFees,
                state.account(provider.publicKey()).balance());
        assertEquals(Penalty.BOND, state.account(verifier.publicKey()).penalties().get(0).kind());
        JobView job = state.job(1);
        assertEquals("LEASED", job.status());
        assertEquals(0, job.openDisputeId());
        assertEquals(1, job.commits().size(), "the unit stands");
        LedgerStateTest.assertSupplyConserved(state);

        // the frozen unit resumes: paid once its window has passed
        for (long h = 0; h <= params.challengeWindowBlocks(); h++) state.applyBlock();
        assertEquals(1, state.job(1).verifiedUnits());
    }

    @Test
    void whenTheRefereeMatchesNeitherClaimBothLoseAndEverythingTakenIsBurned() {
        // both parties computed op 8 of step 7 wrongly, each differently
        LocalRun otherFault = LocalRun.execute(JOB, JOB.dataset(), JOB.initialState(), JOB.checkpointInterval(),
                Parallelism.single(), new Fault(7, 8, 0, 1 << 21));
        long id = openDispute(faulty, otherFault);
        long burnedBefore = state.burned();
        int[] moves = play(id, faulty, otherFault);

        DisputeOutcome o = state.dispute(id).outcome();
        assertEquals("BOTH_LOSE", o.verdict());
        assertEquals(8, o.operatorIndex());
        assertEquals(providerStake / 2, o.providerSlashed());
        assertEquals(params.challengeBond(), o.challengerForfeited());
        assertEquals(0, o.toChallenger());
        assertEquals(0, o.toProvider());
        assertEquals(providerStake / 2 + params.challengeBond(), o.burned());
        assertEquals(burnedBefore + o.burned() + (long) (moves[0] + moves[1]) * params.txFee(), state.burned());
        assertEquals("OPEN", state.job(1).status());
        LedgerStateTest.assertSupplyConserved(state);
    }

    @Test
    void movesOutOfTurnOrByOutsidersAreRejectedAndChangeNothing() {
        long id = openDispute(faulty, honest);
        DisputeGame game = state.dispute(id).decodeGame();
        assertEquals(DisputeGame.Party.PROVIDER, game.turn());
        byte[] root = state.stateRoot();
        assertEquals(Rejection.NOT_YOUR_TURN, send(verifier, new TxBody.PickStepRange(id, 0)).code());
        assertEquals(Rejection.NOT_YOUR_TURN, send(provider, new TxBody.PickStepRange(id, 0)).code());
        assertEquals(Rejection.NOT_PARTY, send(outsider, DisputeMoves.provider(id, game, faulty)).code());
        assertEquals(Rejection.UNKNOWN_DISPUTE, send(provider, new TxBody.PickStepRange(9, 0)).code());
        assertEquals("WRONG_COUNT", send(provider, new TxBody.PostStepRoots(id, java.util.List.of())).code());
        assertArrayEquals(root, state.stateRoot());
        assertEquals(Rejection.DISPUTE_OPEN, send(outsider, new TxBody.Challenge(1, 1, honest.stateRoot(19))).code());
        assertEquals(Rejection.STAKE_LOCKED, send(provider, new TxBody.Unstake(1)).code());
        ok(provider, DisputeMoves.provider(id, game, faulty));
        assertEquals(Rejection.NOT_YOUR_TURN, send(provider, DisputeMoves.provider(id, game, faulty)).code());
    }

    @Test
    void aMissedDeadlineLosesTheGame() {
        long id = openDispute(faulty, honest);
        long deadline = state.dispute(id).deadline();
        while (state.height() < deadline) state.applyBlock();
        assertNull(state.dispute(id).outcome(), "not yet settled when the deadline block closes");
        state.applyBlock();
        DisputeOutcome o = state.dispute(id).outcome();
        assertEquals("CHALLENGER_WINS", o.verdict());
        assertEquals("TIMEOUT", o.reason());
        assertEquals(providerStake / 2, o.providerSlashed());
        assertEquals("OPEN", state.job(1).status());
        assertEquals("SETTLED", send(provider, new TxBody.PostStepRoots(id, java.util.List.of())).code());
        LedgerStateTest.assertSupplyConserved(state);
    }
}
