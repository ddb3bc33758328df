package io.verigrid.ledger;

import java.util.ArrayList;
import java.util.List;

/**
 * One row of a subnet's metagraph. {@code trust}, {@code consensus}, {@code incentive} and {@code dividends} are
 * last epoch's u16 proportions (value/65535); {@code emission} is what the UID earned in it (units);
 * {@code weights} and {@code bonds} are the stored u16 rows as {@code [uid, value]} pairs.
 */
public record NeuronView(int uid, String hotkey, long stake, long registeredAt, long lastUpdate, boolean active,
                         boolean validatorPermit, int trust, int consensus, int incentive, int dividends, long emission,
                         String axon, boolean hasModel, String modelCommitment, List<long[]> weights, List<long[]> bonds) {

    static List<NeuronView> metagraph(Subnet s) {
        var stakes = s.stakeByHotkey();
        List<NeuronView> rows = new ArrayList<>();
        for (int uid = 0; uid < s.neurons.size(); uid++) {
            Neuron n = s.neurons.get(uid);
            rows.add(new NeuronView(uid, n.hotkey, stakes.getOrDefault(n.hotkey, 0L), n.registeredAt, n.lastUpdate, n.active,
                    n.permit, n.trust, n.consensus, n.incentive, n.dividends, n.emission, n.axon, n.model.length > 0 || n.modelCommitment.length > 0,
                    io.verigrid.verify.Hashes.hex(n.modelCommitment),
                    pairs(n.weights), pairs(n.bonds)));
        }
        return rows;
    }

    private static List<long[]> pairs(io.verigrid.ledger.yuma.SparseRow row) {
        List<long[]> out = new ArrayList<>(row.size());
        for (int k = 0; k < row.size(); k++) out.add(new long[] {row.columns()[k], row.values()[k]});
        return out;
    }
}
