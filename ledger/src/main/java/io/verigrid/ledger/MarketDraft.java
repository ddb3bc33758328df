package io.verigrid.ledger;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The market's share of a {@link Draft}: copies of what a transaction or block changes, applied on commit. */
final class MarketDraft {
    final MarketState base;
    final MarketParams params;
    private final Map<String, MarketProvider> providers = new TreeMap<>();
    private final Map<Long, Order> orders = new TreeMap<>();
    private final Map<Long, Bid> bids = new TreeMap<>();
    private final Map<Long, Lease> leases = new TreeMap<>();
    private long nextOrderId;
    private long nextBidId;
    private long nextLeaseId;

    MarketDraft(MarketState base) {
        this.base = base;
        this.params = base.params;
        this.nextOrderId = base.nextOrderId;
        this.nextBidId = base.nextBidId;
        this.nextLeaseId = base.nextLeaseId;
    }

    /** The registered provider, or null. */
    MarketProvider provider(String address) {
        MarketProvider p = providers.get(address);
        if (p != null) return p;
        MarketProvider existing = base.providers.get(address);
        if (existing == null) return null;
        p = existing.copy();
        providers.put(address, p);
        return p;
    }

    MarketProvider register(String address) {
        MarketProvider p = provider(address);
        if (p == null) {
            p = new MarketProvider(address);
            providers.put(address, p);
        }
        return p;
    }

    Order order(long id) {
        Order o = orders.computeIfAbsent(id, i -> {
            Order existing = base.orders.get(i);
            return existing == null ? null : existing.copy();
        });
        if (o == null) throw new Rejection(MarketRules.UNKNOWN_ORDER, "no order " + id);
        return o;
    }

    Bid bid(long id) {
        return bids.computeIfAbsent(id, i -> base.bids.get(i).copy());
    }

    Lease lease(long id) {
        Lease l = leases.computeIfAbsent(id, i -> {
            Lease existing = base.leases.get(i);
            return existing == null ? null : existing.copy();
        });
        if (l == null) throw new Rejection(MarketRules.UNKNOWN_LEASE, "no lease " + id);
        return l;
    }

    /** Bids of one round of an order, committed and new, in id order. */
    List<Bid> bidsOf(long orderId, int round) {
        java.util.TreeSet<Long> ids = new java.util.TreeSet<>(base.bidsByOrder.getOrDefault(orderId, new java.util.TreeSet<>()));
        for (Bid b : bids.values()) if (b.orderId == orderId) ids.add(b.id);
        List<Bid> out = new ArrayList<>();
        for (Long id : ids) {
            Bid b = bid(id);
            if (b.round == round) out.add(b);
        }
        return out;
    }

    Order newOrder(java.util.function.LongFunction<Order> make) {
        Order o = make.apply(nextOrderId++);
        orders.put(o.id, o);
        return o;
    }

    Bid newBid(java.util.function.LongFunction<Bid> make) {
        Bid b = make.apply(nextBidId++);
        bids.put(b.id, b);
        return b;
    }

    Lease newLease(java.util.function.LongFunction<Lease> make) {
        Lease l = make.apply(nextLeaseId++);
        leases.put(l.id, l);
        return l;
    }

    void commit() {
        base.providers.putAll(providers);
        orders.values().forEach(base::put);
        bids.values().forEach(base::put);
        base.leases.putAll(leases);
        base.nextOrderId = nextOrderId;
        base.nextBidId = nextBidId;
        base.nextLeaseId = nextLeaseId;
    }
}
