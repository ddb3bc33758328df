package io.verigrid.ledger;

import io.verigrid.engine.TrainingJob;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.verify.Hashes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The compute market: providers register a measured capability, buyers post orders that escrow
 * {@code maxUnitPrice × units}, providers place binding bids in a reverse auction, and the winner leases the
 * order's {@link Job}. The job's own rules ({@link JobRules}, {@link DisputeRules}) commit, verify and pay each
 * unit at the lease's price; this class closes auctions, enforces heartbeats and the deadlines a provider's
 * claim implies, and re-auctions an order whose lessee failed.
 *
 * <p>Auction rule: at the round's last block the lowest price among eligible bids wins; ties go to the larger
 * stake, then to more verified units, then to the earlier bid. A failed lease (missed heartbeats or a missed
 * unit deadline) docks {@code failSlashPpm} of the lessee's stake (burned), pays its bid deposit to the buyer,
 * drops its committed-but-unverified trailing units and puts the order back to auction without it. A missed
 * deadline also halves the provider's claimed throughput. A dispute open on the job pauses both clocks: the
 * game's move deadlines decide then.
 */
final class MarketRules {
    /** Order kinds: the tag that says which codec {@code spec} is in ({@link TrainingJob.Kind} codes). */
    static final int KIND_MLP = 1;
    static final int KIND_LM = 2;
    /** A dataset held as a blob must be on at least this many nodes when its order is posted. */
    static final int MIN_DATASET_REPLICAS = 2;

    static final String UNKNOWN_ORDER = "UNKNOWN_ORDER";
    static final String UNKNOWN_LEASE = "UNKNOWN_LEASE";
    static final String BAD_ORDER = "BAD_ORDER";
    static final String UNKNOWN_DATASET = "UNKNOWN_DATASET";
    static final String ABSURD_PRICE = "ABSURD_PRICE";
    static final String IMPOSSIBLE_RESOURCES = "IMPOSSIBLE_RESOURCES";
    static final String ORDER_CLOSED = "ORDER_CLOSED";
    static final String BID_ABOVE_MAX = "BID_ABOVE_MAX";
    static final String NOT_REGISTERED = "NOT_REGISTERED";
    static final String UNDER_CAPABLE = "UNDER_CAPABLE";
    static final String ALREADY_BID = "ALREADY_BID";
    static final String OWN_ORDER = "OWN_ORDER";
    static final String EXCLUDED = "EXCLUDED";
    static final String NOT_BUYER = "NOT_BUYER";
    static final String NOT_LESSOR = "NOT_LESSOR";
    static final String LEASE_ENDED = "LEASE_ENDED";
    static final String MARKET_JOB = "MARKET_JOB";
    /** How a failed lease shows in the provider's penalties. */
    static final String LEASE_FAILED = "LEASE_FAILED";

    private MarketRules() {}

    /** Applies one market transaction (tags 40..59). */
    static void dispatch(Draft d, String sender, Account account, TxBody body) {
        if (body instanceof TxBody.RegisterProvider r) register(d, sender, account, r);
        else if (body instanceof TxBody.UpdateCapability u) updateCapability(d, sender, u);
        else if (body instanceof TxBody.PostOrder o) postOrder(d, sender, account, o);
        else if (body instanceof TxBody.PlaceBid b) bid(d, sender, account, b);
        else if (body instanceof TxBody.CancelOrder c) cancel(d, sender, c);
        else if (body instanceof TxBody.Heartbeat h) heartbeat(d, sender, h);
        else throw new IllegalStateException("no market rule for body " + body.getClass().getSimpleName());
    }

    // ---- providers ---------------------------------------------------------------------------------

    static void register(Draft d, String sender, Account account, TxBody.RegisterProvider r) {
        JobRules.requireStake(account, d.params.minProviderStake(), "register as a provider");
        checkCapability(d.market().params, r.mflops(), r.memoryBytes());
        MarketProvider p = d.market().register(sender);
        if (p.registeredHeight == 0) p.registeredHeight = d.height;
        p.url = r.url();
        measured(p, r.mflops(), r.memoryBytes(), r.diskBytes(), d.height);
    }

    static void updateCapability(Draft d, String sender, TxBody.UpdateCapability u) {
        MarketProvider p = registered(d, sender);
        checkCapability(d.market().params, u.mflops(), u.memoryBytes());
        measured(p, u.mflops(), u.memoryBytes(), u.diskBytes(), d.height);
    }

