package io.verigrid.ledger;

import io.verigrid.ledger.tx.ByteReader;
import io.verigrid.ledger.tx.ByteWriter;

/**
 * One subnet's hyperparameters (spec {@code yuma-epoch.md} §3), set by its owner. Defaults are the chain's.
 *
 * @param tempo                     blocks between two epochs of the subnet
 * @param kappa                     u16; κ = kappa/65535, the stake share consensus needs
 * @param bondsMovingAverage        per million; α = 1 − bma/10^6
 * @param bondsPenalty              u16; 65535 = bonds from clipped weights
 * @param activityCutoffFactorMilli activity cutoff = max(1, factor · tempo / 1000) blocks
 * @param maxValidators             K of the top-K stake validator permits
 * @param immunityPeriod            blocks after registration during which a UID cannot be replaced
 * @param maxUids                   UIDs the subnet holds; a registration when full replaces one
 * @param commitReveal              weights must be committed (hash) and revealed instead of set
 * @param commitRevealWindow        blocks after a commit during which it can be revealed; later it expires
 * @param ownerCutPpm               the subnet owner's share of each epoch's emission (chain: 18 %)
 * @param yuma3                     the optional Yuma3 bonds of spec §7.2
 * @param liquidAlpha               liquid alpha inside Yuma3 (§7.3)
 */
public record SubnetHyperparams(int tempo, int kappa, long bondsMovingAverage, int bondsPenalty, int activityCutoffFactorMilli,
                                int maxValidators, int immunityPeriod, int maxUids, boolean commitReveal,
                                int commitRevealWindow, int ownerCutPpm, boolean yuma3, boolean liquidAlpha) {

    public SubnetHyperparams {
        range("tempo", tempo, 1, 65535);
        range("kappa", kappa, 0, 65535);
        if (bondsMovingAverage < 0 || bondsMovingAverage > 1_000_000) {
            throw new IllegalArgumentException("bondsMovingAverage must be in 0..1000000, got " + bondsMovingAverage);
        }
        range("bondsPenalty", bondsPenalty, 0, 65535);
        range("activityCutoffFactorMilli", activityCutoffFactorMilli, 1, 10_000_000);
        range("maxValidators", maxValidators, 1, 65535);
        range("immunityPeriod", immunityPeriod, 0, 1_000_000);
        range("maxUids", maxUids, 1, 65535);
        range("commitRevealWindow", commitRevealWindow, 1, 1_000_000);
        range("ownerCutPpm", ownerCutPpm, 0, Params.PPM);
    }

    /** The chain's defaults, with a short tempo (Verigrid blocks are seconds, not 12 s). */
    public static SubnetHyperparams defaults() {
        return new SubnetHyperparams(100, 32767, 900_000, 65535, 13_889, 64, 50, 256, false, 20, 180_000, false, false);
    }

    /** max(1, floor(activityCutoffFactorMilli · tempo / 1000)), spec §3. */
    public long activityCutoff() {
        return Math.max(1, (long) activityCutoffFactorMilli * tempo / 1000);
    }

    public void write(ByteWriter out) {
        out.i32(tempo).i32(kappa).i64(bondsMovingAverage).i32(bondsPenalty).i32(activityCutoffFactorMilli).i32(maxValidators)
                .i32(immunityPeriod).i32(maxUids).bool(commitReveal).i32(commitRevealWindow).i32(ownerCutPpm).bool(yuma3)
                .bool(liquidAlpha);
    }

    public static SubnetHyperparams read(ByteReader in) {
        return new SubnetHyperparams(in.i32("tempo"), in.i32("kappa"), in.i64("bondsMovingAverage"), in.i32("bondsPenalty"),
                in.i32("activityCutoffFactorMilli"), in.i32("maxValidators"), in.i32("immunityPeriod"), in.i32("maxUids"),
                in.bool("commitReveal"), in.i32("commitRevealWindow"), in.i32("ownerCutPpm"), in.bool("yuma3"),
                in.bool("liquidAlpha"));
    }

    private static void range(String name, long v, long lo, long hi) {
        if (v < lo || v > hi) throw new IllegalArgumentException(name + " must be in " + lo + ".." + hi + ", got " + v);
    }
}
