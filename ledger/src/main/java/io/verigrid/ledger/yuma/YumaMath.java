package io.verigrid.ledger.yuma;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/** The vector steps of the epoch over I32F32 bits: normalisation, stake weights, top-K permits, α. */
final class YumaMath {
    private YumaMath() {}

    static long sum(long[] x) {
        long s = 0;
        for (long v : x) s += v;
        return s;
    }

    /** {@code x_i / Σx} (truncated) when {@code Σx ≠ 0}, else a copy of {@code x}. */
    static long[] normalize(long[] x) {
        return normalizeUsing(x, sum(x));
    }

    /** {@code x_i / total} (truncated) when {@code total ≠ 0}, else a copy of {@code x}. */
    static long[] normalizeUsing(long[] x, long total) {
        long[] out = x.clone();
        if (total == 0) return out;
        for (int i = 0; i < out.length; i++) out[i] = I32F32.div(out[i], total);
        return out;
    }

    /**
     * Stake weights (§4.2): integer stakes normalised in I64F64 (quotient truncated at 2^-64), then
     * floored to I32F32 — together {@code floor(s_i · 2^32 / Σs)}. Zero stakes everywhere stay zero.
     */
    static long[] stakeWeights(long[] filteredStake) {
        long total = sum(filteredStake);
        long[] out = new long[filteredStake.length];
        if (total == 0) return out;
        for (int i = 0; i < out.length; i++) {
            long s = filteredStake[i];
            // s <= total, so the quotient is at most 2^32 and the 128-bit numerator's high word is below total
            out[i] = I32F32.divlu(s >>> 32, s << 32, total);
        }
        return out;
    }

    /**
     * {@code is_topk_nonzero}: UIDs with non-zero stake, minus the {@code n − k} smallest stakes when
     * {@code n ≥ k}. The sort is stable, so among equal stakes the lower UID loses its permit.
     */
    static boolean[] topKNonZero(long[] stake, int k) {
        int n = stake.length;
        boolean[] result = new boolean[n];
        for (int i = 0; i < n; i++) result[i] = stake[i] != 0;
        if (n < k) return result;
        Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingLong(i -> stake[i])); // stable for objects
        for (int e = 0; e < n - k; e++) result[order[e]] = false;
        return result;
    }

    /**
     * The fixed EMA coefficient: {@code 1 − bma/10^6} where {@code bma/10^6} is an I64F64 quotient
     * floored to I32F32, i.e. {@code 2^32 − floor(bma · 2^32 / 10^6)} in bits (429496730 for 900 000).
     */
    static long bondsAlpha(long bondsMovingAverage) {
        BigInteger scaled = BigInteger.valueOf(bondsMovingAverage).shiftLeft(32).divide(BigInteger.valueOf(1_000_000));
        long movingAverage = scaled.bitLength() < 64 ? scaled.longValue() : Long.MAX_VALUE;
        return I32F32.sub(I32F32.ONE, movingAverage);
    }

    /** {@code u16 / 65535} for a u16 hyper-parameter (κ, bonds penalty). */
    static long u16Ratio(int value) {
        return I32F32.div(I32F32.fromInt(value), I32F32.U16_MAX);
    }

    static int[] toU16Proportions(long[] x) {
        int[] out = new int[x.length];
        for (int i = 0; i < x.length; i++) out[i] = I32F32.toU16Proportion(x[i]);
        return out;
    }

    static long[] timesRao(long[] x, long rao) {
        long[] out = new long[x.length];
        for (int i = 0; i < x.length; i++) out[i] = I32F32.timesRao(x[i], rao);
        return out;
    }
}