    private static void measured(MarketProvider p, long mflops, long memory, long disk, long height) {
        p.mflops = mflops;
        p.memoryBytes = memory;
        p.diskBytes = disk;
        p.measuredHeight = height;
    }

    private static void checkCapability(MarketParams m, long mflops, long memory) {
        if (mflops > m.maxMflops() || memory > m.maxMemoryBytes()) {
            throw new Rejection(IMPOSSIBLE_RESOURCES, "claimed " + mflops + " MFLOP/s and " + memory
                    + " bytes of memory exceed the market's limits (" + m.maxMflops() + ", " + m.maxMemoryBytes() + ")");
        }
    }

    private static MarketProvider registered(Draft d, String address) {
        MarketProvider p = d.market().provider(address);
        if (p == null) throw new Rejection(NOT_REGISTERED, address + " is not a registered provider (send RegisterProvider)");
        return p;
    }

    // ---- orders ------------------------------------------------------------------------------------

    static void postOrder(Draft d, String buyer, Account account, TxBody.PostOrder o) {
        MarketParams m = d.market().params;
        if (o.maxUnitPrice() > m.maxUnitPrice()) {
            throw new Rejection(ABSURD_PRICE, "maxUnitPrice " + o.maxUnitPrice() + " exceeds the market's limit " + m.maxUnitPrice());
        }
        if (o.minMemoryBytes() > m.maxMemoryBytes() || o.minMflops() > m.maxMflops()) {
            throw new Rejection(IMPOSSIBLE_RESOURCES, "required " + o.minMflops() + " MFLOP/s and " + o.minMemoryBytes()
                    + " bytes of memory exceed what any provider may claim (" + m.maxMflops() + ", " + m.maxMemoryBytes() + ")");
        }
        if (o.auctionBlocks() > m.maxAuctionBlocks()) {
            throw new Rejection(BAD_ORDER, "auctionBlocks " + o.auctionBlocks() + " exceeds " + m.maxAuctionBlocks());
        }
        if (o.deadlineBlocks() < o.auctionBlocks() || o.deadlineBlocks() > m.maxDeadlineBlocks()) {
            throw new Rejection(BAD_ORDER, "deadlineBlocks " + o.deadlineBlocks() + " must be in " + o.auctionBlocks()
                    + ".." + m.maxDeadlineBlocks() + " (at least one auction round)");
        }
        if (o.kind() == PreprocessRules.KIND_PREPROCESS) {
            PreprocessRules.postOrder(d, buyer, account, o);
            return;
        }
        TrainingJob.Kind kind = trainingKind(o.kind());
        TrainingJob spec = JobRules.spec(kind.code(), o.spec());
        long escrow = Math.multiplyExact(o.maxUnitPrice(), (long) spec.units());
        if (o.dataset() != null && o.dataset().replicas().size() < MIN_DATASET_REPLICAS) {
            throw new Rejection(BAD_ORDER, "dataset blob " + o.dataset().blob() + " names " + o.dataset().replicas().size()
                    + " replica(s); an order needs at least " + MIN_DATASET_REPLICAS);
        }
        Job job = JobRules.open(d, buyer, kind.code(), o.spec(), escrow, o.samplePpm(), o.dataset() == null ? null : o.datasetRoot());
        if (!Arrays.equals(job.datasetRoot, o.datasetRoot())) {
            throw new Rejection(UNKNOWN_DATASET, "dataset " + Hashes.hex(o.datasetRoot()) + " is not the dataset of this spec (its root is "
                    + Hashes.hex(job.datasetRoot) + ")");
        }
        AccountRules.debit(account, escrow, "order escrow");
        job.status = Job.Status.AUCTION;
        Order order = d.market().newOrder(id -> new Order(id, buyer, job.id, o.kind(), o.maxUnitPrice(), spec.units(),
                o.minMemoryBytes(), o.minMflops(), o.auctionBlocks(), d.height, d.height + o.deadlineBlocks(), spec.unitFlops()));
        order.auctionEndHeight = d.height + o.auctionBlocks() - 1; // its own block is the first of the round
        if (o.dataset() != null) {
            order.datasetBlob = o.dataset().blob();
            order.datasetReplicas = o.dataset().replicas();
        }
    }

