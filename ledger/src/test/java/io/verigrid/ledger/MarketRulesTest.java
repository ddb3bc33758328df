package io.verigrid.ledger;

import static io.verigrid.ledger.TestChain.TOKEN;
import static io.verigrid.ledger.TestChain.keys;
import static org.junit.jupiter.api.Assertions.*;

import io.verigrid.engine.MlpJob;
import io.verigrid.ledger.MarketViews.BidView;
import io.verigrid.ledger.MarketViews.LeaseView;
import io.verigrid.ledger.MarketViews.OrderView;
import io.verigrid.ledger.MarketViews.ProviderView;
import io.verigrid.ledger.tx.SignedTx;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.verify.Commitments;
import io.verigrid.verify.Hashes;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MarketRulesTest {
    private static final String URL = "http://127.0.0.1:9000";
    private static final long GFLOPS = 1_000; // MFLOP/s
    private static final long GIB = 1L << 30;
    private final Keys buyer = keys(1), p1 = keys(2), p2 = keys(3), p3 = keys(4), verifier = keys(5);
    private final Params params = Params.defaults();
    private final MarketParams market = MarketParams.defaults();
    private final LedgerState state = LedgerState.fromGenesis(TestChain.genesis());
    private final MlpJob spec = MlpJob.demo();
    private final byte[] dataset = Commitments.datasetRoot(spec.dataset());
    private final long maxPrice = 5 * TOKEN;

    private TxResult send(Keys k, TxBody body) {
        return state.apply(TestChain.tx(k, state.account(k.publicKey()).nonce() + 1, body));
    }

    private void ok(Keys k, TxBody body) {
        TxResult r = send(k, body);
        assertTrue(r.accepted(), r.code() + ": " + r.message());
    }

    private void rejected(String code, Keys k, TxBody body) {
        byte[] root = state.stateRoot();
        long supply = state.totalSupply();
        TxResult r = send(k, body);
        assertEquals(code, r.code(), r.message());
        assertArrayEquals(root, state.stateRoot(), "a rejected tx changes nothing");
        assertEquals(supply, state.totalSupply());
    }

    private void blocks(long n) {
        for (long i = 0; i < n; i++) state.applyBlock();
    }

    private TxBody.PostOrder order(long maxUnitPrice, long minMflops) {
        return new TxBody.PostOrder(MarketRules.KIND_MLP, spec.encode(), dataset, maxUnitPrice, 0, GIB, minMflops, 3, 200);
    }

    private void provider(Keys k, long mflops) {
        ok(k, new TxBody.Stake(params.minProviderStake()));
        ok(k, new TxBody.RegisterProvider(URL, mflops, 8 * GIB, 100 * GIB));
    }

    private OrderView orderView(long id) {
        return (OrderView) MarketQuery.answer(state, "order:" + id);
    }

    @SuppressWarnings("unchecked")
    private List<BidView> bids(long orderId) {
        return (List<BidView>) MarketQuery.answer(state, "bids:" + orderId);
    }

    private LeaseView lease(long id) {
        return (LeaseView) MarketQuery.answer(state, "lease:" + id);
    }

    private ProviderView providerView(Keys k) {
        return (ProviderView) MarketQuery.answer(state, "provider:" + k.address());
    }

    private static byte[] root(int unit) {
        return Hashes.sha256(("R_" + unit).getBytes(StandardCharsets.UTF_8));
    }

    private void commitAndAttest(Keys lessee, int unit) {
        ok(lessee, new TxBody.CommitUnit(1, unit, root(unit)));
        ok(verifier, new TxBody.Attest(1, unit, root(unit)));
    }

    @Test
    void theLowestBidWinsAndEachVerifiedUnitPaysItsPriceNeverMore() {
        provider(p1, GFLOPS);
        provider(p2, GFLOPS);
        provider(p3, GFLOPS);
        ok(verifier, new TxBody.Stake(params.minVerifierStake()));
        long buyerBefore = state.account(buyer.publicKey()).balance();
        ok(buyer, order(maxPrice, 500));
        assertEquals("AUCTION", state.job(1).status());
        rejected(Rejection.JOB_NOT_OPEN, p1, new TxBody.AcceptJob(1));

        ok(p1, new TxBody.PlaceBid(1, 4 * TOKEN));
        ok(p2, new TxBody.PlaceBid(1, 3 * TOKEN));
        ok(p3, new TxBody.PlaceBid(1, 3 * TOKEN + 1));
        rejected(MarketRules.ALREADY_BID, p2, new TxBody.PlaceBid(1, 2 * TOKEN));
        assertEquals(FUNDS_AFTER_STAKE() - market.bidDeposit() - params.txFee(), state.account(p2.publicKey()).balance());
        blocks(3);

        OrderView o = orderView(1);
        assertEquals("LEASED", o.status());
        LeaseView lease = lease(o.leaseId());
        assertEquals(p2.address(), lease.provider());
        assertEquals(URL, lease.providerUrl());
        assertEquals(3 * TOKEN, lease.unitPrice());
        assertEquals(List.of("LOST", "WON", "LOST"), bids(1).stream().map(BidView::status).toList());
        assertEquals(FUNDS_AFTER_STAKE() - params.txFee(), state.account(p1.publicKey()).balance(), "a losing deposit comes back");
        rejected(MarketRules.ORDER_CLOSED, p1, new TxBody.PlaceBid(1, TOKEN));

        for (int unit = 1; unit <= spec.units(); unit++) {
            commitAndAttest(p2, unit);
            ok(p2, new TxBody.Heartbeat(lease.id()));
            blocks(1);
        }
        assertEquals("DONE", state.job(1).status());
        assertEquals("DONE", orderView(1).status());
        assertEquals("COMPLETED", lease(lease.id()).status());
        long spent = buyerBefore - state.account(buyer.publicKey()).balance() - params.txFee();
        assertEquals(3 * TOKEN * spec.units(), spent, "the buyer pays the winning price per verified unit and gets the rest back");
        ProviderView record = providerView(p2);
        assertEquals(spec.units(), record.verifiedUnits());
        assertEquals(1, record.leasesCompleted());
        assertEquals(0, state.account(p2.publicKey()).penalties().size());
        assertSupplyHolds();
    }

    private long FUNDS_AFTER_STAKE() {
        return TestChain.FUNDS - params.minProviderStake() - 2 * params.txFee();
    }

    @Test
    void tiesGoToTheLargerStake() {
        provider(p1, GFLOPS);
        provider(p2, GFLOPS);
        ok(p2, new TxBody.Stake(TOKEN));
        ok(buyer, order(maxPrice, 0));
        ok(p1, new TxBody.PlaceBid(1, 2 * TOKEN));
        ok(p2, new TxBody.PlaceBid(1, 2 * TOKEN));
        blocks(3);
        assertEquals(p2.address(), lease(orderView(1).leaseId()).provider());
    }

    @Test
    void aSilentLesseeLosesStakeAndItsDepositAndTheOrderIsReAuctionedToCompletion() {
        provider(p1, GFLOPS);
        provider(p2, GFLOPS);
        ok(verifier, new TxBody.Stake(params.minVerifierStake()));
        long buyerBefore = state.account(buyer.publicKey()).balance();
        ok(buyer, order(maxPrice, 0));
        ok(p1, new TxBody.PlaceBid(1, 2 * TOKEN));
        ok(p2, new TxBody.PlaceBid(1, 3 * TOKEN));
        blocks(3);
        long firstLease = orderView(1).leaseId();
        assertEquals(p1.address(), lease(firstLease).provider());
        commitAndAttest(p1, 1);
        ok(p1, new TxBody.CommitUnit(1, 2, root(2))); // committed, never verified: not paid
        long stakeBefore = state.account(p1.publicKey()).stake();

        blocks((long) market.heartbeatBlocks() * market.missedHeartbeats() + 1);
        LeaseView failed = lease(firstLease);
        assertEquals("FAILED", failed.status());
        assertTrue(failed.reason().contains("heartbeat"), failed.reason());
        assertEquals(stakeBefore - Params.ppmOf(stakeBefore, market.failSlashPpm()), state.account(p1.publicKey()).stake());
        assertEquals(MarketRules.LEASE_FAILED, state.account(p1.publicKey()).penalties().get(0).kind());
        assertEquals(1, state.job(1).commits().size(), "the unverified unit 2 is dropped");
        OrderView reopened = orderView(1);
        assertEquals("AUCTION", reopened.status());
        assertEquals(2, reopened.round());
        rejected(MarketRules.EXCLUDED, p1, new TxBody.PlaceBid(1, TOKEN));

        ok(p2, new TxBody.PlaceBid(1, 4 * TOKEN));
        blocks(3);
        LeaseView second = lease(orderView(1).leaseId());
        assertEquals(p2.address(), second.provider());
        for (int unit = 2; unit <= spec.units(); unit++) {
            commitAndAttest(p2, unit);
            ok(p2, new TxBody.Heartbeat(second.id()));
            blocks(1);
        }
        assertEquals("DONE", orderView(1).status());
        long spent = buyerBefore - state.account(buyer.publicKey()).balance() - params.txFee();
        long deposit = market.bidDeposit();
        assertEquals(2 * TOKEN + 4 * TOKEN * (spec.units() - 1) - deposit, spent,
                "spend is exactly the verified units at their lease's price, less the failed lessee's forfeited deposit");
        assertEquals(1, providerView(p1).leasesFailed());
        assertTrue(providerView(p1).stakeDocked() > 0);
        assertSupplyHolds();
    }

    @Test
    void anOpenDisputePausesTheLeaseClocksSoDefendingNeverCostsTheLease() {
        provider(p1, GFLOPS);
        ok(verifier, new TxBody.Stake(params.minVerifierStake()));
        ok(buyer, order(maxPrice, 0));
        ok(p1, new TxBody.PlaceBid(1, TOKEN));
        blocks(3);
        LeaseView lease = lease(orderView(1).leaseId());
        ok(p1, new TxBody.CommitUnit(1, 1, root(1)));
        ok(verifier, new TxBody.Challenge(1, 1, root(99)));
        long disputeId = state.job(1).openDisputeId();
        assertTrue(disputeId > 0);
        long stake = state.account(p1.publicKey()).stake();
        blocks(1);
        long deadline = lease(lease.id()).unitDeadline();
        // Longer than the heartbeat window, without one heartbeat: the game's own move deadline is what may end it.
        long silent = (long) market.heartbeatBlocks() * market.missedHeartbeats() + 2;
        assertTrue(silent < params.moveBlocks(), "the test stays inside the provider's first move deadline");
        blocks(silent);
        LeaseView paused = lease(lease.id());
        assertEquals("ACTIVE", paused.status(), paused.reason());
        assertEquals(deadline + silent, paused.unitDeadline(), "the unit deadline stood still");
        assertEquals(stake, state.account(p1.publicKey()).stake(), "no lease penalty while defending");
        assertEquals(disputeId, state.job(1).openDisputeId());
    }

    @Test
    void aMissedUnitDeadlineFailsTheLeaseAndMarksTheClaimDown() {
        provider(p1, GFLOPS);
        ok(buyer, order(maxPrice, 0));
        ok(p1, new TxBody.PlaceBid(1, TOKEN));
        blocks(3);
        LeaseView lease = lease(orderView(1).leaseId());
        assertEquals(market.unitBlocks(MarketRules.unitFlops(spec), GFLOPS), lease.unitBlocks());
        for (long h = 0; h <= lease.unitBlocks(); h++) {
            ok(p1, new TxBody.Heartbeat(lease.id()));
            blocks(1);
        }
        LeaseView failed = lease(lease.id());
        assertEquals("FAILED", failed.status());
        assertTrue(failed.reason().contains("deadline"), failed.reason());
        ProviderView record = providerView(p1);
        assertEquals(GFLOPS / 2, record.effectiveMflops());
        assertEquals(1, record.deadlinesMissed());
    }

    @Test
    void theBuyerCancelsAndGetsTheUnspentEscrowBack() {
        provider(p1, GFLOPS);
        ok(verifier, new TxBody.Stake(params.minVerifierStake()));
        long buyerBefore = state.account(buyer.publicKey()).balance();
        ok(buyer, order(maxPrice, 0));
        ok(p1, new TxBody.PlaceBid(1, TOKEN));
        blocks(3);
        commitAndAttest(p1, 1);
        long p1Before = state.account(p1.publicKey()).balance();
        rejected(MarketRules.NOT_BUYER, p1, new TxBody.CancelOrder(1));
        ok(buyer, new TxBody.CancelOrder(1));
        assertEquals("CANCELLED", orderView(1).status());
        assertEquals("CANCELLED", state.job(1).status());
        assertEquals(buyerBefore - TOKEN - 2 * params.txFee(), state.account(buyer.publicKey()).balance());
        assertEquals(p1Before + market.bidDeposit(), state.account(p1.publicKey()).balance(), "not the provider's fault: deposit back");
        rejected(MarketRules.ORDER_CLOSED, buyer, new TxBody.CancelOrder(1));
        assertSupplyHolds();
    }

    @Test
    void badOrdersAndBidsAreRefusedWithAReasonAndChangeNothing() {
        provider(p1, GFLOPS);
        rejected(MarketRules.BAD_ORDER, buyer, new TxBody.PostOrder(7, spec.encode(), dataset, TOKEN, 0, 0, 0, 3, 100));
        rejected(MarketRules.ABSURD_PRICE, buyer, order(market.maxUnitPrice() + 1, 0));
        rejected(Rejection.INSUFFICIENT_BALANCE, buyer, order(market.maxUnitPrice(), 0));
        rejected(MarketRules.IMPOSSIBLE_RESOURCES, buyer, order(TOKEN, market.maxMflops() + 1));
        rejected(MarketRules.UNKNOWN_DATASET, buyer, new TxBody.PostOrder(MarketRules.KIND_MLP, spec.encode(), root(1), TOKEN, 0, 0, 0, 3, 100));
        rejected(Rejection.BAD_JOB, buyer, new TxBody.PostOrder(MarketRules.KIND_MLP, new byte[] {1, 2}, dataset, TOKEN, 0, 0, 0, 3, 100));
        rejected(MarketRules.BAD_ORDER, buyer, new TxBody.PostOrder(MarketRules.KIND_MLP, spec.encode(), dataset, TOKEN, 0, 0, 0, 10, 5));
        assertThrows(IllegalArgumentException.class, () -> order(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> new TxBody.PlaceBid(1, 0));
        rejected(MarketRules.UNKNOWN_ORDER, p1, new TxBody.PlaceBid(1, TOKEN));

        ok(buyer, order(TOKEN, 2 * GFLOPS));
        rejected(MarketRules.UNDER_CAPABLE, p1, new TxBody.PlaceBid(1, TOKEN));
        rejected(MarketRules.NOT_REGISTERED, p2, new TxBody.PlaceBid(1, TOKEN));
        rejected(MarketRules.OWN_ORDER, buyer, new TxBody.PlaceBid(1, TOKEN));
        ok(p1, new TxBody.UpdateCapability(3 * GFLOPS, 8 * GIB, GIB));
        rejected(MarketRules.BID_ABOVE_MAX, p1, new TxBody.PlaceBid(1, TOKEN + 1));
        rejected(MarketRules.IMPOSSIBLE_RESOURCES, p1, new TxBody.UpdateCapability(market.maxMflops() + 1, GIB, GIB));
        rejected(Rejection.INSUFFICIENT_STAKE, p2, new TxBody.RegisterProvider(URL, GFLOPS, GIB, GIB));
        rejected(MarketRules.UNKNOWN_LEASE, p1, new TxBody.Heartbeat(9));
    }

    @Test
    void anOrderWithoutBidsExpiresAtItsDeadlineAndIsRefunded() {
        long before = state.account(buyer.publicKey()).balance();
        ok(buyer, new TxBody.PostOrder(MarketRules.KIND_MLP, spec.encode(), dataset, TOKEN, 0, 0, 0, 3, 7));
        blocks(8);
        assertEquals("EXPIRED", orderView(1).status());
        assertEquals(before - params.txFee(), state.account(buyer.publicKey()).balance());
        assertSupplyHolds();
    }

    @Test
    void anOrderOnABlobDatasetRecordsItsBlobAndReplicasAndNeedsTwoOfThem() {
        byte[] blobRoot = Hashes.sha256("tensors of the blob".getBytes(StandardCharsets.UTF_8));
        String blob = Hashes.hex(Hashes.sha256("manifest".getBytes(StandardCharsets.UTF_8)));
        TxBody.DatasetBlob one = new TxBody.DatasetBlob(blob, List.of("http://127.0.0.1:9101"));
        TxBody.DatasetBlob two = new TxBody.DatasetBlob(blob, List.of("http://127.0.0.1:9101", "http://127.0.0.1:9102"));
        rejected(MarketRules.BAD_ORDER, buyer, new TxBody.PostOrder(MarketRules.KIND_MLP, spec.encode(), blobRoot, maxPrice, 0, GIB, 0, 3, 200, one));

        TxBody.PostOrder order = new TxBody.PostOrder(MarketRules.KIND_MLP, spec.encode(), blobRoot, maxPrice, 0, GIB, 0, 3, 200, two);
        SignedTx signed = TestChain.tx(buyer, 1, order);
        TxBody.PostOrder decoded = (TxBody.PostOrder) SignedTx.decode(signed.encode()).tx().body();
        assertEquals(two, decoded.dataset(), "the dataset blob survives the canonical encoding");
        ok(buyer, order);
        OrderView view = orderView(1);
        assertEquals(blob, view.datasetBlob());
        assertEquals(two.replicas(), view.datasetReplicas());
        assertEquals(Hashes.hex(blobRoot), state.job(view.jobId()).datasetRoot(), "the job's dataset root is the blob's, not the seed's");
        LedgerState copy = LedgerState.decode(state.encode());
        assertArrayEquals(state.stateRoot(), copy.stateRoot());
        assertEquals(view, MarketQuery.answer(copy, "order:1"), "a snapshot keeps the order's dataset blob");
    }

    @Test
    void aSnapshotKeepsTheMarketAndItsRoot() {
        provider(p1, GFLOPS);
        ok(buyer, order(maxPrice, 0));
        ok(p1, new TxBody.PlaceBid(1, TOKEN));
        blocks(3);
        LedgerState copy = LedgerState.decode(state.encode());
        assertArrayEquals(state.stateRoot(), copy.stateRoot());
        assertEquals(MarketQuery.answer(state, "leases"), MarketQuery.answer(copy, "leases"));
    }

    private void assertSupplyHolds() {
        assertEquals(state.genesisSupply() + state.minted(), state.totalSupply() + state.burned());
    }
}
