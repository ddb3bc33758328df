package io.verigrid.ledger.yuma;

import java.util.ArrayList;
import java.util.List;

/**
 * Bittensor's Yuma consensus epoch, bit-exact with the subtensor chain's {@code epoch_mechanism}
 * (spec {@code shared/specs/yuma-epoch.md}).
 *
 * <h2>Structure</h2>
 * {@link #run} is a pure function of a {@link YumaInput}; it reads no clock, no randomness and no floating
 * point, so every JVM computes the same {@link YumaOutput}. It follows the chain step by step:
 * <ol>
 *   <li><b>activity</b> — a UID is active if it set weights within {@code activity_cutoff} blocks;</li>
 *   <li><b>stake</b> — threshold-filtered stake normalised in I64F64, floored to I32F32;</li>
 *   <li><b>permits</b> — this epoch masks with the <i>previous</i> permits; the new top-K permits are only
 *       stored (and decide whose bond rows are kept);</li>
 *   <li><b>active stake</b> — stake of active, permitted UIDs, normalised;</li>
 *   <li><b>weights</b> — drop rows without permit, self-weights (except the owner's), outdated weights and
 *       (commit-reveal) weights on UIDs registered after a pending commit; row-normalise;</li>
 *   <li><b>consensus</b> — per server the stake-weighted median at κ ({@link WeightedMedian});</li>
 *   <li><b>clipping</b> — weights above consensus are clipped; validator trust = row sums; incentive =
 *       normalised stake-weighted column sums of the clipped weights;</li>
 *   <li><b>bonds</b> — Yuma 1 (default): relative bonds, an EMA of column-normalised stake·weight with
 *       α = 1 − bma/10^6, stored column-max-upscaled as u16; Yuma3 ({@link Yuma3Bonds}): absolute bonds;</li>
 *   <li><b>dividends</b> — bonds times incentive, normalised;</li>
 *   <li><b>emission</b> — incentive and dividends normalised by their joint sum (a 50/50 split), with the
 *       fallback to (active) stake when nothing was earned, converted to rao by flooring.</li>
 * </ol>
 * All arithmetic is {@link I32F32} (raw {@code long} bits); matrices are sparse rows ({@link SparseOps}).
 */
public final class YumaEpoch {
    private YumaEpoch() {}

    /** Runs one epoch. Deterministic and side-effect free. */
    public static YumaOutput run(YumaInput in) {
        int n = in.n();
        int owner = in.ownerUid();

        // Activity: inactive if the last weight set is more than activity_cutoff blocks old.
        boolean[] active = new boolean[n];
        for (int i = 0; i < n; i++) {
            active[i] = !(saturatingAdd(in.lastUpdate()[i], in.activityCutoff()) < in.currentBlock());
        }

        // Stake: the threshold applies to everyone but the owner.
        long[] filtered = in.stake().clone();
        for (int i = 0; i < n; i++) {
            if (i != owner && filtered[i] < in.stakeThreshold()) filtered[i] = 0;
        }
        long[] stake = YumaMath.stakeWeights(filtered);

        // Permits: old ones mask this epoch, new ones are stored.
        boolean[] permit = in.validatorPermits().clone();
        if (owner >= 0) permit[owner] = true;
        boolean[] newPermit = YumaMath.topKNonZero(stake, in.maxAllowedValidators());
        if (owner >= 0) newPermit[owner] = true;

        long[] activeStake = stake.clone();
        for (int i = 0; i < n; i++) if (!active[i] || !permit[i]) activeStake[i] = 0;
        activeStake = YumaMath.normalize(activeStake);

        SparseRow[] weights = maskedWeights(in, permit);

        long[] consensus = WeightedMedian.columns(activeStake, weights, n, YumaMath.u16Ratio(in.kappa()));
        SparseRow[] clipped = SparseOps.colClip(weights, consensus);
        long[] validatorTrust = SparseOps.rowSums(clipped);
        long[] incentive = YumaMath.normalize(SparseOps.matmul(clipped, activeStake, n));

        // Bonds penalty β: 0 builds bonds from raw weights, 1 from clipped weights.
        SparseRow[] weightsForBonds = SparseOps.interpolate(weights, clipped, YumaMath.u16Ratio(in.bondsPenalty()));
        boolean[] newColumn = registeredSinceLastEpoch(in);
        Bonds bonds = in.yuma3()
                ? Yuma3Bonds.compute(in, weightsForBonds, newColumn, consensus, incentive, activeStake)
                : yuma1Bonds(in, weightsForBonds, newColumn, activeStake, incentive);
        long[] dividends = bonds.dividends();

        // Emission: incentive and dividends share one normaliser, so servers and validators split 50/50.
        long[] combined = new long[n];
        for (int i = 0; i < n; i++) combined[i] = I32F32.add(incentive[i], dividends[i]);
        long emissionSum = YumaMath.sum(combined);
        long[] serverShare = YumaMath.normalizeUsing(incentive, emissionSum);
        long[] validatorShare = YumaMath.normalizeUsing(dividends, emissionSum);
        long[] combinedShare = YumaMath.normalize(combined);
        if (emissionSum == 0) {
            // Nothing earned (no usable weights): pay by active stake, or by stake if no validator is active.
            long[] fallback = YumaMath.sum(activeStake) == 0 ? stake : activeStake;
            validatorShare = fallback.clone();
            combinedShare = fallback.clone();
        }
        long rao = in.raoEmission();

        List<SparseRow> storedBonds = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            storedBonds.add(newPermit[i] ? toU16(bonds.stored()[i]) : SparseRow.EMPTY);
        }
        List<SparseRow> emaBonds = new ArrayList<>(n);
        for (SparseRow row : bonds.emaNormalized()) emaBonds.add(row.withoutZeros());

