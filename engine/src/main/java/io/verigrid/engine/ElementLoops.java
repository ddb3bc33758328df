package io.verigrid.engine;

/**
 * The inner loops of the elementwise and broadcast operators over contiguous runs: {@link VectorLoops} when the
 * Vector API is loaded (the same per-element operations, so the same bits), then a scalar tail — or the whole
 * run scalar under the interpreter or without the module.
 */
final class ElementLoops {
    private static final boolean VECTOR = Matmul.VECTOR_API;
    /** Lane exp ({@link VectorExp}): the Vector API and at least four double lanes. */
    private static final boolean VECTOR_EXP = VECTOR && VectorExp.ENABLED;

    /** The four broadcast arithmetic operations, each one correctly rounded IEEE operation. */
    enum Op {
        ADD, SUB, MUL, DIV;

        float apply(float left, float right) {
            return switch (this) {
                case ADD -> left + right;
                case SUB -> left - right;
                case MUL -> left * right;
                case DIV -> left / right;
            };
        }
    }

    private ElementLoops() {
    }

    /**
     * out[i] = a[i mod aPeriod] op b[i mod bPeriod] for i in [from, to): each operand is the output's shape, a
     * scalar (period 1) or a trailing part of it repeated (period = its size).
     */
    static void periodic(Op op, float[] a, int aPeriod, float[] b, int bPeriod, float[] out, int from, int to) {
        int i = from;
        while (i < to) {
            int end = Math.min(to, Math.min(segmentEnd(i, aPeriod), segmentEnd(i, bPeriod)));
            binary(op, a, i % aPeriod, aPeriod == 1, b, i % bPeriod, bPeriod == 1, out, i, end - i);
            i = end;
        }
    }

    /** Where the run of an operand repeating every {@code period} elements that holds {@code i} ends. */
    private static int segmentEnd(int i, int period) {
        return period == 1 ? Integer.MAX_VALUE : (i / period + 1) * period;
    }

    /** out[outOff + i] = a[aOff + i] op b[bOff + i] for i in [0, n); a scalar operand is read at its offset. */
    static void binary(Op op, float[] a, int aOff, boolean aScalar, float[] b, int bOff, boolean bScalar,
            float[] out, int outOff, int n) {
        int i = VECTOR ? VectorLoops.binary(op, a, aOff, aScalar, b, bOff, bScalar, out, outOff, n) : 0;
        for (; i < n; i++) {
            out[outOff + i] = op.apply(a[aScalar ? aOff : aOff + i], b[bScalar ? bOff : bOff + i]);
        }
    }

    /** adam_m (second false) or adam_v: out = fma(beta, m, term) with term = rest·g, or (rest·g)·g. */
    static void moment(boolean second, float beta, float rest, float[] m, float[] g, float[] out, int from, int to) {
        int i = VECTOR ? VectorLoops.moment(second, beta, rest, m, g, out, from, to) : from;
        for (; i < to; i++) {
            float term = second ? (rest * g[i]) * g[i] : rest * g[i];
            out[i] = Math.fma(beta, m[i], term);
        }
    }

    /** adamw_apply: out = fma(−stepSize, m / (√v / bc2 + eps), w·decay). */
    static void adamw(float negativeStepSize, float bc2, float eps, float decay, float[] w, float[] m, float[] v,
            float[] out, int from, int to) {
        int i = VECTOR ? VectorLoops.adamw(negativeStepSize, bc2, eps, decay, w, m, v, out, from, to) : from;
        for (; i < to; i++) {
            float denominator = (float) Math.sqrt(v[i]) / bc2 + eps;
            out[i] = Math.fma(negativeStepSize, m[i] / denominator, w[i] * decay);
        }
    }

    /**
     * Column sums of a rows×n block for columns [from, to): out[outOff + o] is the {@link CanonicalSum} of
     * x[xOff + r·n + o] over r in order.
     */
    static void columnSums(float[] x, int xOff, int rows, int n, float[] out, int outOff, int from, int to) {
        int o = VECTOR ? VectorLoops.columnSums(x, xOff, rows, n, out, outOff, from, to) : from;
        for (; o < to; o++) {
            out[outOff + o] = CanonicalSum.sum(x, xOff + o, n, rows);
        }
    }

    /**
     * out[j] = Σ_d fma(a[aBase + d], columns[d·stride + j], acc) in d order, from 0, for j in [0, count): the
     * dot products of one row with {@code count} columns stored transposed (depth rows of {@code stride}).
     */
    static void dotsAcross(float[] a, int aBase, float[] columns, int stride, int depth, int count, float[] out) {
        int j = VECTOR ? VectorLoops.dotsAcross(a, aBase, columns, stride, depth, count, out) : 0;
        for (; j < count; j++) {
            float acc = 0f;
            for (int d = 0; d < depth; d++) {
                acc = Math.fma(a[aBase + d], columns[d * stride + j], acc);
            }
            out[j] = acc;
        }
    }

    /**
     * acc[d] = fma(w[wOff + j·wStride], x[xBase + j·xStride + d], acc[d]) for j = 0 … count − 1 in order, for d in
     * [0, n), each acc[d] kept in a register across all j.
     */
    static void accumulateRows(float[] w, int wOff, int wStride, int count, float[] x, int xBase, int xStride,
            float[] acc, int n) {
        int d = VECTOR ? VectorLoops.accumulateRows(w, wOff, wStride, count, x, xBase, xStride, acc, n) : 0;
        for (; d < n; d++) {
            float sum = acc[d];
            for (int j = 0; j < count; j++) {
                sum = Math.fma(w[wOff + j * wStride], x[xBase + j * xStride + d], sum);
            }
            acc[d] = sum;
        }
    }

    /** The largest of x[off … off + n − 1] (n ≥ 1) by {@link Math#max}: exact in any order. */
    static float max(float[] x, int off, int n) {
        float max = x[off];
        int i = 1;
        if (VECTOR && n >= 64) {
            i = VectorLoops.wholeVectors(n);
            max = VectorLoops.max(x, off, i);
        }
        for (; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        return max;
    }

    /** dst[dstOff + i] = (float) StrictMath.exp(src[srcOff + i] − shift), the difference a float, for i in [0, n). */
    static void expShifted(float[] src, int srcOff, float shift, float[] dst, int dstOff, int n) {
        int i = VECTOR_EXP ? VectorExp.expShifted(src, srcOff, shift, dst, dstOff, n) : 0;
        for (; i < n; i++) {
            dst[dstOff + i] = (float) StrictMath.exp(src[srcOff + i] - shift);
        }
    }

    /** out[off + i] = (x[off + i] / d1) / d2 for i in [0, n): two IEEE divisions per element. */
    static void divideTwice(float[] x, float d1, float d2, float[] out, int off, int n) {
        int i = VECTOR ? VectorLoops.divideTwice(x, d1, d2, out, off, n) : 0;
        for (; i < n; i++) {
            out[off + i] = x[off + i] / d1 / d2;
        }
    }
}
