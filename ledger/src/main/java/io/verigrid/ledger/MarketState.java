package io.verigrid.ledger;

import io.verigrid.ledger.tx.ByteReader;
import io.verigrid.ledger.tx.ByteWriter;
import io.verigrid.verify.Hashes;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The compute market's part of the ledger state: registered providers, orders, bids and leases. Changed only
 * through a {@link MarketDraft} (one per transaction or block), read through the views in {@link MarketQuery}.
 */
final class MarketState {
    final MarketParams params;
    long nextOrderId = 1;
    long nextBidId = 1;
    long nextLeaseId = 1;
    final TreeMap<String, MarketProvider> providers = new TreeMap<>();
    final TreeMap<Long, Order> orders = new TreeMap<>();
    final TreeMap<Long, Bid> bids = new TreeMap<>();
    final TreeMap<Long, Lease> leases = new TreeMap<>();
    /** Orders in AUCTION or LEASED, the only ones a block has to look at. */
    final TreeSet<Long> activeOrders = new TreeSet<>();
    /** Order id → its bids' ids. */
    final TreeMap<Long, TreeSet<Long>> bidsByOrder = new TreeMap<>();
    /** Job id → order id, for the jobs the market owns. */
    final TreeMap<Long, Long> orderByJob = new TreeMap<>();

    MarketState(MarketParams params) {
        this.params = params;
    }

    /** Units locked in bid deposits (job escrows are counted with the jobs). */
    long locked() {
        long total = 0;
        for (Bid b : bids.values()) total = Math.addExact(total, b.deposit);
        return total;
    }

    /** The state-root leaves of the market section, in key order. */
    void addLeaves(List<byte[]> leaves) {
        ByteWriter globals = new ByteWriter().u8(0x40).i64(nextOrderId).i64(nextBidId).i64(nextLeaseId);
        params.write(globals);
        leaves.add(Hashes.sha256(globals.toBytes()));
        providers.values().forEach(p -> leaf(leaves, 0x41, w -> p.write(w)));
        orders.values().forEach(o -> leaf(leaves, 0x42, w -> o.write(w)));
        bids.values().forEach(b -> leaf(leaves, 0x43, w -> b.write(w)));
        leases.values().forEach(l -> leaf(leaves, 0x44, w -> l.write(w)));
    }

    private static void leaf(List<byte[]> leaves, int tag, java.util.function.Consumer<ByteWriter> body) {
        ByteWriter w = new ByteWriter().u8(tag);
        body.accept(w);
        leaves.add(Hashes.sha256(w.toBytes()));
    }

    void write(ByteWriter out) {
        out.i64(nextOrderId).i64(nextBidId).i64(nextLeaseId);
        out.i32(providers.size());
        providers.values().forEach(p -> p.write(out));
        out.i32(orders.size());
        orders.values().forEach(o -> o.write(out));
        out.i32(bids.size());
        bids.values().forEach(b -> b.write(out));
        out.i32(leases.size());
        leases.values().forEach(l -> l.write(out));
    }

    static MarketState read(ByteReader in, MarketParams params) {
        MarketState m = new MarketState(params);
        m.nextOrderId = in.i64("nextOrderId");
        m.nextBidId = in.i64("nextBidId");
        m.nextLeaseId = in.i64("nextLeaseId");
        for (int i = in.count("providers", 8); i > 0; i--) {
            MarketProvider p = MarketProvider.read(in);
            m.providers.put(p.address, p);
        }
        for (int i = in.count("orders", 8); i > 0; i--) m.put(Order.read(in));
        for (int i = in.count("bids", 8); i > 0; i--) {
            m.put(Bid.read(in));
        }
        for (int i = in.count("leases", 8); i > 0; i--) {
            Lease l = Lease.read(in);
            m.leases.put(l.id, l);
        }
        return m;
    }

    void put(Bid b) {
        bids.put(b.id, b);
        bidsByOrder.computeIfAbsent(b.orderId, o -> new TreeSet<>()).add(b.id);
    }

    void put(Order o) {
        orders.put(o.id, o);
        orderByJob.put(o.jobId, o.id);
        if (o.active()) activeOrders.add(o.id);
        else activeOrders.remove(o.id);
    }
}
