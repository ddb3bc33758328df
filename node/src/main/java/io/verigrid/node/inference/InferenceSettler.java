package io.verigrid.node.inference;

import io.verigrid.ledger.InferenceViews;
import io.verigrid.ledger.TxResult;
import io.verigrid.ledger.tx.InferenceTx;
import io.verigrid.node.gateway.ServedListener;
import io.verigrid.node.gateway.ServedRequest;
import io.verigrid.node.ledger.LedgerHttp;
import io.verigrid.node.ledger.Wallet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The provider's side of billing: collects every request the gateway answered and, once per tick (a block),
 * settles all of them in ONE {@code SettleInference} transaction, so the ledger carries one transaction per block
 * rather than one per request. Each settled request becomes a hold on the ledger; its record is written to the
 * {@link ServedStore} before the transaction is sent and stays there for a dispute until the ledger no longer holds
 * it (each tick compares the store with this provider's holds).
 */
public final class InferenceSettler implements ServedListener {
    private final Wallet provider;
    private final LedgerHttp ledger;
    private final byte[] modelId;
    private final LedgerMetering metering;
    private final ServedStore store;
    private final Consumer<ServedRecord> onSettled;
    private final ConcurrentLinkedQueue<ServedRequest> queue = new ConcurrentLinkedQueue<>();
    private final AtomicLong transactions = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();

    /**
     * {@code metering} (may be null) is told what landed; {@code onSettled} gets each record whose hold landed — at
     * once for what this settler settles, and for records of the store whose outcome was unknown once the ledger
     * shows their holds.
     */
    public InferenceSettler(Wallet provider, LedgerHttp ledger, byte[] modelId, LedgerMetering metering, ServedStore store,
                            Consumer<ServedRecord> onSettled) {
        this.provider = provider;
        this.ledger = ledger;
        this.modelId = modelId.clone();
        this.metering = metering;
        this.store = store;
        this.onSettled = onSettled;
    }

    @Override
    public void served(ServedRequest served) {
        if (served.promptTokens() > 0) queue.add(served);
    }

    /**
     * Settles everything answered since the last tick in one transaction (one by one if the ledger refuses the batch),
     * then prunes the store; returns how many requests were settled. Refused requests are counted and dropped: the
     * provider is not paid.
     */
    public int tick() {
        int settled = settle();
        prune();
        return settled;
    }

    private int settle() {
        List<ServedRequest> batch = new ArrayList<>();
        for (ServedRequest r; batch.size() < InferenceTx.MAX_RECORDS && (r = queue.poll()) != null; ) batch.add(r);
        if (batch.isEmpty()) return 0;
        List<ServedRecord> records = batch.stream().map(ServedRecord::of).toList();
        long staged;
        try {
            staged = store.stage(records); // durable before the ledger can hold any of it
        } catch (RuntimeException e) {
            queue.addAll(batch); // nothing was sent: try again next tick
            throw e;
        }
        List<InferenceTx.Served> served = new ArrayList<>(records.size());
        for (ServedRecord r : records) {
            served.add(new InferenceTx.Served(r.keyHash(), r.request().hash(), r.responseRoot(), r.promptTokens(),
                    r.completionTokens()));
        }
        // A transaction that throws (the ledger did not answer) leaves the batch of unknown outcome: prune() resolves it.
        Map<String, Long> heights = new HashMap<>();
        TxResult result = provider.submit(new InferenceTx.SettleInference(modelId, served));
        if (!result.accepted() && records.size() > 1) {
            // One bad record refuses the whole transaction: settle the rest one by one rather than lose them.
            for (int i = 0; i < records.size(); i++) {
                TxResult alone = provider.submit(new InferenceTx.SettleInference(modelId, List.of(served.get(i))));
                if (alone.accepted()) {
                    transactions.incrementAndGet();
                    heights.put(records.get(i).requestHashHex(), alone.height());
                } else {
                    refused.incrementAndGet();
                }
            }
        } else if (result.accepted()) {
            transactions.incrementAndGet();
            for (ServedRecord r : records) heights.put(r.requestHashHex(), result.height());
        } else {
            refused.incrementAndGet();
        }
        store.settled(staged, heights);
        for (ServedRecord r : records) {
            Long height = heights.get(r.requestHashHex());
            if (height != null) onSettled.accept(r.atHeight(height));
        }
        for (ServedRequest r : batch) {
            if (metering != null) metering.settled(r.apiKey(), (long) r.promptTokens() + r.completionTokens());
        }
        requests.addAndGet(heights.size());
        return heights.size();
    }

    /** Drops from the store what the ledger no longer holds (paid out, or refunded after a lost dispute). */
    private void prune() {
        if (store.size() == 0) return;
        Map<String, Long> held = new HashMap<>();
        // Only this provider's holds cross the wire: the chain's full list grows with every provider's traffic.
        for (InferenceViews.HoldView hold : ledger.inferenceList("holds:" + provider.address(), InferenceViews.HoldView.class)) {
            held.put(hold.requestHash(), hold.height());
        }
        store.prune(held).forEach(onSettled);
    }

    /** Hands every record of the store whose hold height is known to {@code onSettled}: sampling resumes after a restart. */
    public void resume() {
        for (ServedRecord r : store.records()) {
            if (r.height() >= 0) onSettled.accept(r);
        }
    }

    /** A settled request's record by its hash (hex), or null. */
    public ServedRecord served(String requestHashHex) {
        return store.get(requestHashHex);
    }

    /** Settlement transactions sent, requests they carried, requests refused, requests awaiting a tick or a payout. */
    public Map<String, Long> stats() {
        return Map.of("settlement_transactions", transactions.get(), "settled_requests", requests.get(),
                "refused_requests", refused.get(), "queued_requests", (long) queue.size(), "kept_requests", (long) store.size());
    }
}
