package io.verigrid.node.demo;

import io.verigrid.ledger.ChainStatus;
import io.verigrid.ledger.DisputeOutcome;
import io.verigrid.ledger.DisputeView;
import io.verigrid.ledger.JobView;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What the demo did, read back from the ledger at the end: the jobs, the dispute, every participant's holdings
 * (balance + stake + unbonding) before and after, and the chain's supply accounting.
 */
public record DemoReport(List<JobView> jobs, DisputeView dispute, Map<String, Long> before, Map<String, Long> after,
                         Map<String, String> namesByAddress, ChainStatus chain) {

    public long delta(String participant) {
        return after.get(participant) - before.get(participant);
    }

    public void print(Consumer<String> out) {
        out.accept(String.format("   %-5s %-8s %-32s %-9s %-12s %s", "job", "status", "providers", "verified", "paid", "escrow left"));
        for (JobView job : jobs) {
            out.accept(String.format("   %-5d %-8s %-32s %-9s %-12s %s", job.id(), job.status(), providersOf(job),
                    job.verifiedUnits() + "/" + job.units(), Demo.tokens(job.paid()), Demo.tokens(job.escrow())));
        }
        out.accept("");
        DisputeOutcome o = dispute.outcome();
        out.accept(String.format("   dispute %d on job %d unit %d: %s after %d rounds (%s)", dispute.id(), dispute.jobId(), dispute.unit(),
                o.verdict(), o.rounds(), o.reason()));
        out.accept(String.format("     pinpointed: step %d, operator #%d (%s), re-executed by the ledger's referee", o.step(),
                o.operatorIndex(), o.opKind()));
        out.accept(String.format("     slashed %s from %s: %s to %s, %s burned", Demo.tokens(o.providerSlashed()), name(dispute.provider()),
                Demo.tokens(o.toChallenger()), name(dispute.challenger()), Demo.tokens(o.burned())));
        out.accept("");
        out.accept(String.format("   %-11s %14s %14s %14s", "holdings", "before", "after", "change"));
        for (String who : before.keySet()) {
            out.accept(String.format("   %-11s %14s %14s %+14.3f", who, Demo.tokens(before.get(who)), Demo.tokens(after.get(who)),
                    delta(who) / (double) Demo.TOKEN));
        }
        out.accept("");
        out.accept(String.format("   supply: genesis %s + minted %s - burned %s (fees and the burned part of the slash) = %s now: %s",
                Demo.tokens(chain.genesisSupply()), Demo.tokens(chain.minted()), Demo.tokens(chain.burned()), Demo.tokens(chain.totalSupply()),
                chain.supplyConserved() ? "yes" : "NO"));
    }

    private String providersOf(JobView job) {
        StringBuilder names = new StringBuilder();
        for (String address : job.bannedProviders()) names.append(name(address)).append(" (banned), ");
        if (job.lessee() != null) names.append(name(job.lessee()));
        return names.toString().trim();
    }

    private String name(String address) {
        return address == null ? "-" : namesByAddress.getOrDefault(address, address.substring(0, 8));
    }
}
