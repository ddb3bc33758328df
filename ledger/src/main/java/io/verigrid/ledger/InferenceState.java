package io.verigrid.ledger;

import io.verigrid.ledger.InferenceRecords.ApiKey;
import io.verigrid.ledger.InferenceRecords.Dispute;
import io.verigrid.ledger.InferenceRecords.Hold;
import io.verigrid.ledger.InferenceRecords.Model;
import io.verigrid.ledger.tx.ByteReader;
import io.verigrid.ledger.tx.ByteWriter;
import io.verigrid.verify.Hashes;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The ledger's inference section: registered models, API keys (by hash), each account's inference escrow, the holds
 * of served requests inside their challenge window (a hold leaves the state once paid or refunded) and the
 * inference disputes.
 */
final class InferenceState {
    final TreeMap<String, Model> models = new TreeMap<>();
    final TreeMap<String, ApiKey> keys = new TreeMap<>();
    final TreeMap<String, Long> escrow = new TreeMap<>();
    final TreeMap<String, Hold> holds = new TreeMap<>();
    final TreeMap<Long, Dispute> disputes = new TreeMap<>();
    long nextDisputeId = 1;
    /** Units paid out to providers from holds so far (a running total for reports; not a balance). */
    long paidOut;

    boolean isEmpty() {
        return models.isEmpty() && keys.isEmpty() && escrow.isEmpty() && holds.isEmpty() && disputes.isEmpty() && paidOut == 0;
    }

    /** Escrow, holds and open dispute locks: units that are neither balances nor stake. */
    long locked() {
        long total = 0;
        for (long e : escrow.values()) total = Math.addExact(total, e);
        for (Hold h : holds.values()) total = Math.addExact(total, h.amount);
        for (Dispute d : disputes.values()) total = Math.addExact(total, d.locked());
        return total;
    }

    /** Why {@code address} may not unstake now (a provider in an open inference dispute), or null. */
    String stakeLock(String address) {
        for (Dispute d : disputes.values()) {
            if (d.open() && d.provider.equals(address)) return "provider in open inference dispute " + d.id;
        }
        return null;
    }

    /** State-root leaves (tags 0x40..0x45): globals, then models, keys, escrows, holds, disputes by key. */
    void addLeaves(List<byte[]> leaves) {
        leaves.add(Hashes.sha256(new ByteWriter().u8(0x40).i64(nextDisputeId).i64(paidOut).toBytes()));
        models.values().forEach(m -> leaf(leaves, 0x41, m::write));
        keys.values().forEach(k -> leaf(leaves, 0x42, k::write));
        escrow.forEach((address, amount) -> leaf(leaves, 0x43, w -> w.string(address).i64(amount)));
        holds.values().forEach(h -> leaf(leaves, 0x44, h::write));
        disputes.values().forEach(d -> leaf(leaves, 0x45, d::write));
    }

    private static void leaf(List<byte[]> leaves, int tag, java.util.function.Consumer<ByteWriter> body) {
        ByteWriter w = new ByteWriter().u8(tag);
        body.accept(w);
        leaves.add(Hashes.sha256(w.toBytes()));
    }

    void write(ByteWriter out) {
        out.i64(nextDisputeId).i64(paidOut);
        out.i32(models.size());
        models.values().forEach(m -> m.write(out));
        out.i32(keys.size());
        keys.values().forEach(k -> k.write(out));
        out.i32(escrow.size());
        escrow.forEach((address, amount) -> out.string(address).i64(amount));
        out.i32(holds.size());
        holds.values().forEach(h -> h.write(out));
        out.i32(disputes.size());
        disputes.values().forEach(d -> d.write(out));
    }

    static InferenceState read(ByteReader in) {
        InferenceState s = new InferenceState();
        s.nextDisputeId = in.i64("nextInferenceDisputeId");
        s.paidOut = in.i64("paidOut");
        for (int i = in.count("models", 8); i > 0; i--) put(s.models, Model.read(in), m -> m.id);
        for (int i = in.count("keys", 8); i > 0; i--) put(s.keys, ApiKey.read(in), k -> k.keyHash);
        for (int i = in.count("escrow", 10); i > 0; i--) s.escrow.put(in.string("address"), in.i64("escrow"));
        for (int i = in.count("holds", 8); i > 0; i--) put(s.holds, Hold.read(in), h -> h.requestHash);
        for (int i = in.count("inference disputes", 8); i > 0; i--) {
            Dispute d = Dispute.read(in);
            s.disputes.put(d.id, d);
        }
        return s;
    }

    private static <T> void put(Map<String, T> map, T value, java.util.function.Function<T, String> key) {
        map.put(key.apply(value), value);
    }
}
