package io.verigrid.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The lane exp is {@link StrictMath#exp} bit for bit: a dense sweep of floats and doubles at every branch point. */
class VectorExpTest {
    private static void assertSameAsStrictMath(double[] inputs) {
        int lanes = VectorExp.LANES;
        double[] padded = java.util.Arrays.copyOf(inputs, (inputs.length + lanes - 1) / lanes * lanes);
        double[] out = padded.clone();
        VectorExp.expInPlace(out, 0, out.length);
        for (int i = 0; i < inputs.length; i++) {
            long expected = Double.doubleToRawLongBits(StrictMath.exp(inputs[i]));
            if (expected != Double.doubleToRawLongBits(out[i])) {
                assertEquals(expected, Double.doubleToRawLongBits(out[i]), "exp(" + inputs[i] + ")");
            }
        }
    }

    /** Checks the floats with bit patterns start, start + step, … (count of them), widened to double. */
    private static void assertFloatSweep(long start, long step, long count) {
        double[] chunk = new double[1 << 16];
        for (long done = 0; done < count; ) {
            int n = (int) Math.min(chunk.length, count - done);
            for (int i = 0; i < n; i++) {
                chunk[i] = Float.intBitsToFloat((int) (start + (done + i) * step));
            }
            assertSameAsStrictMath(n == chunk.length ? chunk : java.util.Arrays.copyOf(chunk, n));
            done += n;
        }
    }

    @Test
    void everyFloatOfADenseSweepGivesStrictMathsBits() {
        // Every 257th bit pattern of both signs (16.7 million floats, NaNs and infinities included).
        assertFloatSweep(0, 257, (1L << 32) / 257 + 1);
    }

    @Test
    void floatsInTheSoftmaxRangeGiveStrictMathsBits() {
        // Softmax arguments are at most 0 and mostly above −30: every 61st float from −0 down to −32.
        assertFloatSweep(Float.floatToRawIntBits(-0f), 61, (Float.floatToRawIntBits(32f) + 60) / 61);
        // And near zero from above (silu's exp(−x)): every 61st float up to 32.
        assertFloatSweep(0, 61, (Float.floatToRawIntBits(32f) + 60) / 61);
    }

    @Test
    void doublesAroundEveryBranchPointGiveStrictMathsBits() {
        double halfLn2 = 0.5 * StrictMath.log(2.0);
        double[] points = {0.0, 0x1p-28, halfLn2, Double.longBitsToDouble(0x3fd62e43_00000000L),
            Double.longBitsToDouble(0x3ff0a2b2_00000000L), 1.5 * StrictMath.log(2.0), 700.0, 708.0, 709.782712893384,
            709.79, 745.1332191019411, 745.2, 1e300, Double.MIN_VALUE, Double.MIN_NORMAL, 1.0, 2.0, 88.7, 103.9,
            104.0};
        List<Double> values = new ArrayList<>();
        for (double point : points) {
            double below = point;
            double above = point;
            for (int step = 0; step < 64; step++) {
                values.add(below);
                values.add(-below);
                values.add(above);
                values.add(-above);
                below = Math.nextDown(below);
                above = Math.nextUp(above);
            }
        }
        values.add(Double.POSITIVE_INFINITY);
        values.add(Double.NEGATIVE_INFINITY);
        values.add(Double.NaN);
        values.add(-0.0);
        assertSameAsStrictMath(values.stream().mapToDouble(Double::doubleValue).toArray());
    }
}
