package io.verigrid.engine.generate;

import io.verigrid.engine.VectorJit;
import io.verigrid.engine.VectorRegisters;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vectorised tiles behind {@link PackedMatrix}: C[i, j] = Σ_p fma(A[i, p], W[p, j]) over a weight packed
 * as panels of {@link #LANES} output columns, {@code [panel][p][lane]}.
 *
 * <p>Why the bits are the engine's {@code matmul}: every lane owns one output column and runs exactly
 * {@code acc = 0; for p in order: acc = fma(a[i,p], w[p,j], acc)}; tiles only decide which outputs are computed
 * side by side (up to 4 rows × 4 panels, 16 accumulators in registers for the whole K; 4 rows × 2 panels where
 * the register file is AVX2's 16). A row's result never reads another row, so batching streams changes no bit.
 * The width is picked at start-up and changes no bit.
 *
 * <p>Loaded only when the {@code jdk.incubator.vector} module is present (see {@link PackedMatrix#VECTOR_API}).
 */
final class PanelKernel {
    static final VectorSpecies<Float> SPECIES = pickSpecies();
    /** Output columns per panel: one vector. */
    static final int LANES = SPECIES.length();
    /**
     * Four rows × four panels need 16 accumulators + 4 weights + 1 broadcast: with 32 vector registers (AVX-512,
     * AArch64). AVX2's 16 would spill, so there a four-panel group runs as two 4 × 2 tiles (11 registers; measured
     * under {@code -XX:UseAVX=2}: 16 rows × 768 × 4096 from 42 to 64 GFLOP/s on one thread).
     */
    private static final boolean FOUR_PANEL_TILE = VectorRegisters.count() >= 32;

    static {
        VectorJit.checkOnce();
    }

    private PanelKernel() {
    }

    private static VectorSpecies<Float> pickSpecies() {
        int bits = FloatVector.SPECIES_MAX.vectorBitSize();
        if (bits >= 512) {
            return FloatVector.SPECIES_512;
        }
        if (bits >= 256) {
            return FloatVector.SPECIES_256;
        }
        return FloatVector.SPECIES_128;
    }

    /**
     * Rows {@code [0, m)} × panels {@code [q0, q1)}: A is m×k row-major at {@code a}, C row i starts at
     * {@code c[cOff + i·ldc]} and holds n valid columns (lanes past n are computed from zero padding, never stored).
     */
    static void multiply(float[] a, int m, int k, float[] w, int n, float[] c, int cOff, int ldc, int q0, int q1) {
        int q = q0;
        while (q < q1) {
            if (q + 4 > q1) {
                if (q1 - q0 < 4) {
                    break;
                }
                // A ragged end reruns the last four panels instead of one FMA chain per panel (four times the
                // latency): the overlapping outputs are recomputed with the same sequence and stored unchanged.
                q = q1 - 4;
            }
            int i = 0;
            for (; i + 4 <= m; i += 4) {
                if (FOUR_PANEL_TILE) {
                    tile4x4(a, i * k, k, w, q, n, c, cOff + i * ldc, ldc);
                } else {
                    tile4x2(a, i * k, k, w, q, n, c, cOff + i * ldc, ldc);
                    tile4x2(a, i * k, k, w, q + 2, n, c, cOff + i * ldc, ldc);
                }
            }
            for (; i < m; i++) {
                tile1x4(a, i * k, k, w, q, n, c, cOff + i * ldc);
            }
            q += 4;
        }
        for (; q < q1; q++) {
            for (int i = 0; i < m; i++) {
                tile1x1(a, i * k, k, w, q, n, c, cOff + i * ldc);
            }
        }
    }

    /** Stores the valid lanes of panel q (columns q·LANES …) at {@code c[off + column]}. */
    private static void store(FloatVector v, int q, int n, float[] c, int rowOff) {
        int j = q * LANES;
        if (j + LANES <= n) {
            v.intoArray(c, rowOff + j);
        } else {
            VectorMask<Float> valid = SPECIES.indexInRange(j, n);
            v.intoArray(c, rowOff + j, valid);
        }
    }

    static void tile1x1(float[] a, int aOff, int k, float[] w, int q, int n, float[] c, int rowOff) {
        int base = q * k * LANES;
        FloatVector acc = FloatVector.zero(SPECIES);
        for (int p = 0; p < k; p++) {
            acc = FloatVector.broadcast(SPECIES, a[aOff + p]).fma(FloatVector.fromArray(SPECIES, w, base + p * LANES), acc);
        }
        store(acc, q, n, c, rowOff);
    }

    /** One row against four panels: four independent FMA chains, four weight streams. */
    static void tile1x4(float[] a, int aOff, int k, float[] w, int q, int n, float[] c, int rowOff) {
        int stride = k * LANES;
        int b0 = q * stride;
        int b1 = b0 + stride;
        int b2 = b1 + stride;
        int b3 = b2 + stride;
        FloatVector c0 = FloatVector.zero(SPECIES);
        FloatVector c1 = c0;
        FloatVector c2 = c0;
        FloatVector c3 = c0;
        for (int p = 0; p < k; p++) {
            int at = p * LANES;
            FloatVector x = FloatVector.broadcast(SPECIES, a[aOff + p]);
            c0 = x.fma(FloatVector.fromArray(SPECIES, w, b0 + at), c0);
            c1 = x.fma(FloatVector.fromArray(SPECIES, w, b1 + at), c1);
            c2 = x.fma(FloatVector.fromArray(SPECIES, w, b2 + at), c2);
            c3 = x.fma(FloatVector.fromArray(SPECIES, w, b3 + at), c3);
        }
        store(c0, q, n, c, rowOff);
        store(c1, q + 1, n, c, rowOff);
        store(c2, q + 2, n, c, rowOff);
        store(c3, q + 3, n, c, rowOff);
    }

    /** Four rows against two panels: each weight vector loaded once serves four streams. */
    static void tile4x2(float[] a, int aOff, int k, float[] w, int q, int n, float[] c, int rowOff, int ldc) {
        int stride = k * LANES;
        int b0 = q * stride;
        int b1 = b0 + stride;
        int a1 = aOff + k;
        int a2 = a1 + k;
        int a3 = a2 + k;
        FloatVector zero = FloatVector.zero(SPECIES);
        FloatVector c00 = zero;
        FloatVector c01 = zero;
        FloatVector c10 = zero;
        FloatVector c11 = zero;
        FloatVector c20 = zero;
        FloatVector c21 = zero;
        FloatVector c30 = zero;
        FloatVector c31 = zero;
        for (int p = 0; p < k; p++) {
            int at = p * LANES;
            FloatVector w0 = FloatVector.fromArray(SPECIES, w, b0 + at);
            FloatVector w1 = FloatVector.fromArray(SPECIES, w, b1 + at);
            FloatVector x = FloatVector.broadcast(SPECIES, a[aOff + p]);
            c00 = x.fma(w0, c00);
            c01 = x.fma(w1, c01);
            x = FloatVector.broadcast(SPECIES, a[a1 + p]);
            c10 = x.fma(w0, c10);
            c11 = x.fma(w1, c11);
            x = FloatVector.broadcast(SPECIES, a[a2 + p]);
            c20 = x.fma(w0, c20);
            c21 = x.fma(w1, c21);
            x = FloatVector.broadcast(SPECIES, a[a3 + p]);
            c30 = x.fma(w0, c30);
            c31 = x.fma(w1, c31);
        }
        store(c00, q, n, c, rowOff);
        store(c01, q + 1, n, c, rowOff);
        store(c10, q, n, c, rowOff + ldc);
        store(c11, q + 1, n, c, rowOff + ldc);
        store(c20, q, n, c, rowOff + 2 * ldc);
        store(c21, q + 1, n, c, rowOff + 2 * ldc);
        store(c30, q, n, c, rowOff + 3 * ldc);
        store(c31, q + 1, n, c, rowOff + 3 * ldc);
    }

    /** Four rows against four panels: each weight vector loaded once serves four streams. */
    static void tile4x4(float[] a, int aOff, int k, float[] w, int q, int n, float[] c, int rowOff, int ldc) {
        int stride = k * LANES;
        int b0 = q * stride;
        int b1 = b0 + stride;
        int b2 = b1 + stride;
        int b3 = b2 + stride;
        int a1 = aOff + k;
        int a2 = a1 + k;
        int a3 = a2 + k;
        FloatVector zero = FloatVector.zero(SPECIES);
        FloatVector c00 = zero;
        FloatVector c01 = zero;
        FloatVector c02 = zero;
        FloatVector c03 = zero;
        FloatVector c10 = zero;
        FloatVector c11 = zero;
        FloatVector c12 = zero;
        FloatVector c13 = zero;
        FloatVector c20 = zero;
        FloatVector c21 = zero;
        FloatVector c22 = zero;
        FloatVector c23 = zero;
        FloatVector c30 = zero;
        FloatVector c31 = zero;
        FloatVector c32 = zero;
        FloatVector c33 = zero;
        for (int p = 0; p < k; p++) {
            int at = p * LANES;
            FloatVector w0 = FloatVector.fromArray(SPECIES, w, b0 + at);
            FloatVector w1 = FloatVector.fromArray(SPECIES, w, b1 + at);
            FloatVector w2 = FloatVector.fromArray(SPECIES, w, b2 + at);
            FloatVector w3 = FloatVector.fromArray(SPECIES, w, b3 + at);
            FloatVector x = FloatVector.broadcast(SPECIES, a[aOff + p]);
            c00 = x.fma(w0, c00);
            c01 = x.fma(w1, c01);
            c02 = x.fma(w2, c02);
            c03 = x.fma(w3, c03);
            x = FloatVector.broadcast(SPECIES, a[a1 + p]);
            c10 = x.fma(w0, c10);
            c11 = x.fma(w1, c11);
            c12 = x.fma(w2, c12);
            c13 = x.fma(w3, c13);
            x = FloatVector.broadcast(SPECIES, a[a2 + p]);
            c20 = x.fma(w0, c20);
            c21 = x.fma(w1, c21);
            c22 = x.fma(w2, c22);
            c23 = x.fma(w3, c23);
            x = FloatVector.broadcast(SPECIES, a[a3 + p]);
            c30 = x.fma(w0, c30);
            c31 = x.fma(w1, c31);
            c32 = x.fma(w2, c32);
            c33 = x.fma(w3, c33);
        }
        store(c00, q, n, c, rowOff);
        store(c01, q + 1, n, c, rowOff);
        store(c02, q + 2, n, c, rowOff);
        store(c03, q + 3, n, c, rowOff);
        store(c10, q, n, c, rowOff + ldc);
        store(c11, q + 1, n, c, rowOff + ldc);
        store(c12, q + 2, n, c, rowOff + ldc);
        store(c13, q + 3, n, c, rowOff + ldc);
        store(c20, q, n, c, rowOff + 2 * ldc);
        store(c21, q + 1, n, c, rowOff + 2 * ldc);
        store(c22, q + 2, n, c, rowOff + 2 * ldc);
        store(c23, q + 3, n, c, rowOff + 2 * ldc);
        store(c30, q, n, c, rowOff + 3 * ldc);
        store(c31, q + 1, n, c, rowOff + 3 * ldc);
        store(c32, q + 2, n, c, rowOff + 3 * ldc);
        store(c33, q + 3, n, c, rowOff + 3 * ldc);
    }
}
