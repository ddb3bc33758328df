package io.verigrid.ledger;

import java.util.Map;
import java.util.TreeMap;

/**
 * The changes one transaction (or one block entry) makes, kept apart from the state until {@link #commit()}.
 * Rules read and mutate copies obtained here; a {@link Rejection} simply drops the draft, so a refused
 * transaction changes nothing however far its rule got.
 */
final class Draft {
    final LedgerState base;
    /** The height of the block this draft's changes land in. */
    final long height;
    final Params params;
    private final Map<String, Account> accounts = new TreeMap<>();
    private final Map<Long, Job> jobs = new TreeMap<>();
    private final Map<Long, Dispute> disputes = new TreeMap<>();
    private long burned;
    private long nextJobId;
    private long nextDisputeId;
    private MarketDraft market;
    private SubnetDraft subnets;
    private InferenceDraft inference;

    Draft(LedgerState base, long height) {
        this.base = base;
        this.height = height;
        this.params = base.params();
        this.burned = base.burned;
        this.nextJobId = base.nextJobId;
        this.nextDisputeId = base.nextDisputeId;
    }

    Account account(String address) {
        return accounts.computeIfAbsent(address, a -> {
            Account existing = base.accounts.get(a);
            return existing == null ? new Account() : existing.copy();
        });
    }

    /** The job to change, or a rejection naming it when it does not exist. */
    Job job(long id) {
        Job job = jobs.computeIfAbsent(id, i -> {
            Job existing = base.jobs.get(i);
            return existing == null ? null : existing.copy();
        });
        if (job == null) throw new Rejection(Rejection.UNKNOWN_JOB, "no job " + id);
        return job;
    }

    Dispute dispute(long id) {
        Dispute dispute = disputes.computeIfAbsent(id, i -> {
            Dispute existing = base.disputes.get(i);
            return existing == null ? null : existing.copy();
        });
        if (dispute == null) throw new Rejection(Rejection.UNKNOWN_DISPUTE, "no dispute " + id);
        return dispute;
    }

    Job newJob(java.util.function.LongFunction<Job> make) {
        Job job = make.apply(nextJobId++);
        jobs.put(job.id, job);
        return job;
    }

    Dispute newDispute(java.util.function.LongFunction<Dispute> make) {
        Dispute dispute = make.apply(nextDisputeId++);
        disputes.put(dispute.id, dispute);
        return dispute;
    }

    /** The market's changes in this draft, created on first use. */
    MarketDraft market() {
        if (market == null) market = new MarketDraft(base.market);
        return market;
    }

    /** The subnets' changes in this draft, created on first use. */
    SubnetDraft subnets() {
        if (subnets == null) subnets = new SubnetDraft(base.subnets);
        return subnets;
    }

    /** The inference section's changes in this draft, created on first use. */
    InferenceDraft inference() {
        if (inference == null) inference = new InferenceDraft(base.inference);
        return inference;
    }

    void burn(long amount) {
        burned = Math.addExact(burned, amount);
    }

    void commit() {
        accounts.forEach(base::putAccount);
        jobs.values().forEach(base::putJob);
        disputes.values().forEach(base::putDispute);
        base.burned = burned;
        base.nextJobId = nextJobId;
        base.nextDisputeId = nextDisputeId;
        if (market != null) market.commit();
        if (subnets != null) subnets.commit();
        if (inference != null) inference.commit();
    }
}
