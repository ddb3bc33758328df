package io.verigrid.ledger.yuma;

import java.util.Arrays;

/**
 * The optional Yuma3 bond step (spec §7.2, §7.3; chain default is off): absolute bonds in [0, 1], an EMA
 * towards the bond weights with a fixed α or, with liquid alpha, a per-entry α from a sigmoid of how far
 * the weight sits above consensus (or below the bond). Stored without max-upscaling.
 */
final class Yuma3Bonds {
    private static final long HALF = 1L << 31;
    /** {@code e} as the fixed-point library's 23-fractional-bit constant, widened to 32 bits. */
    private static final long E = 22802600L << 9;

    private Yuma3Bonds() {}

    static YumaEpoch.Bonds compute(YumaInput in, SparseRow[] weightsForBonds, boolean[] newColumn, long[] consensus,
                                   long[] incentive, long[] activeStake) {
        int n = in.n();
        SparseRow[] bonds = SparseOps.maskColumns(SparseOps.fromU16Proportion(in.bonds()), newColumn);
        boolean anyConsensus = Arrays.stream(consensus).anyMatch(c -> c != 0);
        SparseRow[] ema = in.liquidAlpha() && anyConsensus
                ? liquidEma(in, weightsForBonds, bonds, consensus)
                : SparseOps.ema(weightsForBonds, bonds, YumaMath.bondsAlpha(in.bondsMovingAverage()));
        SparseRow[] emaNormalized = SparseOps.colNormalize(ema, n);
        long[] perValidator = SparseOps.rowSums(SparseOps.columnHadamardNonZero(emaNormalized, incentive));
        long[] dividends = new long[n];
        for (int i = 0; i < n; i++) dividends[i] = I32F32.mulOrZero(perValidator[i], activeStake[i]);
        return new YumaEpoch.Bonds(YumaMath.normalize(dividends), emaNormalized, ema);
    }

    /**
     * {@code min(1, (1−α_ij)·B_ij + max(0, α_ij·W_ij))}, emitted only where the weight row has an entry:
     * a bond whose weight entry is absent is dropped, not decayed (the chain's sparse behaviour).
     */
    private static SparseRow[] liquidEma(YumaInput in, SparseRow[] weights, SparseRow[] bonds, long[] consensus) {
        long low = YumaMath.u16Ratio(in.alphaLow());
        long high = YumaMath.u16Ratio(in.alphaHigh());
        long steepness = I32F32.fromInt(in.alphaSigmoidSteepness());
        SparseRow[] out = new SparseRow[weights.length];
        for (int i = 0; i < weights.length; i++) {
            SparseRow w = weights[i];
            SparseRow b = bonds[i];
            int[] c = new int[w.size()];
            long[] v = new long[w.size()];
            int k = 0;
            for (int e = 0; e < w.size(); e++) {
                int j = w.columns()[e];
                long weight = w.values()[e];
                long bond = b.get(j);
                long alpha = alphaSigmoid(consensus[j], weight, bond, low, high, steepness);
                long decayed = I32F32.mul(I32F32.sub(I32F32.ONE, alpha), bond);
                long increase = Math.max(I32F32.mul(alpha, weight), 0);
                long value = Math.min(I32F32.add(decayed, increase), I32F32.ONE);
                if (value > 0) {
                    c[k] = j;
                    v[k++] = value;
                }
            }
            out[i] = new SparseRow(Arrays.copyOf(c, k), Arrays.copyOf(v, k));
        }
        return out;
    }

    /** {@code clamp(low + σ·(high − low), low, high)}, σ = 1 / (1 + exp(steepness/−100 · (d − 0.5))). */
    static long alphaSigmoid(long consensus, long weight, long bond, long low, long high, long steepness) {
        long diffBuy = clamp(I32F32.sub(weight, consensus), 0, I32F32.ONE);
        long diffSell = clamp(I32F32.sub(bond, weight), 0, I32F32.ONE);
        long diff = weight >= bond ? diffBuy : diffSell;
        long exponent = I32F32.mul(I32F32.div(steepness, I32F32.fromInt(-100)), I32F32.sub(diff, HALF));
        long sigmoid = I32F32.div(I32F32.ONE, I32F32.add(I32F32.ONE, expSafe(exponent)));
        long alpha = I32F32.add(low, I32F32.mul(sigmoid, I32F32.sub(high, low)));
        return Math.max(Math.min(alpha, high), low);
    }

    private static long clamp(long value, long low, long high) {
        return Math.max(Math.min(value, high), low);
    }

    /** {@code exp_safe}: input clamped to [−20, 20]; a failed series gives 0 (negative side) or the maximum. */
    static long expSafe(long x) {
        long clamped = clamp(x, I32F32.fromInt(-20), I32F32.fromInt(20));
        long result = exp(clamped);
        if (result >= 0) return result;
        return clamped <= 0 ? 0 : Long.MAX_VALUE;
    }

    /**
     * The fixed-point library's {@code exp}: Taylor series {@code 1 + x + Σ_{i=2}^{31} x^i/i!} with each term
     * from the previous by a floored product and a truncated division, on |x|, inverted for negative x;
     * {@code exp(1)} is the library's constant. Returns −1 where the library reports overflow.
     */
    static long exp(long x) {
        if (x == 0) return I32F32.ONE;
        if (x == I32F32.ONE) return E;
        boolean negative = x < 0;
        long operand = negative ? -x : x;
        long result = operand + I32F32.ONE;
        if (result < 0) return -1;
        long term = operand;
        for (int i = 2; i < I32F32.FRAC_BITS; i++) {
            long hi = Math.multiplyHigh(term, operand);
            long top = hi >> 31;
            if (top != 0 && top != -1) return -1;
            term = I32F32.mul(term, operand);
            term = I32F32.div(term, I32F32.fromInt(i));
            long sum = result + term;
            if (((result ^ sum) & (term ^ sum)) < 0) return -1;
            result = sum;
        }
        return negative ? I32F32.div(I32F32.ONE, result) : result;
    }
}
