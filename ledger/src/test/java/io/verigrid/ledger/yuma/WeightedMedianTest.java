package io.verigrid.ledger.yuma;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The weighted median cases of subtensor's tests/math.rs and the characterisation of spec §5. */
class WeightedMedianTest {
    /** {@code fixed(f32)} of the Rust tests: the float's exact value in I32F32. */
    static long fx(float value) {
        return Math.round((double) value * 4294967296.0);
    }

    static long[] fx(float... values) {
        long[] out = new long[values.length];
        for (int i = 0; i < values.length; i++) out[i] = fx(values[i]);
        return out;
    }

    static long median(long[] stake, long[] score, float majority) {
        long total = YumaMath.sum(stake);
        return WeightedMedian.median(stake, score, I32F32.sub(I32F32.ONE, fx(majority)), 0, total,
                new WeightedMedian.Partition(stake.length));
    }

    @Test
    void mathRsWeightedMedianCases() {
        long one = I32F32.ONE;
        assertEquals(0, median(new long[0], new long[0], 0.51f));
        assertEquals(one, median(YumaMath.normalize(new long[] {fx(0.51f)}), new long[] {fx(1f)}, 0.51f));
        assertEquals(one, median(fx(0.49f, 0.51f), fx(0.5f, 1f), 0.51f));
        assertEquals(fx(0.5f), median(fx(0.51f, 0.49f), fx(0.5f, 1f), 0.51f));
        assertEquals(one, median(fx(0.49f, 0f, 0.51f), fx(0.5f, 0.7f, 1f), 0.51f));
        assertEquals(fx(0.7f), median(fx(0.49f, 0.01f, 0.5f), fx(0.5f, 0.7f, 1f), 0.51f));
        assertEquals(fx(0.7f), median(fx(0.49f, 0.51f, 0f), fx(0.5f, 0.7f, 1f), 0.51f));
        assertEquals(one, median(fx(0f, 0.49f, 0.51f), fx(0.5f, 0.7f, 1f), 0.51f));
        assertEquals(one, median(fx(0f, 0.49f, 0f, 0.51f), fx(0.5f, 0.5f, 1f, 1f), 0.51f));
        assertEquals(one, median(fx(0f, 0.49f, 0f, 0.51f, 0f), fx(0.5f, 0.5f, 1f, 1f, 0.5f), 0.51f));
        assertEquals(fx(0.6f), median(fx(0.2f, 0.2f, 0.2f, 0.2f, 0.2f), fx(0.8f, 0.2f, 1f, 0.6f, 0.4f), 0.51f));
        float[] tenths = new float[10];
        Arrays.fill(tenths, 0.1f);
        assertEquals(fx(0.6f), median(fx(tenths), fx(0.8f, 0.8f, 0.2f, 0.2f, 1f, 1f, 0.6f, 0.6f, 0.4f, 0.4f), 0.51f));
    }

    /** A dense row-major matrix of floats as sparse rows, zero entries left out. */
    static SparseRow[] sparse(int rows, float... values) {
        int columns = values.length / rows;
        SparseRow[] out = new SparseRow[rows];
        for (int i = 0; i < rows; i++) {
            long[] pairs = new long[2 * columns];
            for (int j = 0; j < columns; j++) {
                pairs[2 * j] = j;
                pairs[2 * j + 1] = fx(values[i * columns + j]);
            }
            out[i] = SparseRow.of(pairs).withoutZeros();
        }
        return out;
    }

    @Test
    void mathRsColumnCases() {
        SparseRow[] w = sparse(4, 0f, 0.1f, 0f, 0f, 0.2f, 0.4f, 0f, 0.3f, 0.1f, 0f, 0.4f, 0.5f);
        long[] stake = fx(0f, 0.75f, 0.25f, 0f);
        assertArrayEquals(fx(0f, 0.3f, 0.4f), WeightedMedian.columns(stake, w, 3, fx(0.24f)));
        assertArrayEquals(fx(0f, 0.2f, 0.4f), WeightedMedian.columns(stake, w, 3, fx(0.26f)));
        assertArrayEquals(fx(0f, 0.2f, 0.1f), WeightedMedian.columns(stake, w, 3, fx(0.76f)));
        SparseRow[] w2 = sparse(4, 0f, 0.1f, 0f, 0f, 0.2f, 0.4f, 0f, 0.3f, 0.1f, 0f, 0f, 0.5f);
        assertArrayEquals(fx(0f, 0f, 0.4f), WeightedMedian.columns(fx(0f, 0.3f, 0.2f, 0.5f), w2, 3, fx(0.51f)));
        assertArrayEquals(new long[] {0, 0}, WeightedMedian.columns(fx(0f, 0f), sparse(2, 0f, 0f, 0f, 0f), 2, fx(0.5f)));
    }

    @Test
    void anExactFiftyFiftySplitResolvesToTheHigherWeight() {
        long kappa = YumaMath.u16Ratio(32767);
        SparseRow[] w = {SparseRow.of(0, I32F32.ONE / 4), SparseRow.of(0, I32F32.ONE)};
        assertArrayEquals(new long[] {I32F32.ONE}, WeightedMedian.columns(new long[] {I32F32.ONE / 2, I32F32.ONE / 2}, w, 1, kappa));
    }

    /**
     * Spec §5: the result is the smallest score x whose cumulative stake (scores ≤ x, ascending) exceeds
     * the minority (for κ > 0; with κ = 0 a lone voter still wins).
     */
    @Property(tries = 2000)
    void medianIsTheSmallestScoreWhoseCumulativeStakeExceedsTheMinority(
            @ForAll @Size(min = 1, max = 9) List<@IntRange(min = 0, max = 5) Integer> scores,
            @ForAll @Size(min = 9, max = 9) List<@IntRange(min = 0, max = 7) Integer> stakeUnits,
            @ForAll @IntRange(min = 1, max = 65535) int kappa) {
        int m = scores.size();
        long[] stake = new long[m];
        long[] score = new long[m];
        for (int k = 0; k < m; k++) {
            stake[k] = stakeUnits.get(k) + 1L;
            score[k] = I32F32.div(I32F32.fromInt(scores.get(k)), I32F32.fromInt(5));
        }
        stake = YumaMath.normalize(stake);
        long total = YumaMath.sum(stake);
        long minority = I32F32.sub(total, YumaMath.u16Ratio(kappa));
        long[] sorted = score.clone();
        Arrays.sort(sorted);
        long expected = 0;
        for (long x : sorted) {
            long cumulative = 0;
            for (int k = 0; k < m; k++) if (score[k] <= x) cumulative += stake[k];
            if (cumulative > minority) {
                expected = x;
                break;
            }
        }
        long actual = WeightedMedian.median(stake, score, minority, 0, total, new WeightedMedian.Partition(m));
        assertEquals(expected, actual, () -> "stake units " + stakeUnits + " scores " + scores + " kappa " + kappa);
    }
}
