package io.verigrid.ledger;

import java.util.Map;
import java.util.TreeMap;

/**
 * The changes one transaction (or one block entry) makes, kept apart from the state until {@link #commit()}.
 * Rules read and mutate copies obtained here; a {@link Rejection} simply drops the draft, so a refused
 * transaction changes nothing however far its rule got.
 */
final class Draft {
    final LedgerState base;
    /** The height of the block this draft's changes land in. */
    final long height;
    final Params params;
    private final Map<String, Account> accounts = new TreeMap<>();
    private long burned;

    Draft(LedgerState base, long height) {
        this.base = base;
        this.height = height;
        this.params = base.params();
        this.burned = base.burned;
    }

    Account account(String address) {
        return accounts.computeIfAbsent(address, a -> {
            Account existing = base.accounts.get(a);
            return existing == null ? new Account() : existing.copy();
        });
    }

    void burn(long amount) {
        burned = Math.addExact(burned, amount);
    }

    void commit() {
        base.accounts.putAll(accounts);
        base.burned = burned;
    }
}
