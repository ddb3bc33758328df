package io.verigrid.engine;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link StrictMath#exp} in double lanes, bit for bit: fdlibm's {@code e_exp.c} algorithm (argument reduction
 * by k·ln2 split in two, the degree-5 rational step, exponent add) written with lane operations. Every lane
 * performs fdlibm's scalar sequence of IEEE double operations — a multiply then an add stays two roundings, no
 * lane fma — so each lane's result equals {@code StrictMath.exp} of its input, whatever the width.
 *
 * <p>Lanes fdlibm treats specially are handled exactly: |x| < 2⁻²⁸ gives {@code 1 + x}; |x| ≤ ½ln2 takes the
 * k = 0 formula (selected by fdlibm's own high-word test, not by k); NaN and |x| ≥ 700 (overflow, underflow
 * and the subnormal scaling) are rare and recomputed by {@code StrictMath.exp} itself. fdlibm's separate
 * branch for ½ln2 < |x| < 1.5ln2 (k = ±1) gives the same hi, lo and k as the general reduction, which is
 * therefore used for every lane. {@code VectorExpTest} compares against {@code StrictMath.exp} on a dense
 * sweep of floats and on doubles around every branch point.
 *
 * <p>Loaded only when the Vector API is (see {@link Matmul#VECTOR_API}); {@link #ENABLED} is false on narrow
 * machines, where the scalar loops are as fast.
 */
final class VectorExp {
    /**
     * Double lanes at the kernel width. Floats are widened and narrowed through a double scratch array, not
     * through a second float species: a FloatVector of another shape in the same JVM pollutes the type
     * profiles of the Vector API's shared code, and C2 then sometimes fails to intrinsify the GEMM kernel
     * (measured: matmuls twenty times slower in some runs).
     */
    static final VectorSpecies<Double> DOUBLES = VectorSpecies.of(double.class, Gemm.SPECIES.vectorShape());
    static final int LANES = DOUBLES.length();
    /** Elements per pass through the scratch arrays. */
    private static final int CHUNK = 512;
    private static final ThreadLocal<double[][]> SCRATCH = ThreadLocal.withInitial(() -> new double[2][CHUNK]);
    /** Four or more double lanes (AVX2 and wider); below that the scalar loops are as fast. */
    static final boolean ENABLED = LANES >= 4;

    private static final double INVLN2 = 0x1.71547652b82fep0;
    private static final double LN2HI = 0x1.62e42feep-1;
    private static final double LN2LO = 0x1.a39ef35793c76p-33;
    private static final double P1 = 0x1.555555555553ep-3;
    private static final double P2 = -0x1.6c16c16bebd93p-9;
    private static final double P3 = 0x1.1566aaf25de2cp-14;
    private static final double P4 = -0x1.bbd41c5d26bf1p-20;
    private static final double P5 = 0x1.6376972bea4d0p-25;
    /** 1.5·2⁵²: adding and subtracting it rounds a double below 2⁵¹ to an integer, and its low bits hold it. */
    private static final double ROUNDER = 0x1.8p52;
    private static final long ROUNDER_BITS = Double.doubleToRawLongBits(ROUNDER);
    /** |x| at or above this (and NaN) is recomputed by the scalar call. */
    private static final long SPECIAL_FROM = Double.doubleToRawLongBits(700.0);
    /** fdlibm's tests on the high word of |x|: below 2⁻²⁸ exp is 1 + x; up to ½ln2 k is 0. */
    private static final long TINY_BELOW = 0x3e300000_00000000L;
    private static final long SMALL_BELOW = 0x3fd62e43_00000000L;
    private static final long ABS = 0x7fffffff_ffffffffL;

    private VectorExp() {
    }

    /** {@code StrictMath.exp} of every lane. */
    static DoubleVector exp(DoubleVector x) {
        LongVector absBits = x.viewAsIntegralLanes().and(ABS);
        VectorMask<Double> special = absBits.compare(VectorOperators.GE, SPECIAL_FROM).cast(DOUBLES);
        VectorMask<Double> tiny = absBits.compare(VectorOperators.LT, TINY_BELOW).cast(DOUBLES);
        VectorMask<Double> small = absBits.compare(VectorOperators.LT, SMALL_BELOW).cast(DOUBLES);
        VectorMask<Double> negative = x.compare(VectorOperators.LT, 0.0);

        // k = (int) (invln2·x ± 0.5): round to nearest with the 1.5·2⁵² trick, then step toward zero.
        DoubleVector scaled = x.mul(INVLN2).add(DoubleVector.broadcast(DOUBLES, 0.5).blend(-0.5, negative));
        DoubleVector k = scaled.add(ROUNDER).sub(ROUNDER);
        k = k.sub(1.0, k.compare(VectorOperators.GT, scaled).andNot(negative))
                .add(1.0, k.compare(VectorOperators.LT, scaled).and(negative));
        DoubleVector hi = x.sub(k.mul(LN2HI));
        DoubleVector lo = k.mul(LN2LO);
        DoubleVector r = hi.sub(lo).blend(x, small);

        DoubleVector t = r.mul(r);
        DoubleVector poly = t.mul(P5).add(P4);
        poly = t.mul(poly).add(P3);
        poly = t.mul(poly).add(P2);
        poly = t.mul(poly).add(P1);
        DoubleVector c = r.sub(t.mul(poly));
        // k = 0: 1 − ((r·c)/(c − 2) − r); otherwise 1 − ((lo − (r·c)/(2 − c)) − hi), then 2^k. One division
        // serves both: c − 2 is exactly −(2 − c), so (r·c)/(c − 2) is exactly −q.
        DoubleVector q = r.mul(c).div(DoubleVector.broadcast(DOUBLES, 2.0).sub(c));
        DoubleVector yZero = DoubleVector.broadcast(DOUBLES, 1.0).sub(q.neg().sub(r));
        DoubleVector y = DoubleVector.broadcast(DOUBLES, 1.0).sub(lo.sub(q).sub(hi));
        LongVector kBits = k.add(ROUNDER).viewAsIntegralLanes().sub(ROUNDER_BITS).lanewise(VectorOperators.LSHL, 52);
        y = y.viewAsIntegralLanes().add(kBits).viewAsFloatingLanes();
        DoubleVector result = y.blend(yZero, small).blend(x.add(1.0), tiny);
        if (special.anyTrue()) {
            double[] lanes = result.toArray();
            double[] in = x.toArray();
            for (int lane = 0; lane < LANES; lane++) {
                if (special.laneIsSet(lane)) {
                    lanes[lane] = StrictMath.exp(in[lane]);
                }
            }
            result = DoubleVector.fromArray(DOUBLES, lanes, 0);
        }
        return result;
    }

    /**
     * dst[dstOff + i] = (float) StrictMath.exp(src[srcOff + i] − shift) (the difference a float) for i in [0, n)
     * rounded down to whole vectors; returns how many were done.
     */
    static int expShifted(float[] src, int srcOff, float shift, float[] dst, int dstOff, int n) {
        double[] buffer = SCRATCH.get()[0];
        int whole = n / LANES * LANES;
        for (int start = 0; start < whole; start += CHUNK) {
            int count = Math.min(CHUNK, whole - start);
            for (int i = 0; i < count; i++) {
                buffer[i] = src[srcOff + start + i] - shift;
            }
            for (int i = 0; i < count; i += LANES) {
                exp(DoubleVector.fromArray(DOUBLES, buffer, i)).intoArray(buffer, i);
            }
            for (int i = 0; i < count; i++) {
                dst[dstOff + start + i] = (float) buffer[i];
            }
        }
        return whole;
    }

    /** The functions of {@link UnaryOps} built on exp that have lane forms. */
    static boolean covers(UnaryOps.Function function) {
        return function == UnaryOps.Function.EXP || function == UnaryOps.Function.SIGMOID
                || function == UnaryOps.Function.SILU;
    }

    /**
     * out[i] = (float) f(x[i]) (forward) or (float) (grad[i] · f′(x[i])) (backward, grad non-null) for i in
     * [from, to) rounded down to whole vectors, each lane the double expression of {@link UnaryOps.Function}
     * in its order; returns where the scalar tail starts.
     */
    static int unary(UnaryOps.Function function, float[] grad, float[] x, float[] out, int from, int to) {
        double[][] scratch = SCRATCH.get();
        double[] xs = scratch[0];
        double[] gs = scratch[1];
        int end = from + (to - from) / LANES * LANES;
        for (int start = from; start < end; start += CHUNK) {
            int count = Math.min(CHUNK, end - start);
            for (int i = 0; i < count; i++) {
                xs[i] = x[start + i];
            }
            if (grad != null) {
                for (int i = 0; i < count; i++) {
                    gs[i] = grad[start + i];
                }
            }
            for (int i = 0; i < count; i += LANES) {
                DoubleVector xv = DoubleVector.fromArray(DOUBLES, xs, i);
                DoubleVector value;
                if (function == UnaryOps.Function.EXP) {
                    value = exp(xv);
                } else {
                    // sigmoid = 1 / (1 + exp(−x)); silu = x·s; sigmoid′ = s·(1 − s); silu′ = s + (x·s)·(1 − s).
                    DoubleVector s = DoubleVector.broadcast(DOUBLES, 1.0).div(exp(xv.neg()).add(1.0));
                    if (grad == null) {
                        value = function == UnaryOps.Function.SILU ? xv.mul(s) : s;
                    } else {
                        DoubleVector oneMinus = DoubleVector.broadcast(DOUBLES, 1.0).sub(s);
                        value = function == UnaryOps.Function.SILU ? s.add(xv.mul(s).mul(oneMinus)) : s.mul(oneMinus);
                    }
                }
                if (grad != null) {
                    value = DoubleVector.fromArray(DOUBLES, gs, i).mul(value);
                }
                value.intoArray(xs, i);
            }
            for (int i = 0; i < count; i++) {
                out[start + i] = (float) xs[i];
            }
        }
        return end;
    }
}
