package io.verigrid.ledger;

import io.verigrid.ledger.tx.TxBody;
import io.verigrid.verify.Hashes;

/** Transfers, staking and unbonding. */
final class AccountRules {
    private AccountRules() {}

    static void transfer(Draft d, Account sender, TxBody.Transfer t) {
        debit(sender, t.amount(), "transfer");
        Account to = d.account(Hashes.hex(t.to()));
        to.balance = Math.addExact(to.balance, t.amount());
    }

    static void stake(Account sender, TxBody.Stake s) {
        debit(sender, s.amount(), "stake");
        sender.stake = Math.addExact(sender.stake, s.amount());
    }

    /** Stake leaves at once but stays slashable as an unbonding entry until {@code unbondingBlocks} pass. */
    static void unstake(Draft d, String address, Account sender, TxBody.Unstake u) {
        if (u.amount() > sender.stake) {
            throw new Rejection(Rejection.INSUFFICIENT_STAKE,
                    "unstake of " + u.amount() + " exceeds stake " + sender.stake);
        }
        String lock = d.base.stakeLock(address);
        if (lock != null) throw new Rejection(Rejection.STAKE_LOCKED, "stake is locked: " + lock);
        sender.stake -= u.amount();
        sender.unbonding.add(new Unbonding(u.amount(), Math.addExact(d.height, d.params.unbondingBlocks())));
    }

    /** At a block: unbonding entries whose release height has come return to the balance. */
    static void releaseUnbonded(Draft d) {
        for (String address : d.base.unbondingAccounts) {
            Account existing = d.base.accounts.get(address);
            if (existing.unbonding.stream().noneMatch(u -> u.releaseHeight() <= d.height)) continue;
            Account a = d.account(address);
            for (Unbonding u : a.unbonding) {
                if (u.releaseHeight() <= d.height) a.balance = Math.addExact(a.balance, u.amount());
            }
            a.unbonding.removeIf(u -> u.releaseHeight() <= d.height);
        }
    }

    static void debit(Account a, long amount, String what) {
        if (amount > a.balance) {
            throw new Rejection(Rejection.INSUFFICIENT_BALANCE,
                    what + " of " + amount + " exceeds balance " + a.balance);
        }
        a.balance -= amount;
    }
}
