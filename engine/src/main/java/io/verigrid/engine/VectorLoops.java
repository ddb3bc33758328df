package io.verigrid.engine;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API bodies of {@link ElementLoops}. Each lane runs exactly the scalar sequence of IEEE
 * operations of the loop it replaces (a multiply then an add stays two roundings; only a scalar
 * {@link Math#fma} becomes a lane fma), so the width changes no bit. Sums keep {@link CanonicalSum}'s
 * order: a run of 16 lanes holds the 16 partial sums, element i going into partial i mod 16.
 *
 * <p>Loaded only when the {@code jdk.incubator.vector} module is present (see {@link Matmul#VECTOR_API}).
 */
final class VectorLoops {
    private static final VectorSpecies<Float> SPECIES = Gemm.SPECIES;
    private static final int L = SPECIES.length();
    /** Int lanes of the same shape, for bit tests on floats. */
    private static final VectorSpecies<Integer> INTS = SPECIES.withLanes(int.class);
    /** Vectors holding the 16 canonical partial sums. */
    private static final int PARTIAL_VECTORS = CanonicalSum.PARTIALS / L;

    private VectorLoops() {
    }

    /** out[o + i] = a[i] op b[i] for i in [0, n); a scalar operand is read at its offset for every i. */
    static int binary(ElementLoops.Op op, float[] a, int aOff, boolean aScalar, float[] b, int bOff, boolean bScalar,
            float[] out, int outOff, int n) {
        if (n < L) {
            return 0;
        }
        FloatVector aFixed = FloatVector.broadcast(SPECIES, a[aOff]);
        FloatVector bFixed = FloatVector.broadcast(SPECIES, b[bOff]);
        int bound = SPECIES.loopBound(n);
        int i = 0;
        switch (op) {
            case ADD -> {
                for (; i < bound; i += L) {
                    load(a, aOff + i, aScalar, aFixed).add(load(b, bOff + i, bScalar, bFixed)).intoArray(out, outOff + i);
                }
            }
            case SUB -> {
                for (; i < bound; i += L) {
                    load(a, aOff + i, aScalar, aFixed).sub(load(b, bOff + i, bScalar, bFixed)).intoArray(out, outOff + i);
                }
            }
            case MUL -> {
                for (; i < bound; i += L) {
                    load(a, aOff + i, aScalar, aFixed).mul(load(b, bOff + i, bScalar, bFixed)).intoArray(out, outOff + i);
                }
            }
            case DIV -> {
                for (; i < bound; i += L) {
                    load(a, aOff + i, aScalar, aFixed).div(load(b, bOff + i, bScalar, bFixed)).intoArray(out, outOff + i);
                }
            }
        }
        return i;
    }

    private static FloatVector load(float[] values, int at, boolean scalar, FloatVector fixed) {
        return scalar ? fixed : FloatVector.fromArray(SPECIES, values, at);
    }

    /** adam_m / adam_v over [from, to); returns where the scalar tail starts. */
    static int moment(boolean second, float beta, float rest, float[] m, float[] g, float[] out, int from, int to) {
        FloatVector betaV = FloatVector.broadcast(SPECIES, beta);
        int i = from;
        for (; i + L <= to; i += L) {
            FloatVector gv = FloatVector.fromArray(SPECIES, g, i);
            FloatVector term = gv.mul(rest);
            if (second) {
                term = term.mul(gv);
            }
            betaV.fma(FloatVector.fromArray(SPECIES, m, i), term).intoArray(out, i);
        }
        return i;
    }

    /** adamw_apply over [from, to); returns where the scalar tail starts. */
    static int adamw(float negativeStepSize, float bc2, float eps, float decay, float[] w, float[] m, float[] v,
            float[] out, int from, int to) {
        FloatVector step = FloatVector.broadcast(SPECIES, negativeStepSize);
        int i = from;
        for (; i + L <= to; i += L) {
            FloatVector denominator = FloatVector.fromArray(SPECIES, v, i).lanewise(VectorOperators.SQRT).div(bc2).add(eps);
            FloatVector update = FloatVector.fromArray(SPECIES, m, i).div(denominator);
            step.fma(update, FloatVector.fromArray(SPECIES, w, i).mul(decay)).intoArray(out, i);
        }
        return i;
    }

    /**
     * The {@link CanonicalSum} of x[offset … offset + count − 1] (each squared first when {@code square}): the
     * 16 partials held in lanes (partial k in lane k mod L of vector k / L), whole 16-element blocks added as
     * vectors; the last, partial block is loaded with its missing lanes as +0, which leaves a partial unchanged
     * (a partial starts at +0 and so is never −0), then the partials leave the lanes for the scalar tree.
     */
    static float canonicalSum(float[] x, int offset, int count, boolean square) {
        int blocks = count / CanonicalSum.PARTIALS;
        int rest = count - blocks * CanonicalSum.PARTIALS;
        if (PARTIAL_VECTORS == 1) {
            FloatVector p = FloatVector.zero(SPECIES);
            for (int block = 0; block < blocks; block++) {
                p = p.add(term(FloatVector.fromArray(SPECIES, x, offset + block * 16), square));
            }
            if (rest > 0) {
                p = p.add(term(tail(x, offset + blocks * 16, rest), square));
            }
            return CanonicalSum.tree(p.lane(0), p.lane(1), p.lane(2), p.lane(3), p.lane(4), p.lane(5), p.lane(6),
                    p.lane(7), p.lane(8), p.lane(9), p.lane(10), p.lane(11), p.lane(12), p.lane(13), p.lane(14),
                    p.lane(15));
        }
        if (PARTIAL_VECTORS == 2) {
            FloatVector p = FloatVector.zero(SPECIES);
            FloatVector q = FloatVector.zero(SPECIES);
            for (int block = 0; block < blocks; block++) {
                int at = offset + block * 16;
                p = p.add(term(FloatVector.fromArray(SPECIES, x, at), square));
                q = q.add(term(FloatVector.fromArray(SPECIES, x, at + L), square));
            }
            if (rest > 0) {
                int at = offset + blocks * 16;
                p = p.add(term(tail(x, at, rest), square));
                if (rest > L) {
                    q = q.add(term(tail(x, at + L, rest - L), square));
                }
            }
            return CanonicalSum.tree(p.lane(0), p.lane(1), p.lane(2), p.lane(3), p.lane(4), p.lane(5), p.lane(6),
                    p.lane(7), q.lane(0), q.lane(1), q.lane(2), q.lane(3), q.lane(4), q.lane(5), q.lane(6), q.lane(7));
        }
        // Narrow vectors: the partials in an array, one vector of them at a time.
        float[] partial = new float[CanonicalSum.PARTIALS];
        for (int block = 0; block <= blocks; block++) {
            int length = block < blocks ? CanonicalSum.PARTIALS : rest;
            for (int c = 0; c * L < length; c++) {
                int at = offset + block * 16 + c * L;
                FloatVector xv = length - c * L >= L ? FloatVector.fromArray(SPECIES, x, at) : tail(x, at, length - c * L);
                FloatVector.fromArray(SPECIES, partial, c * L).add(term(xv, square)).intoArray(partial, c * L);
            }
        }
        return CanonicalSum.tree(partial[0], partial[1], partial[2], partial[3], partial[4], partial[5], partial[6],
                partial[7], partial[8], partial[9], partial[10], partial[11], partial[12], partial[13], partial[14],
                partial[15]);
    }

    private static FloatVector term(FloatVector x, boolean square) {
        return square ? x.mul(x) : x;
    }

    /** The first min(length, L) floats from x[at] in the low lanes, +0 above. */
    private static FloatVector tail(float[] x, int at, int length) {
        return FloatVector.fromArray(SPECIES, x, at, SPECIES.indexInRange(0, Math.min(length, L)));
    }

    /**
     * Column sums of a rows×n block: out[outOff + o] = CanonicalSum over r of x[xOff + r·n + o] (row r into
     * partial r mod 16), for the columns [from, to) rounded down to whole vectors; returns where the scalar
     * tail starts.
     */
    static int columnSums(float[] x, int xOff, int rows, int n, float[] out, int outOff, int from, int to) {
        // Partial k of every lane lives at p[k·L …]: a stack of 16 vectors, loaded and stored per row.
        float[] p = new float[CanonicalSum.PARTIALS * L];
        int o = from;
        for (; o + L <= to; o += L) {
            Arrays.fill(p, 0f);
            for (int r = 0; r < rows; r++) {
                int at = (r & (CanonicalSum.PARTIALS - 1)) * L;
                FloatVector.fromArray(SPECIES, p, at).add(FloatVector.fromArray(SPECIES, x, xOff + r * n + o))
                        .intoArray(p, at);
            }
            for (int width = CanonicalSum.PARTIALS / 2; width >= 1; width /= 2) {
                for (int k = 0; k < width; k++) {
                    FloatVector.fromArray(SPECIES, p, 2 * k * L).add(FloatVector.fromArray(SPECIES, p, (2 * k + 1) * L))
                            .intoArray(p, k * L);
                }
            }
            FloatVector.fromArray(SPECIES, p, 0).intoArray(out, outOff + o);
        }
        return o;
    }

    /**
     * out[j] = Σ_d fma(a[aBase + d], columns[d·stride + j], acc) in d order, from 0, for j in [0, count) rounded
     * down to whole vectors (each lane one j); returns where the scalar tail starts.
     */
    static int dotsAcross(float[] a, int aBase, float[] columns, int stride, int depth, int count, float[] out) {
        int j = 0;
        for (; j + L <= count; j += L) {
            FloatVector acc = FloatVector.zero(SPECIES);
            for (int d = 0; d < depth; d++) {
                acc = FloatVector.broadcast(SPECIES, a[aBase + d]).fma(FloatVector.fromArray(SPECIES, columns, d * stride + j),
                        acc);
            }
            acc.intoArray(out, j);
        }
        return j;
    }

    /**
     * acc[d] = fma(w[wOff + j·wStride], x[xBase + j·xStride + d], acc[d]) for j = 0 … count − 1 in order, for d in
     * [0, n) rounded down to whole vectors (each lane one d, held in a register across j); returns the tail start.
     */
    static int accumulateRows(float[] w, int wOff, int wStride, int count, float[] x, int xBase, int xStride,
            float[] acc, int n) {
        int d = 0;
        for (; d + L <= n; d += L) {
            FloatVector sum = FloatVector.fromArray(SPECIES, acc, d);
            for (int j = 0; j < count; j++) {
                sum = FloatVector.broadcast(SPECIES, w[wOff + j * wStride])
                        .fma(FloatVector.fromArray(SPECIES, x, xBase + j * xStride + d), sum);
            }
            sum.intoArray(acc, d);
        }
        return d;
    }

    /** n rounded down to whole vectors. */
    static int wholeVectors(int n) {
        return SPECIES.loopBound(n);
    }

    /**
     * Math.max over x[off … off + count − 1], count a positive multiple of the vector length. A maximum is exact
     * in any order; the lanes are still folded by Math.max in lane order, so the answer (the sign of a zero
     * included) never rests on how a JIT implements a lane reduction.
     */
    static float max(float[] x, int off, int count) {
        FloatVector max = FloatVector.fromArray(SPECIES, x, off);
        for (int i = L; i < count; i += L) {
            max = max.max(FloatVector.fromArray(SPECIES, x, off + i));
        }
        float result = max.lane(0);
        for (int lane = 1; lane < L; lane++) {
            result = Math.max(result, max.lane(lane));
        }
        return result;
    }

    /** out[off + i] = (x[off + i] / d1) / d2 over whole vectors of [0, n); returns where the scalar tail starts. */
    static int divideTwice(float[] x, float d1, float d2, float[] out, int off, int n) {
        int bound = SPECIES.loopBound(n);
        for (int i = 0; i < bound; i += L) {
            FloatVector.fromArray(SPECIES, x, off + i).div(d1).div(d2).intoArray(out, off + i);
        }
        return bound;
    }

    /**
     * The OR over x[from, to) (a whole number of vectors) of (exponent bits + one exponent step) per element:
     * the sign bit of the result is set iff some element is infinite or NaN (see {@link Ops#allFinite}).
     */
    static int finiteCarry(float[] x, int from, int to) {
        IntVector carry = IntVector.zero(INTS);
        for (int i = from; i < to; i += L) {
            IntVector bits = FloatVector.fromArray(SPECIES, x, i).viewAsIntegralLanes();
            carry = carry.or(bits.and(0x7f800000).add(0x00800000));
        }
        int result = 0;
        for (int lane = 0; lane < L; lane++) {
            result |= carry.lane(lane); // an OR is exact in any order; folded in lane order all the same
        }
        return result;
    }
}
