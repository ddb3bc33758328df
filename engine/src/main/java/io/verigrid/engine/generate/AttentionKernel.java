package io.verigrid.engine.generate;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector loops of {@link CachedAttention}: one query head's scores over the cached keys and its
 * probability-weighted sum of the cached values, each output the scalar chain of {@code causal_attention}
 * (in-order FMA from zero), several chains side by side so that they overlap instead of waiting on each other's
 * latency; ragged ends run as scalar chains (JDK 17 does not compile masked loads to one instruction).
 *
 * <p>Loaded only when the {@code jdk.incubator.vector} module is present (see {@link PackedMatrix#VECTOR_API}).
 */
final class AttentionKernel {
    private static final VectorSpecies<Float> SPECIES = PanelKernel.SPECIES;
    private static final int LANES = SPECIES.length();

    private AttentionKernel() {
    }

    /**
     * out[j] = (Σ_d fma(q_d, k_jd) in d order from 0) · scale for keys j in [0, count), one lane per key, four
     * vectors of keys at a time. Keys are transposed: dimension c of key j at {@code kt[c·stride + j]}, c from
     * {@code kvOff}. Scores whole vectors of keys only and returns how many; the caller scores the rest.
     */
    static int scores(float[] q, int qOff, float[] kt, int kvOff, int stride, int headDim, int count, float scale,
            float[] out) {
        int j = 0;
        for (; j + 4 * LANES <= count; j += 4 * LANES) {
            FloatVector a0 = FloatVector.zero(SPECIES);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            for (int d = 0; d < headDim; d++) {
                FloatVector x = FloatVector.broadcast(SPECIES, q[qOff + d]);
                int row = (kvOff + d) * stride + j;
                a0 = x.fma(FloatVector.fromArray(SPECIES, kt, row), a0);
                a1 = x.fma(FloatVector.fromArray(SPECIES, kt, row + LANES), a1);
                a2 = x.fma(FloatVector.fromArray(SPECIES, kt, row + 2 * LANES), a2);
                a3 = x.fma(FloatVector.fromArray(SPECIES, kt, row + 3 * LANES), a3);
            }
            a0.mul(scale).intoArray(out, j);
            a1.mul(scale).intoArray(out, j + LANES);
            a2.mul(scale).intoArray(out, j + 2 * LANES);
            a3.mul(scale).intoArray(out, j + 3 * LANES);
        }
        for (; j + LANES <= count; j += LANES) {
            FloatVector acc = FloatVector.zero(SPECIES);
            for (int d = 0; d < headDim; d++) {
                acc = FloatVector.broadcast(SPECIES, q[qOff + d]).fma(
                        FloatVector.fromArray(SPECIES, kt, (kvOff + d) * stride + j), acc);
            }
            acc.mul(scale).intoArray(out, j);
        }
        return j;
    }

    /**
     * out[outOff + d] = Σ_j fma(p_j, v_jd) in j order from 0, for d in [0, headDim) and keys j in [0, count);
     * value j's dimension d at {@code v[j·rowStride + vOff + d]}. Accumulators stay in registers for the whole
     * sum, up to four vectors of dimensions at a time.
     */
    static void weightedValues(float[] p, int count, float[] v, int vOff, int rowStride, int headDim, float[] out,
            int outOff) {
        int d = 0;
        for (; d + 4 * LANES <= headDim; d += 4 * LANES) {
            FloatVector a0 = FloatVector.zero(SPECIES);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            for (int j = 0; j < count; j++) {
                FloatVector x = FloatVector.broadcast(SPECIES, p[j]);
                int at = j * rowStride + vOff + d;
                a0 = x.fma(FloatVector.fromArray(SPECIES, v, at), a0);
                a1 = x.fma(FloatVector.fromArray(SPECIES, v, at + LANES), a1);
                a2 = x.fma(FloatVector.fromArray(SPECIES, v, at + 2 * LANES), a2);
                a3 = x.fma(FloatVector.fromArray(SPECIES, v, at + 3 * LANES), a3);
            }
            a0.intoArray(out, outOff + d);
            a1.intoArray(out, outOff + d + LANES);
            a2.intoArray(out, outOff + d + 2 * LANES);
            a3.intoArray(out, outOff + d + 3 * LANES);
        }
        for (; d + 2 * LANES <= headDim; d += 2 * LANES) {
            FloatVector a0 = FloatVector.zero(SPECIES);
            FloatVector a1 = a0;
            for (int j = 0; j < count; j++) {
                FloatVector x = FloatVector.broadcast(SPECIES, p[j]);
                int at = j * rowStride + vOff + d;
                a0 = x.fma(FloatVector.fromArray(SPECIES, v, at), a0);
                a1 = x.fma(FloatVector.fromArray(SPECIES, v, at + LANES), a1);
            }
            a0.intoArray(out, outOff + d);
            a1.intoArray(out, outOff + d + LANES);
        }
        for (; d + LANES <= headDim; d += LANES) {
            FloatVector acc = FloatVector.zero(SPECIES);
            for (int j = 0; j < count; j++) {
                acc = FloatVector.broadcast(SPECIES, p[j]).fma(
                        FloatVector.fromArray(SPECIES, v, j * rowStride + vOff + d), acc);
            }
            acc.intoArray(out, outOff + d);
        }
        for (; d < headDim; d++) {
            float acc = 0f;
            for (int j = 0; j < count; j++) {
                acc = Math.fma(p[j], v[j * rowStride + vOff + d], acc);
            }
            out[outOff + d] = acc;
        }
    }
}
