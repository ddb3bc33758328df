package io.verigrid.ledger;

import io.verigrid.ledger.tx.ByteReader;
import io.verigrid.ledger.tx.ByteWriter;
import java.util.ArrayList;
import java.util.List;

/** One account's mutable ledger entry. Rules work on copies (see {@link Draft}) and commit them whole. */
final class Account {
    long balance;
    long nonce;
    long stake;
    final List<Unbonding> unbonding = new ArrayList<>();
    final List<Penalty> penalties = new ArrayList<>();

    Account copy() {
        Account c = new Account();
        c.balance = balance;
        c.nonce = nonce;
        c.stake = stake;
        c.unbonding.addAll(unbonding);
        c.penalties.addAll(penalties);
        return c;
    }

    long unbondingTotal() {
        long total = 0;
        for (Unbonding u : unbonding) total = Math.addExact(total, u.amount());
        return total;
    }

    /** Takes up to {@code amount} from stake, then from unbonding entries (newest last); returns what was taken. */
    long slash(long amount) {
        long fromStake = Math.min(stake, amount);
        stake -= fromStake;
        long taken = fromStake;
        for (int i = 0; i < unbonding.size() && taken < amount; i++) {
            Unbonding u = unbonding.get(i);
            long part = Math.min(u.amount(), amount - taken);
            taken += part;
            unbonding.set(i, new Unbonding(u.amount() - part, u.releaseHeight()));
        }
        unbonding.removeIf(u -> u.amount() == 0);
        return taken;
    }

    void write(ByteWriter out) {
        out.i64(balance).i64(nonce).i64(stake).i32(unbonding.size());
        for (Unbonding u : unbonding) out.i64(u.amount()).i64(u.releaseHeight());
        out.i32(penalties.size());
        for (Penalty p : penalties) out.i64(p.disputeId()).i64(p.jobId()).string(p.kind()).i64(p.amount()).i64(p.height()).string(p.reason());
    }

    static Account read(ByteReader in) {
        Account a = new Account();
        a.balance = in.i64("balance");
        a.nonce = in.i64("nonce");
        a.stake = in.i64("stake");
        for (int i = in.count("unbonding", 16); i > 0; i--) a.unbonding.add(new Unbonding(in.i64("amount"), in.i64("release")));
        for (int i = in.count("penalties", 36); i > 0; i--) {
            a.penalties.add(new Penalty(in.i64("disputeId"), in.i64("jobId"), in.string("kind"), in.i64("amount"), in.i64("height"),
                    in.string("reason")));
        }
        return a;
    }
}