    /** The training kind of order kind {@code code}; BAD_ORDER naming the known kinds otherwise. */
    static TrainingJob.Kind trainingKind(int code) {
        try {
            return TrainingJob.Kind.ofCode(code);
        } catch (IllegalArgumentException e) {
            throw new Rejection(BAD_ORDER, e.getMessage().replaceFirst("\\)$", ", " + PreprocessRules.KIND_PREPROCESS + " = preprocess)"));
        }
    }

    /** A unit's work as the job kind counts it ({@link TrainingJob#unitFlops()}). */
    static long unitFlops(TrainingJob spec) {
        return spec.unitFlops();
    }

    static void cancel(Draft d, String sender, TxBody.CancelOrder c) {
        Order order = d.market().order(c.orderId());
        if (!order.buyer.equals(sender)) throw new Rejection(NOT_BUYER, "only the buyer of order " + order.id + " may cancel it");
        if (!order.active()) throw new Rejection(ORDER_CLOSED, "order " + order.id + " is " + order.status);
        Job job = d.job(order.jobId);
        if (job.openDispute != 0) {
            throw new Rejection(Rejection.DISPUTE_OPEN, "order " + order.id + " has dispute " + job.openDispute + " open; cancel after it settles");
        }
        for (Bid b : d.market().bidsOf(order.id, order.round)) {
            if (b.status == Bid.Status.OPEN || b.status == Bid.Status.WON) returnDeposit(d, b, Bid.Status.RETURNED);
        }
        if (order.status == Order.Status.LEASED) {
            Lease lease = d.market().lease(order.leaseId);
            end(d, lease, Lease.Status.CANCELLED, "buyer cancelled");
        }
        dropUnverifiedTail(job);
        refundUnreserved(d, job);
        job.status = Job.Status.CANCELLED;
        job.lessee = null;
        order.status = Order.Status.CANCELLED;
    }

    // ---- bids --------------------------------------------------------------------------------------

    static void bid(Draft d, String sender, Account account, TxBody.PlaceBid b) {
        Order order = d.market().order(b.orderId());
        if (order.status != Order.Status.AUCTION) {
            throw new Rejection(ORDER_CLOSED, "order " + order.id + " is " + order.status + "; bids are taken only while its auction is open");
        }
        if (order.buyer.equals(sender)) throw new Rejection(OWN_ORDER, "a buyer may not bid on its own order " + order.id);
        if (b.unitPrice() > order.maxUnitPrice) {
            throw new Rejection(BID_ABOVE_MAX, "bid " + b.unitPrice() + " per unit exceeds order " + order.id + "'s maximum " + order.maxUnitPrice);
        }
        MarketProvider p = registered(d, sender);
        String why = ineligible(d, order, p, account);
        if (why != null) throw new Rejection(why.startsWith("stake") ? Rejection.INSUFFICIENT_STAKE : why.startsWith("excluded") ? EXCLUDED : UNDER_CAPABLE, why);
        for (Bid other : d.market().bidsOf(order.id, order.round)) {
            if (other.provider.equals(sender)) {
                throw new Rejection(ALREADY_BID, sender + " already bid " + other.unitPrice + " in round " + order.round + " of order " + order.id + " (bids are binding)");
            }
        }
        long deposit = d.market().params.bidDeposit();
        AccountRules.debit(account, deposit, "bid deposit");
        d.market().newBid(id -> new Bid(id, order.id, order.round, sender, b.unitPrice(), d.height, deposit));
    }

    /** Why {@code p} may not win {@code order} now, or null. */
    private static String ineligible(Draft d, Order order, MarketProvider p, Account account) {
        if (order.excluded.contains(p.address) || d.job(order.jobId).banned.contains(p.address)) {
            return "excluded: " + p.address + " failed or lost a dispute on order " + order.id;
        }
        if (account.stake < d.params.minProviderStake()) {
            return "stake " + account.stake + " is below the " + d.params.minProviderStake() + " needed to lease";
        }
        if (p.effectiveMflops() < order.minMflops || p.memoryBytes < order.minMemoryBytes) {
            return "provider offers " + p.effectiveMflops() + " MFLOP/s and " + p.memoryBytes + " bytes; order " + order.id
                    + " needs " + order.minMflops + " MFLOP/s and " + order.minMemoryBytes + " bytes";
        }
        return null;
    }

    // ---- leases ------------------------------------------------------------------------------------

