package io.verigrid.node.inference;

import io.verigrid.ledger.TxResult;
import io.verigrid.ledger.tx.InferenceTx;
import io.verigrid.node.gateway.ServedListener;
import io.verigrid.node.gateway.ServedRequest;
import io.verigrid.node.ledger.Wallet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The provider's side of billing: collects every request the gateway answered and, once per tick (a block),
 * settles all of them in ONE {@code SettleInference} transaction, so the ledger carries one transaction per block
 * rather than one per request. Each settled request becomes a hold on the ledger; its leaves stay here for a
 * dispute ({@link #served(String)}) until no dispute can open on it any more.
 */
public final class InferenceSettler implements ServedListener {
    private final Wallet provider;
    private final byte[] modelId;
    private final LedgerMetering metering;
    private final Consumer<Settled> onSettled;
    private final ConcurrentLinkedQueue<ServedRequest> queue = new ConcurrentLinkedQueue<>();
    private final Map<String, Settled> byHash = new ConcurrentHashMap<>();
    private final long retainBlocks;
    private final AtomicLong transactions = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();

    /** A request whose hold landed at {@code height}. */
    public record Settled(ServedRequest request, long height) {}

    /**
     * {@code retainBlocks}: how long a settled request's leaves are kept for a dispute — the challenge window plus the
     * time the provider has for its first move, after which no dispute can need them.
     */
    public InferenceSettler(Wallet provider, byte[] modelId, LedgerMetering metering, long retainBlocks,
                            Consumer<Settled> onSettled) {
        this.provider = provider;
        this.retainBlocks = retainBlocks;
        this.modelId = modelId.clone();
        this.metering = metering;
        this.onSettled = onSettled;
    }

    @Override
    public void served(ServedRequest served) {
        if (served.promptTokens() > 0) queue.add(served);
    }

    /**
     * Settles everything answered since the last tick in one transaction (one by one if the ledger refuses the batch);
     * returns how many requests were settled. Refused requests are counted and dropped: the provider is not paid.
     */
    public int tick() {
        List<ServedRequest> batch = new ArrayList<>();
        for (ServedRequest r; batch.size() < InferenceTx.MAX_RECORDS && (r = queue.poll()) != null; ) batch.add(r);
        if (batch.isEmpty()) return 0;
        List<InferenceTx.Served> records = new ArrayList<>(batch.size());
        for (ServedRequest r : batch) {
            records.add(new InferenceTx.Served(LedgerMetering.keyHash(r.apiKey()), r.request().hash(), r.responseRoot(),
                    r.promptTokens(), r.completionTokens()));
        }
        TxResult result = provider.submit(new InferenceTx.SettleInference(modelId, records));
        List<ServedRequest> settled = batch;
        if (!result.accepted() && batch.size() > 1) {
            // One bad record refuses the whole transaction: settle the rest one by one rather than lose them.
            settled = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                TxResult alone = provider.submit(new InferenceTx.SettleInference(modelId, List.of(records.get(i))));
                if (alone.accepted()) {
                    settled.add(batch.get(i));
                    transactions.incrementAndGet();
                    record(batch.get(i), alone.height());
                } else {
                    refused.incrementAndGet();
                }
            }
        } else if (result.accepted()) {
            transactions.incrementAndGet();
            for (ServedRequest r : batch) record(r, result.height());
        } else {
            refused.incrementAndGet();
        }
        for (ServedRequest r : batch) {
            if (metering != null) metering.settled(r.apiKey(), (long) r.promptTokens() + r.completionTokens());
        }
        requests.addAndGet(settled.size());
        return settled.size();
    }

    private void record(ServedRequest r, long height) {
        Settled settled = new Settled(r, height);
        byHash.put(r.requestHashHex(), settled);
        byHash.values().removeIf(old -> old.height() < height - retainBlocks);
        onSettled.accept(settled);
    }

    /** A settled request by its hash (hex), or null. */
    public ServedRequest served(String requestHashHex) {
        Settled settled = byHash.get(requestHashHex);
        return settled == null ? null : settled.request();
    }

    /** Settlement transactions sent, requests they carried, requests refused. */
    public Map<String, Long> stats() {
        return Map.of("settlement_transactions", transactions.get(), "settled_requests", requests.get(),
                "refused_requests", refused.get(), "queued_requests", (long) queue.size());
    }
}
