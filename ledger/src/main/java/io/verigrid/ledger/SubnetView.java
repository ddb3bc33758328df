package io.verigrid.ledger;

/**
 * A subnet at a glance: identity, hyperparameters, size, the emission waiting for its next epoch, and when
 * that epoch runs ({@code lastEpoch} 0: none yet).
 */
public record SubnetView(int netuid, String name, String task, String owner, SubnetHyperparams hyperparams, long createdAt,
                         long lastEpoch, long nextEpoch, long pending, int uids, long totalStake) {

    static SubnetView of(Subnet s, long height) {
        long total = 0;
        for (long v : s.delegations.values()) total += v;
        long tempo = s.hyper.tempo();
        long since = (height - s.createdAt) % tempo;
        return new SubnetView(s.id, s.name, Subnet.taskName(s.task), s.owner, s.hyper,
                s.createdAt, s.lastEpoch, height + tempo - since, s.pending, s.neurons.size(), total);
    }
}