    static void heartbeat(Draft d, String sender, TxBody.Heartbeat h) {
        Lease lease = d.market().lease(h.leaseId());
        if (!lease.provider.equals(sender)) throw new Rejection(NOT_LESSOR, sender + " does not hold lease " + lease.id);
        if (lease.status != Lease.Status.ACTIVE) throw new Rejection(LEASE_ENDED, "lease " + lease.id + " is " + lease.status);
        if (lease.lastHeartbeat < d.height) registered(d, sender).heartbeats++;
        lease.lastHeartbeat = d.height;
    }

    /** A first-come AcceptJob may not take a job an order owns: it goes to auction. */
    static void refuseFirstCome(Draft d, Job job) {
        Long order = d.base.market.orderByJob.get(job.id);
        if (order != null) throw new Rejection(MARKET_JOB, "job " + job.id + " belongs to order " + order + "; bid on it instead");
    }

    // ---- blocks ------------------------------------------------------------------------------------

    /** At every block: follow active leases (completion, heartbeats, deadlines), then close due auctions. */
    static void onBlock(Draft d) {
        List<Long> active = new ArrayList<>(d.base.market.activeOrders);
        for (long id : active) {
            Order order = d.market().order(id);
            if (order.status == Order.Status.LEASED) followLease(d, order);
            if (order.status == Order.Status.AUCTION) auction(d, order);
        }
    }

    private static void followLease(Draft d, Order order) {
        MarketParams m = d.market().params;
        Lease lease = d.market().lease(order.leaseId);
        Job job = d.job(order.jobId);
        if (job.status == Job.Status.DONE) {
            end(d, lease, Lease.Status.COMPLETED, "all " + job.units + " units verified");
            returnDeposit(d, d.market().bid(lease.bidId), Bid.Status.WON); // it stays the winning bid
            d.market().provider(lease.provider).leasesCompleted++;
            order.status = Order.Status.DONE;
            return;
        }
        if (job.status == Job.Status.OPEN) {
            // The dispute rules reopened the job: the lessee lost a dispute and was slashed there.
            fail(d, order, lease, job, "lost a dispute on job " + job.id, false, false);
            return;
        }
        if (job.commits.size() > lease.committedSeen) {
            lease.committedSeen = job.commits.size();
            lease.unitDeadline = d.height + lease.unitBlocks;
        }
        if (job.openDispute != 0) {
            // A dispute pauses the lease's clocks: its own move deadlines decide whether the lessee is alive, and
            // the blocks it spends defending are not blocks it could spend on the next unit.
            lease.lastHeartbeat = d.height;
            lease.unitDeadline++;
            return;
        }
        if (d.height > lease.lastHeartbeat + (long) m.heartbeatBlocks() * m.missedHeartbeats()) {
            fail(d, order, lease, job, "no heartbeat since block " + lease.lastHeartbeat, false, true);
        } else if (job.commits.size() < job.units && d.height > lease.unitDeadline) {
            fail(d, order, lease, job, "unit " + (job.commits.size() + 1) + " missed its deadline at block " + lease.unitDeadline, true, true);
        }
    }

    private static void fail(Draft d, Order order, Lease lease, Job job, String reason, boolean deadline, boolean dock) {
        MarketProvider p = d.market().provider(lease.provider);
        p.leasesFailed++;
        String why = "lease " + lease.id + " of order " + order.id + " failed: " + reason;
        if (deadline) {
            p.deadlinesMissed++;
            p.claimPpm /= 2;
        }
        if (dock) {
            Account account = d.account(lease.provider);
            long slashable = Math.addExact(account.stake, account.unbondingTotal());
            long docked = account.slash(Params.ppmOf(slashable, d.market().params.failSlashPpm()));
            account.penalties.add(new Penalty(0, job.id, LEASE_FAILED, docked, d.height, why));
            p.stakeDocked = Math.addExact(p.stakeDocked, docked);
            d.burn(docked);
        }
        Bid bid = d.market().bid(lease.bidId);
        Account buyer = d.account(order.buyer);
        buyer.balance = Math.addExact(buyer.balance, bid.deposit);
        bid.deposit = 0;
        bid.status = Bid.Status.FORFEITED;
        end(d, lease, Lease.Status.FAILED, reason);
        order.excluded.add(lease.provider);
        if (job.openDispute == 0) dropUnverifiedTail(job);
        job.status = Job.Status.AUCTION;
        job.lessee = null;
        reopen(d, order);
    }

