package io.verigrid.ledger;

import io.verigrid.ledger.tx.ByteReader;
import io.verigrid.ledger.tx.ByteWriter;
import io.verigrid.verify.Hashes;
import java.util.List;
import java.util.TreeMap;

/** The ledger's subnet section: the subnets by id, the issuance schedule and what it has minted so far. */
final class SubnetState {
    final Issuance issuance;
    final TreeMap<Integer, Subnet> subnets = new TreeMap<>();
    int nextNetuid = 1;
    long minted;

    SubnetState(Issuance issuance) {
        this.issuance = issuance;
    }

    long locked() {
        long total = 0;
        for (Subnet s : subnets.values()) total = Math.addExact(total, s.locked());
        return total;
    }

    /** State-root leaves: the globals, then one per subnet in id order. */
    void addLeaves(List<byte[]> leaves) {
        ByteWriter globals = new ByteWriter().u8(0x30).i32(nextNetuid).i64(minted);
        issuance.write(globals);
        leaves.add(Hashes.sha256(globals.toBytes()));
        for (Subnet s : subnets.values()) {
            ByteWriter w = new ByteWriter().u8(0x31);
            s.write(w);
            leaves.add(Hashes.sha256(w.toBytes()));
        }
    }

    void write(ByteWriter out) {
        issuance.write(out);
        out.i32(nextNetuid).i64(minted).i32(subnets.size());
        for (Subnet s : subnets.values()) s.write(out);
    }

    static SubnetState read(ByteReader in) {
        SubnetState state = new SubnetState(Issuance.read(in));
        state.nextNetuid = in.i32("nextNetuid");
        state.minted = in.i64("minted");
        for (int i = in.count("subnets", 8); i > 0; i--) {
            Subnet s = Subnet.read(in);
            state.subnets.put(s.id, s);
        }
        return state;
    }
}
