package io.verigrid.ledger;

import io.verigrid.ledger.MarketViews.BidView;
import io.verigrid.ledger.MarketViews.LeaseView;
import io.verigrid.ledger.MarketViews.OrderView;
import io.verigrid.ledger.MarketViews.ProviderView;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Read-only answers about the market, from a {@link LedgerState}. */
final class MarketQuery {
    private MarketQuery() {}

    /**
     * {@code what} is one of {@code providers}, {@code provider:ADDRESS}, {@code orders}, {@code order:ID},
     * {@code bids} (all), {@code bids:ORDER_ID}, {@code leases}, {@code lease:ID}, {@code params}; a missing id answers null.
     */
    static Object answer(LedgerState s, String what) {
        if (what == null) throw new IllegalArgumentException("market query needs an argument such as orders or order:ID");
        int colon = what.indexOf(':');
        String kind = colon < 0 ? what : what.substring(0, colon);
        String arg = colon < 0 ? null : what.substring(colon + 1);
        MarketState m = s.market;
        return switch (kind) {
            case "params" -> m.params;
            case "providers" -> m.providers.values().stream().map(p -> provider(s, p)).toList();
            case "provider" -> {
                MarketProvider p = m.providers.get(arg == null ? "" : arg.toLowerCase(Locale.ROOT));
                yield p == null ? null : provider(s, p);
            }
            case "orders" -> m.orders.values().stream().map(o -> order(s, o)).toList();
            case "order" -> {
                Order o = m.orders.get(id(arg, "order id"));
                yield o == null ? null : order(s, o);
            }
            case "bids" -> {
                List<BidView> out = new ArrayList<>();
                if (arg == null) m.bids.values().forEach(b -> out.add(bid(b)));
                else m.bidsByOrder.getOrDefault(id(arg, "order id"), new java.util.TreeSet<>()).forEach(i -> out.add(bid(m.bids.get(i))));
                yield out;
            }
            case "leases" -> m.leases.values().stream().map(l -> lease(m, l)).toList();
            case "lease" -> {
                Lease l = m.leases.get(id(arg, "lease id"));
                yield l == null ? null : lease(m, l);
            }
            default -> throw new IllegalArgumentException("unknown market query " + what);
        };
    }

    private static long id(String arg, String name) {
        try {
            return Long.parseLong(arg);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, got " + arg);
        }
    }

    static ProviderView provider(LedgerState s, MarketProvider p) {
        long won = 0, lost = 0;
        for (Dispute d : s.disputes.values()) {
            if (d.outcome == null || !d.provider.equals(p.address)) continue;
            if ("PROVIDER_WINS".equals(d.outcome.verdict())) won++;
            else lost++;
        }
        MarketParams mp = s.market.params;
        long expected = p.leaseBlocks / mp.heartbeatBlocks();
        for (Lease l : s.market.leases.values()) {
            if (l.status == Lease.Status.ACTIVE && l.provider.equals(p.address)) expected += (s.height - l.startHeight) / mp.heartbeatBlocks();
        }
        int uptime = expected == 0 ? Params.PPM : (int) Math.min(Params.PPM, p.heartbeats * Params.PPM / expected);
        Account a = s.accounts.get(p.address);
        return new ProviderView(p.address, p.url, p.mflops, p.effectiveMflops(), p.claimPpm, p.memoryBytes, p.diskBytes,
                p.registeredHeight, p.measuredHeight, a == null ? 0 : a.stake, MarketRules.verifiedUnits(s, p.address), won, lost,
                p.leasesWon, p.leasesCompleted, p.leasesFailed, p.deadlinesMissed, p.heartbeats, uptime, p.stakeDocked);
    }

    static OrderView order(LedgerState s, Order o) {
        Job j = s.jobs.get(o.jobId);
        return new OrderView(o.id, o.buyer, o.jobId, JobRules.kindName(o.kind), o.status.name(),
                o.maxUnitPrice, o.units, j.samplePpm, o.minMemoryBytes, o.minMflops, o.auctionBlocks, o.postedHeight,
                o.deadlineHeight, o.round, o.auctionEndHeight, o.leaseId, o.unitFlops, j.escrow, j.paid, j.verifiedUnits(),
                List.copyOf(o.excluded), o.datasetBlob, o.datasetReplicas);
    }

    static BidView bid(Bid b) {
        return new BidView(b.id, b.orderId, b.round, b.provider, b.unitPrice, b.deposit, b.height, b.status.name());
    }

    static LeaseView lease(MarketState m, Lease l) {
        MarketProvider p = m.providers.get(l.provider);
        return new LeaseView(l.id, l.orderId, l.jobId, l.provider, p == null ? null : p.url, l.unitPrice, l.startHeight,
                l.unitBlocks, l.lastHeartbeat, l.unitDeadline, l.status.name(), l.endHeight, l.reason);
    }
}
