package io.verigrid.node.market;

import io.verigrid.engine.Parallelism;
import io.verigrid.ledger.MarketParams;
import io.verigrid.ledger.MarketViews.LeaseView;
import io.verigrid.ledger.MarketViews.OrderView;
import io.verigrid.ledger.MarketViews.ProviderView;
import io.verigrid.ledger.TxResult;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.node.ledger.LedgerHttp;
import io.verigrid.node.ledger.Wallet;
import io.verigrid.node.metrics.NodeMetrics;
import io.verigrid.node.work.RoleLoop;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A provider's side of the market: it registers its URL and measured {@link Capability}, re-measures
 * periodically, bids its ask on every auction it can serve, and heartbeats its active lease on its own thread
 * (training a unit must never make it miss a heartbeat). The provider's work loop asks {@link #leasedJob()}.
 */
public final class ProviderMarket implements AutoCloseable {
    private final MarketOffer offer;
    private final Wallet wallet;
    private final LedgerHttp ledger;
    private final NodeMetrics metrics;
    private final Consumer<String> log;
    private final String name;
    private final String url;
    private final Parallelism par;
    private final Path dataDir;
    private final Set<String> bidOn = new HashSet<>();
    private static final long POLL_NANOS = 250_000_000L;
    private long lastPollNanos;
    /** The auction this provider is waiting on ("order/round"), or null: it bids on one order at a time. */
    private String pendingBid;
    private final RoleLoop heartbeats;
    private volatile Capability capability;
    private volatile boolean registered;
    private volatile long measuredAtNanos;
    private volatile LeaseView lease;
    private long lastHeartbeatHeight = -1;
    private MarketParams params;
    /** Whether this provider could defend every dispute on a job; it bids on no other. */
    private final java.util.function.LongPredicate canDefend;

    public ProviderMarket(String name, MarketOffer offer, Wallet wallet, LedgerHttp ledger, String url, Parallelism par,
                          Path dataDir, NodeMetrics metrics, Consumer<String> log,
                          java.util.function.LongPredicate canDefend) {
        this.name = name;
        this.canDefend = canDefend;
        this.offer = offer;
        this.wallet = wallet;
        this.ledger = ledger;
        this.url = url;
        this.par = par;
        this.dataDir = dataDir;
        this.metrics = metrics;
        this.log = log;
        this.capability = Capability.measure(par, dataDir);
        this.measuredAtNanos = System.nanoTime();
        log.accept(String.format("%s measured %.2f GFLOP/s (engine matmul), %d MiB memory, %d GiB free disk", name,
                capability.mflops() / 1000.0, capability.memoryBytes() >> 20, capability.diskBytes() >> 30));
        this.heartbeats = new RoleLoop(name + "-heartbeat", 100, this::heartbeat, log);
    }

    public Capability capability() {
        return capability;
    }

    /** The job of this provider's active lease, or null. */
    public Long leasedJob() {
        LeaseView l = lease;
        return l == null ? null : l.jobId();
    }

    /** One pass from the provider's work loop: register, re-measure, follow leases, bid. */
    public void tick() {
        if (!registered) register();
        if (!registered) return;
        // Polled a few times a second, not every work-loop pass: a hundred providers share one ledger node.
        if (System.nanoTime() - lastPollNanos < POLL_NANOS) return;
        lastPollNanos = System.nanoTime();
        if (System.nanoTime() - measuredAtNanos > offer.remeasureEvery().toNanos()) remeasure();
        lease = ledger.marketLeases().stream()
                .filter(l -> "ACTIVE".equals(l.status()) && wallet.address().equals(l.provider()))
                .findFirst().orElse(null);
        if (lease == null) bid();
    }

    private void register() {
        TxResult r = wallet.submit(new TxBody.RegisterProvider(url, capability.mflops(), capability.memoryBytes(), capability.diskBytes()));
        if (r.accepted()) {
            registered = true;
            params = ledger.marketParams();
            log.accept(name + " registered on the market at " + url);
        } else if (!"INSUFFICIENT_STAKE".equals(r.code())) {
            log.accept(name + " could not register: " + r.code() + " " + r.message());
        }
    }

    private void remeasure() {
        capability = Capability.measure(par, dataDir);
        measuredAtNanos = System.nanoTime();
        wallet.submit(new TxBody.UpdateCapability(capability.mflops(), capability.memoryBytes(), capability.diskBytes()));
    }

    /**
     * Bids on one auction it can serve at a time (a provider runs one job at a time). Among open auctions it picks
     * by a hash of its address and the order, so many providers spread over many orders instead of all bidding
     * on the first.
     */
    private void bid() {
        List<OrderView> orders = ledger.marketOrders();
        if (pendingBid != null) {
            boolean stillOpen = orders.stream().anyMatch(o -> pendingBid.equals(o.id() + "/" + o.round()) && "AUCTION".equals(o.status()));
            if (stillOpen) return;
            pendingBid = null;
        }
        ProviderView me = ledger.marketProvider(wallet.address());
        if (me == null) return;
        List<OrderView> candidates = new ArrayList<>();
        for (OrderView o : orders) {
            String key = o.id() + "/" + o.round();
            if (!"AUCTION".equals(o.status()) || bidOn.contains(key) || o.excluded().contains(wallet.address())) continue;
            if (o.maxUnitPrice() < offer.askUnitPrice() || o.minMflops() > me.effectiveMflops() || o.minMemoryBytes() > me.memoryBytes()) continue;
            if (o.buyer().equals(wallet.address())) continue;
            candidates.add(o);
        }
        candidates.sort(Comparator.comparingInt(o -> (wallet.address() + "/" + o.id()).hashCode()));
        candidates.removeIf(o -> !canDefend.test(o.jobId())); // checked once per job, in the order it would bid
        for (OrderView o : candidates.subList(0, Math.min(1, candidates.size()))) {
            String key = o.id() + "/" + o.round();
            bidOn.add(key);
            pendingBid = key;
            TxResult r = wallet.submit(new TxBody.PlaceBid(o.id(), offer.askUnitPrice()));
            if (r.accepted()) {
                metrics.bidPlaced();
                log.accept(name + " bid " + offer.askUnitPrice() + " per unit on order " + o.id() + " (round " + o.round() + ")");
            } else {
                log.accept(name + " bid on order " + o.id() + " refused: " + r.code() + " " + r.message());
            }
        }
    }

    /** Sends a heartbeat once per {@code heartbeatBlocks - 1} blocks while a lease is active. */
    private void heartbeat() {
        LeaseView l = lease;
        if (l == null || params == null) return;
        long height = ledger.status().height();
        long every = Math.max(1, params.heartbeatBlocks() - 1);
        if (lastHeartbeatHeight >= 0 && height < lastHeartbeatHeight + every) return;
        TxResult r = wallet.submit(new TxBody.Heartbeat(l.id()));
        if (r.accepted()) {
            lastHeartbeatHeight = height;
            metrics.heartbeat();
        } else if ("LEASE_ENDED".equals(r.code())) {
            lease = null;
        }
    }

    @Override
    public void close() {
        heartbeats.close();
    }
}
