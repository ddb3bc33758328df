package io.verigrid.engine.generate;

import io.verigrid.engine.VectorExp;

/**
 * The row-wise operators of a Llama step, in place on reused buffers, each with exactly the arithmetic of the
 * engine operator it stands for ({@code rms_norm}, {@code silu} then {@code bcast_mul}, {@code add}). The
 * decoder's agreement test pins them bit for bit to the traced {@code LlamaModel} program.
 */
final class RowMath {
    /** The engine's canonical reduction split (CanonicalSum): element i into partial i mod 16. */
    private static final int PARTIALS = 16;
    /**
     * Exponentials in double lanes ({@link VectorExp}: fdlibm's algorithm lane by lane, {@code StrictMath.exp}'s
     * bits) when the Vector API runs with at least four double lanes; the scalar call otherwise.
     */
    private static final boolean LANE_EXP = PackedMatrix.VECTOR_API && VectorExp.ENABLED;
    /** Exponentials per pass through a thread's double scratch. */
    private static final int EXP_CHUNK = 256;
    private static final ThreadLocal<double[]> EXP_SCRATCH = ThreadLocal.withInitial(() -> new double[EXP_CHUNK]);

    private RowMath() {
    }

    /**
     * Σ values[offset … offset+count) in the engine's canonical order: 16 interleaved partial sums, each in
     * index order from 0, combined in the fixed pairwise tree ((p0+p1)+(p2+p3))+… .
     */
    static float canonicalSum(float[] values, int offset, int count, float[] partial) {
        java.util.Arrays.fill(partial, 0, PARTIALS, 0f);
        for (int i = 0; i < count; i++) {
            partial[i & (PARTIALS - 1)] += values[offset + i];
        }
        for (int width = PARTIALS / 2; width >= 1; width /= 2) {
            for (int k = 0; k < width; k++) {
                partial[k] = partial[2 * k] + partial[2 * k + 1];
            }
        }
        return partial[0];
    }

    /** Scratch a {@link #canonicalSum} needs. */
    static float[] partials() {
        return new float[PARTIALS];
    }

    /**
     * {@code rms_norm} of one row of d into {@code out}: ms = canonical Σ x_j² / d, rstd = (float)
     * (1 / √(double) (ms + eps)), y_j = w_j · (x_j · rstd). {@code squares} is d floats of scratch.
     */
    static void rmsNorm(float[] x, int xOff, float[] weight, float eps, float[] out, int outOff, float[] squares,
            float[] partial) {
        int d = weight.length;
        for (int j = 0; j < d; j++) {
            float c = x[xOff + j];
            squares[j] = c * c;
        }
        float variance = canonicalSum(squares, 0, d, partial) / d;
        float rstd = (float) (1.0 / StrictMath.sqrt((double) (variance + eps)));
        for (int j = 0; j < d; j++) {
            out[outOff + j] = weight[j] * (x[xOff + j] * rstd);
        }
    }

    /** {@code silu} of the gate (computed in double with StrictMath, rounded once) times the up projection. */
    static void siluTimes(float[] gate, int gateOff, float[] up, int upOff, float[] out, int outOff, int count) {
        int j = 0;
        if (LANE_EXP) {
            double[] e = EXP_SCRATCH.get();
            int whole = count / VectorExp.LANES * VectorExp.LANES;
            for (; j < whole; j += EXP_CHUNK) {
                int n = Math.min(EXP_CHUNK, whole - j);
                for (int i = 0; i < n; i++) {
                    e[i] = -(double) gate[gateOff + j + i];
                }
                VectorExp.expInPlace(e, 0, n);
                for (int i = 0; i < n; i++) {
                    double g = gate[gateOff + j + i];
                    float silu = (float) (g * (1.0 / (1.0 + e[i])));
                    out[outOff + j + i] = silu * up[upOff + j + i];
                }
            }
            j = whole;
        }
        for (; j < count; j++) {
            double g = gate[gateOff + j];
            float silu = (float) (g * (1.0 / (1.0 + StrictMath.exp(-g))));
            out[outOff + j] = silu * up[upOff + j];
        }
    }

    /** x_j = (float) StrictMath.exp(x_j − shift) for j in [0, count), the difference taken in float. */
    static void expShiftedInPlace(float[] x, int count, float shift) {
        int j = 0;
        if (LANE_EXP) {
            double[] e = EXP_SCRATCH.get();
            int whole = count / VectorExp.LANES * VectorExp.LANES;
            for (; j < whole; j += EXP_CHUNK) {
                int n = Math.min(EXP_CHUNK, whole - j);
                for (int i = 0; i < n; i++) {
                    e[i] = x[j + i] - shift;
                }
                VectorExp.expInPlace(e, 0, n);
                for (int i = 0; i < n; i++) {
                    x[j + i] = (float) e[i];
                }
            }
            j = whole;
        }
        for (; j < count; j++) {
            x[j] = (float) StrictMath.exp(x[j] - shift);
        }
    }

    /** x += y over count elements (the {@code add} operator: one float addition each). */
    static void addInPlace(float[] x, int xOff, float[] y, int yOff, int count) {
        for (int j = 0; j < count; j++) {
            x[xOff + j] = x[xOff + j] + y[yOff + j];
        }
    }
}
