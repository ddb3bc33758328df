package io.verigrid.node.blob;

import io.verigrid.ledger.AccountView;
import io.verigrid.ledger.JobView;
import io.verigrid.node.http.ApiException;
import io.verigrid.node.ledger.LedgerHttp;

/**
 * A job's data goes to the people the job needs: its buyer, the provider that leased it, and staked verifiers
 * (accounts whose stake reaches the chain's verifier minimum, at least one base unit). This node itself is always
 * allowed. Read from the ledger on each request, so a lost lease or an unstaked verifier loses access at once.
 */
public final class LedgerAccessPolicy implements BlobAccessPolicy {
    private final LedgerHttp ledger;
    private final String self;
    private volatile Long minVerifierStake;

    public LedgerAccessPolicy(LedgerHttp ledger, String selfAddress) {
        if (ledger == null) throw new IllegalArgumentException("ledger must not be null");
        this.ledger = ledger;
        this.self = selfAddress;
    }

    @Override
    public boolean allows(String caller, long jobId) {
        if (caller.equals(self)) return true;
        try {
            JobView job = ledger.job(jobId);
            if (caller.equals(job.buyer()) || caller.equals(job.lessee())) return true;
            AccountView account = ledger.account(caller);
            return account.stake() >= minVerifierStake();
        } catch (ApiException e) {
            return false; // an unknown job or account is no permission
        }
    }

    private long minVerifierStake() {
        Long known = minVerifierStake;
        if (known == null) {
            known = Math.max(1, ledger.params().minVerifierStake());
            minVerifierStake = known;
        }
        return known;
    }
}
