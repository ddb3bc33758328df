package io.verigrid.ledger;

import io.verigrid.ledger.InferenceRecords.ApiKey;
import io.verigrid.ledger.InferenceRecords.Dispute;
import io.verigrid.ledger.InferenceRecords.Hold;
import io.verigrid.ledger.InferenceRecords.Model;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeMap;

/** The inference changes of one transaction or block entry, kept apart until the {@link Draft} commits. */
final class InferenceDraft {
    final InferenceState base;
    private final TreeMap<String, Model> models = new TreeMap<>();
    private final TreeMap<String, ApiKey> keys = new TreeMap<>();
    private final TreeMap<String, Long> escrow = new TreeMap<>();
    private final TreeMap<String, Hold> holds = new TreeMap<>();
    private final Set<String> released = new HashSet<>();
    private final TreeMap<Long, Dispute> disputes = new TreeMap<>();
    long nextDisputeId;
    long paidOut;

    InferenceDraft(InferenceState base) {
        this.base = base;
        this.nextDisputeId = base.nextDisputeId;
        this.paidOut = base.paidOut;
    }

    /** The model, or a rejection naming it. Models never change once registered. */
    Model model(String id) {
        Model m = models.containsKey(id) ? models.get(id) : base.models.get(id);
        if (m == null) throw new Rejection(Rejection.UNKNOWN_MODEL, "no model " + id);
        return m;
    }

    boolean hasModel(String id) {
        return models.containsKey(id) || base.models.containsKey(id);
    }

    void addModel(Model m) {
        models.put(m.id, m);
    }

    /** The key's record, or null when the key is not registered. */
    ApiKey key(String keyHash) {
        return keys.computeIfAbsent(keyHash, k -> {
            ApiKey existing = base.keys.get(k);
            return existing == null ? null : existing.copy();
        });
    }

    void addKey(ApiKey k) {
        keys.put(k.keyHash, k);
    }

    long escrow(String address) {
        Long e = escrow.containsKey(address) ? escrow.get(address) : base.escrow.get(address);
        return e == null ? 0 : e;
    }

    void setEscrow(String address, long amount) {
        escrow.put(address, amount);
    }

    /** The hold to change, or null when there is none (never settled, or already paid or refunded). */
    Hold hold(String requestHash) {
        if (released.contains(requestHash)) return null;
        return holds.computeIfAbsent(requestHash, k -> {
            Hold existing = base.holds.get(k);
            return existing == null ? null : existing.copy();
        });
    }

    void addHold(Hold h) {
        released.remove(h.requestHash);
        holds.put(h.requestHash, h);
    }

    /** Removes a paid or refunded hold from the state. */
    void release(String requestHash) {
        holds.remove(requestHash);
        released.add(requestHash);
    }

    Dispute dispute(long id) {
        Dispute d = disputes.computeIfAbsent(id, i -> {
            Dispute existing = base.disputes.get(i);
            return existing == null ? null : existing.copy();
        });
        if (d == null) throw new Rejection(Rejection.UNKNOWN_DISPUTE, "no inference dispute " + id);
        return d;
    }

    Dispute newDispute() {
        Dispute d = new Dispute();
        d.id = nextDisputeId++;
        disputes.put(d.id, d);
        return d;
    }

    void commit() {
        base.models.putAll(models);
        base.keys.putAll(keys);
        base.escrow.putAll(escrow);
        released.forEach(base.holds::remove);
        holds.forEach((k, h) -> {
            if (h != null) base.holds.put(k, h);
        });
        disputes.forEach((k, d) -> {
            if (d != null) base.disputes.put(k, d);
        });
        base.nextDisputeId = nextDisputeId;
        base.paidOut = paidOut;
    }
}