        return new YumaOutput(active, newPermit, stake, activeStake, consensus, validatorTrust, incentive, dividends,
                emaBonds, serverShare, validatorShare, combinedShare,
                YumaMath.toU16Proportions(stake), YumaMath.toU16Proportions(consensus),
                YumaMath.toU16Proportions(validatorTrust), YumaMath.toU16Proportions(incentive),
                YumaMath.toU16Proportions(dividends), storedBonds,
                YumaMath.timesRao(serverShare, rao), YumaMath.timesRao(validatorShare, rao),
                YumaMath.timesRao(combinedShare, rao));
    }

    /**
     * The bond step's results: dividends, the column-normalised EMA (reported) and the matrix whose
     * {@code floor(x·65535)} is stored.
     */
    record Bonds(long[] dividends, SparseRow[] emaNormalized, SparseRow[] stored) {}

    /** Weights after the permit, diagonal, outdated and commit-reveal masks, row-normalised (§4.5). */
    private static SparseRow[] maskedWeights(YumaInput in, boolean[] permit) {
        SparseRow[] w = SparseOps.fromU16(in.weights());
        boolean[] forbidden = new boolean[in.n()];
        for (int i = 0; i < forbidden.length; i++) forbidden[i] = !permit[i];
        w = SparseOps.maskRows(w, forbidden);
        w = SparseOps.maskDiagonal(w, in.ownerUid());
        // Outdated: set at or before the block the target was (re)registered.
        w = SparseOps.maskRowNotAfterColumn(w, in.lastUpdate(), in.blockAtRegistration());
        if (in.commitBlocks() != null) {
            w = SparseOps.maskRowBeforeColumn(w, in.commitBlocks(), in.blockAtRegistration());
        }
        return SparseOps.rowNormalize(w);
    }

    /** Columns whose UID registered at or after the block following the previous epoch (§4.9.3). */
    static boolean[] registeredSinceLastEpoch(YumaInput in) {
        long lastTempo = in.lastMechanismStepBlock() == 0
                ? Math.max(0, in.currentBlock() - in.tempo())
                : saturatingAdd(in.lastMechanismStepBlock(), 1);
        boolean[] mask = new boolean[in.n()];
        for (int j = 0; j < mask.length; j++) mask[j] = lastTempo <= in.blockAtRegistration()[j];
        return mask;
    }

    /** Yuma 1 relative bonds (§4.9): EMA of column-normalised bonds and stake-weighted bond weights. */
    private static Bonds yuma1Bonds(YumaInput in, SparseRow[] weightsForBonds, boolean[] newColumn,
                                    long[] activeStake, long[] incentive) {
        int n = in.n();
        SparseRow[] bonds = SparseOps.fromU16(in.bonds());
        bonds = SparseOps.maskColumns(bonds, newColumn);
        bonds = SparseOps.colNormalize(bonds, n);
        SparseRow[] delta = SparseOps.colNormalize(SparseOps.rowHadamard(weightsForBonds, activeStake), n);
        SparseRow[] ema = SparseOps.colNormalize(SparseOps.ema(delta, bonds, YumaMath.bondsAlpha(in.bondsMovingAverage())), n);
        long[] dividends = YumaMath.normalize(SparseOps.matmulTranspose(ema, incentive));
        return new Bonds(dividends, ema, SparseOps.colMaxUpscale(ema, n));
    }

    private static SparseRow toU16(SparseRow row) {
        long[] values = new long[row.size()];
        for (int k = 0; k < values.length; k++) values[k] = I32F32.toU16Proportion(row.values()[k]);
        return new SparseRow(row.columns(), values).withoutZeros();
    }

    static long saturatingAdd(long a, long b) {
        long r = a + b;
        return r < 0 ? Long.MAX_VALUE : r;
    }
}
