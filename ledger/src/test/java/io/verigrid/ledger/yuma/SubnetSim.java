package io.verigrid.ledger.yuma;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A subnet's epoch-relevant storage, changed the way the chain's extrinsics change it (registration,
 * set_weights, replacing a UID, advancing blocks) so the subtensor test scenarios read step by step.
 * {@link #epoch} runs {@link YumaEpoch} and stores bonds and permits like the chain's {@code epoch()}.
 */
final class SubnetSim {
    long block;
    long tempo;
    long activityCutoff;
    int maxAllowedValidators = 100;
    int bondsPenalty = 65535;
    long bondsMovingAverage = 900_000;
    int ownerUid = YumaInput.NO_OWNER;
    long stakeThreshold;
    boolean yuma3;
    boolean liquidAlpha;
    int alphaLow = YumaInput.DEFAULT_ALPHA_LOW;
    int alphaHigh = YumaInput.DEFAULT_ALPHA_HIGH;
    int kappa = YumaInput.DEFAULT_KAPPA;
    long[] commitBlocks;
    final List<Long> stake = new ArrayList<>();
    final List<Long> lastUpdate = new ArrayList<>();
    final List<Long> registeredAt = new ArrayList<>();
    final List<Boolean> permits = new ArrayList<>();
    final List<SparseRow> weights = new ArrayList<>();
    final List<SparseRow> bonds = new ArrayList<>();

    SubnetSim(long block, long tempo) {
        this.block = block;
        this.tempo = tempo;
        this.activityCutoff = Math.max(1, 13_889 * tempo / 1000);
    }

    int n() {
        return stake.size();
    }

    /** Registration at the current block with {@code stake} rao; returns the new UID. */
    int register(long stakeAmount) {
        return append(stakeAmount, block);
    }

    /** {@code append_neuron(netuid, hotkey, registrationBlock)} with {@code stake} rao; returns the new UID. */
    int append(long stakeAmount, long registrationBlock) {
        stake.add(stakeAmount);
        lastUpdate.add(registrationBlock);
        registeredAt.add(registrationBlock);
        permits.add(false);
        weights.add(SparseRow.EMPTY);
        bonds.add(SparseRow.EMPTY);
        return n() - 1;
    }

    /** {@code replace_neuron}: a new hotkey without stake takes over {@code uid} at the current block. */
    void replace(int uid) {
        stake.set(uid, 0L);
        registeredAt.set(uid, block);
        lastUpdate.set(uid, block);
        bonds.set(uid, SparseRow.EMPTY);
        weights.set(uid, SparseRow.EMPTY);
        for (int i = 0; i < n(); i++) {
            SparseRow row = weights.get(i);
            long[] values = row.values().clone();
            for (int k = 0; k < values.length; k++) if (row.columns()[k] == uid) values[k] = 0;
            weights.set(i, new SparseRow(row.columns(), values));
        }
        permits.set(uid, false);
    }

    /** {@code set_weights} from {@code uid}: stores the max-upscaled row and records the block. */
    void setWeights(int uid, int[] targets, int[] values) {
        int[] stored = WeightRows.maxUpscale(values);
        long[] pairs = new long[2 * targets.length];
        for (int k = 0; k < targets.length; k++) {
            pairs[2 * k] = targets[k];
            pairs[2 * k + 1] = stored[k];
        }
        weights.set(uid, SparseRow.of(pairs));
        lastUpdate.set(uid, block);
    }

    void nextBlock() {
        block++;
    }

    YumaInput input(long raoEmission) {
        int n = n();
        boolean[] p = new boolean[n];
        for (int i = 0; i < n; i++) p[i] = permits.get(i);
        return YumaInput.builder(n)
                .currentBlock(block).tempo(tempo).activityCutoff(activityCutoff)
                .stake(stake.stream().mapToLong(Long::longValue).toArray())
                .stakeThreshold(stakeThreshold).ownerUid(ownerUid)
                .validatorPermits(p).maxAllowedValidators(maxAllowedValidators)
                .lastUpdate(lastUpdate.stream().mapToLong(Long::longValue).toArray())
                .blockAtRegistration(registeredAt.stream().mapToLong(Long::longValue).toArray())
                .weights(weights).bonds(bonds)
                .bondsPenalty(bondsPenalty).bondsMovingAverage(bondsMovingAverage)
                .yuma3(yuma3).liquidAlpha(liquidAlpha).alphaValues(alphaLow, alphaHigh).kappa(kappa)
                .commitBlocks(commitBlocks)
                .raoEmission(raoEmission)
                .build();
    }

    /** The legacy {@code epoch()}: runs one epoch and stores its bonds and new permits. */
    YumaOutput epoch(long raoEmission) {
        YumaOutput out = YumaEpoch.run(input(raoEmission));
        for (int i = 0; i < n(); i++) {
            bonds.set(i, out.bondsU16().get(i));
            permits.set(i, out.newValidatorPermits()[i]);
        }
        return out;
    }

    /** The stored u16 bond {@code (i, j)}. */
    long bond(int i, int j) {
        return bonds.get(i).get(j);
    }

    static int[] range(int from, int to) {
        int[] r = new int[to - from];
        Arrays.setAll(r, k -> from + k);
        return r;
    }
}
