package io.verigrid.ledger;

import static io.verigrid.ledger.TestChain.FUNDS;
import static io.verigrid.ledger.TestChain.TOKEN;
import static io.verigrid.ledger.TestChain.keys;
import static org.junit.jupiter.api.Assertions.*;

import io.verigrid.engine.MlpJob;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.verify.Commitments;
import io.verigrid.verify.Hashes;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JobLifecycleTest {
    private final Keys buyer = keys(1), provider = keys(2), verifier = keys(3), outsider = keys(4);
    private final Params params = Params.defaults();
    private final LedgerState state = LedgerState.fromGenesis(TestChain.genesis());
    private final MlpJob spec = MlpJob.demo();
    private final long price = 100 * TOKEN + 7; // not a multiple of the 10 units: 7 units of rounding go back

    private TxResult send(Keys k, TxBody body) {
        return state.apply(TestChain.tx(k, state.account(k.publicKey()).nonce() + 1, body));
    }

    private void ok(Keys k, TxBody body) {
        TxResult r = send(k, body);
        assertTrue(r.accepted(), r.code() + ": " + r.message());
    }

    private void rejected(String code, Keys k, TxBody body) {
        byte[] root = state.stateRoot();
        TxResult r = send(k, body);
        assertEquals(code, r.code(), r.message());
        assertArrayEquals(root, state.stateRoot(), "a rejected tx changes nothing");
    }

    private static byte[] root(int unit) {
        return Hashes.sha256(("R_" + unit).getBytes(StandardCharsets.UTF_8));
    }

    private void blocks(long n) {
        for (long i = 0; i < n; i++) state.applyBlock();
    }

    @Test
    void aJobIsEscrowedLeasedCommittedVerifiedAndPaidToTheEnd() {
        ok(buyer, new TxBody.PostJob(spec.encode(), price, 100_000));
        JobView job = state.job(1);
        assertEquals("OPEN", job.status());
        assertEquals(10, job.units());
        assertEquals(Hashes.hex(Commitments.stateRoot(spec.initialState())), job.r0());
        assertEquals(Hashes.hex(Commitments.datasetRoot(spec.dataset())), job.datasetRoot());
        assertEquals(price, job.escrow());

        rejected(Rejection.INSUFFICIENT_STAKE, provider, new TxBody.AcceptJob(1));
        ok(provider, new TxBody.Stake(params.minProviderStake()));
        rejected(Rejection.UNKNOWN_JOB, provider, new TxBody.AcceptJob(2));
        ok(provider, new TxBody.AcceptJob(1));
        assertEquals("LEASED", state.job(1).status());
        rejected(Rejection.JOB_NOT_OPEN, outsider, new TxBody.AcceptJob(1));
        rejected(Rejection.STAKE_LOCKED, provider, new TxBody.Unstake(1));

        rejected(Rejection.NOT_LESSEE, outsider, new TxBody.CommitUnit(1, 1, root(1)));
        rejected(Rejection.WRONG_UNIT, provider, new TxBody.CommitUnit(1, 2, root(2)));
        ok(provider, new TxBody.CommitUnit(1, 1, root(1)));
        long commitHeight = state.height() + 1;
        assertNull(state.sampleSeed(1, 1), "the seed block does not exist yet");

        // unit 1: verified by an attestation, paid at once
        rejected(Rejection.INSUFFICIENT_STAKE, verifier, new TxBody.Attest(1, 1, root(1)));
        ok(verifier, new TxBody.Stake(params.minVerifierStake()));
        rejected(Rejection.SELF_VERIFY, provider, new TxBody.Attest(1, 1, root(1)));
        rejected(Rejection.ROOT_MISMATCH, verifier, new TxBody.Attest(1, 1, root(99)));
        long before = state.account(provider.publicKey()).balance();
        ok(verifier, new TxBody.Attest(1, 1, root(1)));
        assertEquals(before + price / 10, state.account(provider.publicKey()).balance());
        assertEquals("ATTEST:" + verifier.address(), state.job(1).commits().get(0).verifiedBy());
        rejected(Rejection.ALREADY_VERIFIED, verifier, new TxBody.Attest(1, 1, root(1)));

        blocks(params.sampleDelayBlocks());
        assertNull(state.sampleSeed(1, 1), "block commitHeight + delay is still being built");
        blocks(1);
        assertArrayEquals(Hashes.unhex(state.block(commitHeight + params.sampleDelayBlocks()).hash()), state.sampleSeed(1, 1));

        // units 2..10: nobody objects, the window passes, they are paid at the block after it
        for (int u = 2; u <= 10; u++) ok(provider, new TxBody.CommitUnit(1, u, root(u)));
        rejected(Rejection.WRONG_UNIT, provider, new TxBody.CommitUnit(1, 11, root(11)));
        long lastCommit = state.height() + 1;
        blocks(lastCommit + params.challengeWindowBlocks() - state.height() - 1);
        assertEquals(1, state.job(1).verifiedUnits(), "still inside the window");
        rejected(Rejection.ROOT_MISMATCH, verifier, new TxBody.Challenge(1, 10, root(10)));
        blocks(1);
        assertEquals(1, state.job(1).verifiedUnits(), "the window's last block");
        blocks(1);
        JobView done = state.job(1);
        assertEquals("DONE", done.status());
        assertEquals(10, done.verifiedUnits());
        assertEquals(10 * (price / 10), done.paid());
        assertEquals(0, done.escrow());
        assertEquals(FUNDS - price + 7 - 1 * params.txFee(), state.account(buyer.publicKey()).balance());
        rejected(Rejection.ALREADY_VERIFIED, verifier, new TxBody.Challenge(1, 10, root(77)));
        LedgerStateTest.assertSupplyConserved(state);
    }

    @Test
    void aChallengeAfterTheWindowIsRefused() {
        ok(buyer, new TxBody.PostJob(spec.encode(), price, 0));
        ok(provider, new TxBody.Stake(params.minProviderStake()));
        ok(verifier, new TxBody.Stake(params.minVerifierStake()));
        ok(provider, new TxBody.AcceptJob(1));
        ok(provider, new TxBody.CommitUnit(1, 1, root(1)));
        ok(provider, new TxBody.CommitUnit(1, 2, root(2)));
        rejected(Rejection.SELF_VERIFY, provider, new TxBody.Challenge(1, 1, root(5)));
        // both landed in block 1: the window admits challenges landing up to block 1 + window
        blocks(params.challengeWindowBlocks() + 1);
        assertEquals(0, state.job(1).verifiedUnits(), "not paid before the first block past the window");
        rejected(Rejection.WINDOW_CLOSED, verifier, new TxBody.Challenge(1, 1, root(5)));
        blocks(1);
        assertEquals(2, state.job(1).verifiedUnits(), "paid at the first block past the window");
    }

    @Test
    void aMalformedJobSpecIsRefused() {
        rejected(Rejection.BAD_JOB, buyer, new TxBody.PostJob(new byte[] {1, 2, 3}, price, 0));
        rejected(Rejection.BAD_JOB, buyer, new TxBody.PostJob(spec.encode(), 9, 0));
        MlpJob huge = new MlpJob(1, 4096, 64, 4, 100_000, 64, 0.05f, 0.9f, 20, 20);
        rejected(Rejection.BAD_JOB, buyer, new TxBody.PostJob(huge.encode(), price, 0));
        rejected(Rejection.INSUFFICIENT_BALANCE, buyer, new TxBody.PostJob(spec.encode(), FUNDS, 0));
    }

    @Test
    void aJobSamplesAtLeastTheChainsRateAndMoreWhenItsUnitsAreDearer() {
        MlpJob cheap = new MlpJob(3, 8, 8, 2, 64, 8, 0.05f, 0.9f, 40, 4); // 10 units
        ok(buyer, new TxBody.PostJob(cheap.encode(), 2 * TOKEN, 0));
        assertEquals(params.samplePpm(), state.job(1).samplePpm(), "0 takes the chain's default");
        ok(buyer, new TxBody.PostJob(cheap.encode(), 2 * TOKEN, 200_000));
        assertEquals(200_000, state.job(2).samplePpm(), "a buyer may ask for more");
        // 10 tokens per unit against S = 50: the least p with p·60 > 10 is 166 667 ppm
        ok(buyer, new TxBody.PostJob(cheap.encode(), 100 * TOKEN, 50_000));
        assertEquals(166_667, state.job(3).samplePpm());
        assertTrue(166_667L * (params.minSlash() + 10 * TOKEN) > 10 * TOKEN * Params.PPM);
        assertFalse(166_666L * (params.minSlash() + 10 * TOKEN) > 10 * TOKEN * Params.PPM);
    }
}
