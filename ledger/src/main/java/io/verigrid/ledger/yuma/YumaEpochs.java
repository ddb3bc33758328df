package io.verigrid.ledger.yuma;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs epochs in sequence the way the chain does: each epoch reads the bonds the previous one stored and
 * masks with the permits it granted (spec §8, multi-epoch runs).
 */
public final class YumaEpochs {
    private YumaEpochs() {}

    /** {@code previous} with the bonds and validator permits that {@code output} stores. */
    public static YumaInput carryOver(YumaInput previous, YumaOutput output) {
        if (output.n() != previous.n()) {
            throw new IllegalArgumentException("output: has " + output.n() + " UIDs, input has " + previous.n());
        }
        return previous.toBuilder().bonds(output.bondsU16()).validatorPermits(output.newValidatorPermits()).build();
    }

    /**
     * {@code epochs} epochs on otherwise unchanged inputs (same block, stake and weights), each fed the
     * previous one's bonds and permits; returns every epoch's output in order.
     */
    public static List<YumaOutput> run(YumaInput first, int epochs) {
        if (epochs < 0) throw new IllegalArgumentException("epochs: must be non-negative, got " + epochs);
        List<YumaOutput> outputs = new ArrayList<>(epochs);
        YumaInput input = first;
        for (int e = 0; e < epochs; e++) {
            YumaOutput out = YumaEpoch.run(input);
            outputs.add(out);
            input = carryOver(input, out);
        }
        return outputs;
    }
}
