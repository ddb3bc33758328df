package io.verigrid.ledger;

import java.util.TreeMap;

/** The subnet changes of one transaction or block entry, kept apart until the {@link Draft} commits. */
final class SubnetDraft {
    private final SubnetState base;
    private final TreeMap<Integer, Subnet> changed = new TreeMap<>();
    int nextNetuid;
    long minted;

    SubnetDraft(SubnetState base) {
        this.base = base;
        this.nextNetuid = base.nextNetuid;
        this.minted = base.minted;
    }

    Issuance issuance() {
        return base.issuance;
    }

    /** The subnet to change, or a rejection naming it. */
    Subnet subnet(int netuid) {
        Subnet s = changed.computeIfAbsent(netuid, id -> {
            Subnet existing = base.subnets.get(id);
            return existing == null ? null : existing.copy();
        });
        if (s == null) throw new Rejection(Rejection.UNKNOWN_SUBNET, "no subnet " + netuid);
        return s;
    }

    Iterable<Integer> ids() {
        return base.subnets.keySet();
    }

    int count() {
        return base.subnets.size();
    }

    Subnet create(String name, int task, String owner, long height) {
        Subnet s = new Subnet(nextNetuid++, name, task, owner, height, SubnetHyperparams.defaults());
        changed.put(s.id, s);
        return s;
    }

    void commit() {
        base.subnets.putAll(changed);
        base.nextNetuid = nextNetuid;
        base.minted = minted;
    }
}