    private static void reopen(Draft d, Order order) {
        order.status = Order.Status.AUCTION;
        order.leaseId = 0;
        order.round++;
        order.auctionEndHeight = d.height + order.auctionBlocks;
    }

    private static void end(Draft d, Lease lease, Lease.Status status, String reason) {
        lease.status = status;
        lease.endHeight = d.height;
        lease.reason = reason;
        MarketProvider p = d.market().provider(lease.provider);
        p.leaseBlocks = Math.addExact(p.leaseBlocks, d.height - lease.startHeight);
    }

    private static void auction(Draft d, Order order) {
        Job job = d.job(order.jobId);
        // A dispute settling while the job is up for auction reopens it; the market keeps it.
        if (job.status == Job.Status.OPEN) job.status = Job.Status.AUCTION;
        if (d.height < order.auctionEndHeight && d.height < order.deadlineHeight) return;
        if (job.openDispute != 0) {
            order.auctionEndHeight = d.height + 1; // the winner must know which units stand
            return;
        }
        Map<String, Long> verified = new HashMap<>();
        // Evaluated lazily: the record of verified work is only counted for bids tied on price and stake.
        Comparator<Bid> better = Comparator.comparingLong((Bid b) -> b.unitPrice)
                .thenComparingLong(b -> -d.account(b.provider).stake)
                .thenComparingLong(b -> -verified.computeIfAbsent(b.provider, a -> verifiedUnits(d.base, a)))
                .thenComparingLong(b -> b.id);
        List<Bid> bids = d.market().bidsOf(order.id, order.round);
        Bid winner = null;
        for (Bid b : bids) {
            if (b.status != Bid.Status.OPEN) continue;
            MarketProvider p = d.market().provider(b.provider);
            if (p == null || ineligible(d, order, p, d.account(b.provider)) != null) continue;
            if (winner == null || better.compare(b, winner) < 0) winner = b;
        }
        for (Bid b : bids) {
            if (b != winner && b.status == Bid.Status.OPEN) returnDeposit(d, b, Bid.Status.LOST);
        }
        if (winner == null) {
            if (d.height >= order.deadlineHeight) {
                refundUnreserved(d, job);
                job.status = Job.Status.CANCELLED;
                order.status = Order.Status.EXPIRED;
            } else {
                order.round++;
                order.auctionEndHeight = d.height + order.auctionBlocks;
            }
            return;
        }
        winner.status = Bid.Status.WON;
        MarketProvider p = d.market().provider(winner.provider);
        p.leasesWon++;
        long unitBlocks = d.market().params.unitBlocks(order.unitFlops, p.effectiveMflops());
        Bid won = winner;
        Lease lease = d.market().newLease(id -> new Lease(id, order.id, order.jobId, won.id, won.provider, won.unitPrice,
                d.height, unitBlocks));
        lease.lastHeartbeat = d.height;
        lease.committedSeen = job.commits.size();
        lease.unitDeadline = d.height + unitBlocks;
        job.status = Job.Status.LEASED;
        job.lessee = winner.provider;
        job.unitPrice = winner.unitPrice;
        order.status = Order.Status.LEASED;
        order.leaseId = lease.id;
    }

    /** Units {@code address} committed that were verified, over every job: its record of verified work. */
    static long verifiedUnits(LedgerState s, String address) {
        long n = 0;
        for (Job j : s.jobs.values()) {
            for (Job.Commit c : j.commits) if (c.verified() && c.provider().equals(address)) n++;
        }
        return n;
    }

    private static void returnDeposit(Draft d, Bid b, Bid.Status status) {
        Account a = d.account(b.provider);
        a.balance = Math.addExact(a.balance, b.deposit);
        b.deposit = 0;
        b.status = status;
    }

    /** Committed units nobody verified are not paid when their lessee goes: only verified work is. */
    private static void dropUnverifiedTail(Job job) {
        while (!job.commits.isEmpty() && !job.commits.get(job.commits.size() - 1).verified()) {
            job.commits.remove(job.commits.size() - 1);
        }
    }

    /** Returns the escrow not reserved for units still waiting for verification. */
    private static void refundUnreserved(Draft d, Job job) {
        long waiting = job.commits.size() - job.verifiedUnits();
        long reserve = Math.min(job.escrow, Math.multiplyExact(job.pricePerUnit(), waiting));
        Account buyer = d.account(job.buyer);
        buyer.balance = Math.addExact(buyer.balance, job.escrow - reserve);
        job.escrow = reserve;
    }
}
