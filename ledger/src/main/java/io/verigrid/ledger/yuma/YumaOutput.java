package io.verigrid.ledger.yuma;

import java.util.List;

/**
 * What one Yuma epoch produces (spec §4.11, §9). Real values are raw I32F32 bits ({@code value = bits /
 * 2^32}); {@code …U16} values are {@code floor(x·65535)}; emissions are rao.
 *
 * @param emaBonds the column-normalised bond EMA before max-upscaling, I32F32 bits, one row per UID
 * @param bondsU16 the bonds the chain stores for the next epoch: a row for every UID with a new permit,
 *     empty rows for the others, zero entries omitted
 */
public record YumaOutput(
        boolean[] active,
        boolean[] newValidatorPermits,
        long[] stakeNormalized,
        long[] activeStake,
        long[] consensus,
        long[] validatorTrust,
        long[] incentive,
        long[] dividends,
        List<SparseRow> emaBonds,
        long[] normalizedServerEmission,
        long[] normalizedValidatorEmission,
        long[] normalizedCombinedEmission,
        int[] stakeWeightU16,
        int[] consensusU16,
        int[] validatorTrustU16,
        int[] incentiveU16,
        int[] dividendsU16,
        List<SparseRow> bondsU16,
        long[] serverEmission,
        long[] validatorEmission,
        long[] combinedEmission) {

    public YumaOutput {
        emaBonds = List.copyOf(emaBonds);
        bondsU16 = List.copyOf(bondsU16);
    }

    /** Number of UIDs. */
    public int n() {
        return active.length;
    }
}
