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
 * machines, where the scalar loops are as fast. Public for the decoder's row operators ({@code generate}).
 */
public final class VectorExp {
    /**
     * Double lanes at the kernel width. Floats are widened and narrowed through a double scratch array, not
     * through a second float species: one FloatVector shape per JVM keeps the type profiles of the Vector API's
     * shared code monomorphic, which the GEMM kernel's intrinsics rely on (a precaution, not a measured cost).
     */
    static final VectorSpecies<Double> DOUBLES = VectorSpecies.of(double.class, Gemm.SPECIES.vectorShape());
    public static final int LANES = DOUBLES.length();
    /** Elements per pass through the scratch arrays. */
    private static final int CHUNK = 512;
    private static final ThreadLocal<double[][]> SCRATCH = ThreadLocal.withInitial(() -> new double[3][CHUNK]);
    /** Four or more double lanes (AVX2 and wider); below that the scalar loops are as fast. */
    public static final boolean ENABLED = LANES >= 4;

    private static final double INVLN2 = 0x1.71547652b82fep0;
    private static final double LN2HI = 0x1.62e42feep-1;
    private static final double LN2LO = 0x1.a39ef35793c76p-33;
    private static final double P1 = 0x1.555555555553ep-3;
    private static final double P2 = -0x1.6c16c16bebd93p-9;
    private static final double P3 = 0x1.1566aaf25de2cp-14;
    private static final double P4 = -0x1.bbd41c5d26bf1p-20;
    private static final double P5 = 0x1.6376972bea4d0p-25;
    /** |x| at or above this (and NaN) is recomputed by the scalar call: no overflow, underflow or subnormal. */
    private static final double SPECIAL_FROM = 700.0;
    /** fdlibm's tests on the high word of |x|: below 2⁻²⁸ exp is 1 + x; up to ½ln2 (high word 0x3fd62e42) k is 0. */
    private static final double TINY_BELOW = 0x1p-28;
    private static final double SMALL_BELOW = Double.longBitsToDouble(0x3fd62e43_00000000L);
    private static final long SIGN = 0x80000000_00000000L;
    /** 1.5·2⁵²: adding and subtracting it rounds a double below 2⁵¹ to an integer, and its low bits hold it. */
    private static final double ROUNDER = 0x1.8p52;
    private static final long ROUNDER_BITS = Double.doubleToRawLongBits(ROUNDER);
    private static final long HALF_BITS = Double.doubleToRawLongBits(0.5);
    private static final DoubleVector ONE = DoubleVector.broadcast(DOUBLES, 1.0);
    private static final double GELU_C = UnaryOps.GELU_C;
    private static final double GELU_3K = 3.0 * UnaryOps.GELU_K;
    private static final DoubleVector TWO = DoubleVector.broadcast(DOUBLES, 2.0);

    private VectorExp() {
    }

    /**
     * buffer[i] = StrictMath.exp(buffer[i]) for i in [from, to), to − from a multiple of {@link #LANES}. One loop
     * holds the whole algorithm: a helper taking and returning a vector would be too big for C2 to inline, and
     * every call would then box its vectors.
     */
    public static void expInPlace(double[] buffer, int from, int to) {
        for (int i = from; i < to; i += LANES) {
            DoubleVector x = DoubleVector.fromArray(DOUBLES, buffer, i);
            DoubleVector abs = x.abs();
            // fdlibm's high-word tests of |x| are these comparisons of |x| (NaN fails every "<").
            VectorMask<Double> special = abs.compare(VectorOperators.LT, SPECIAL_FROM).not();
            VectorMask<Double> tiny = abs.compare(VectorOperators.LT, TINY_BELOW);
            VectorMask<Double> small = abs.compare(VectorOperators.LT, SMALL_BELOW);
            LongVector bits = x.viewAsIntegralLanes();

            // k = (int) (invln2·x ± 0.5), the half carrying x's sign: rounded to nearest by adding and
            // subtracting 1.5·2⁵², then stepped toward zero where that rounded away (JDK 17 C2 does not
            // intrinsify a double-to-long lane cast).
            DoubleVector half = bits.and(SIGN).or(HALF_BITS).viewAsFloatingLanes();
            DoubleVector scaled = x.mul(INVLN2).add(half);
            DoubleVector t = scaled.add(ROUNDER).sub(ROUNDER);
            VectorMask<Double> negative = bits.compare(VectorOperators.LT, 0L).cast(DOUBLES);
            t = t.sub(1.0, t.compare(VectorOperators.GT, scaled).andNot(negative))
                    .add(1.0, t.compare(VectorOperators.LT, scaled).and(negative));
            LongVector k = t.add(ROUNDER).viewAsIntegralLanes().sub(ROUNDER_BITS);
            DoubleVector hi = x.sub(t.mul(LN2HI));
            DoubleVector lo = t.mul(LN2LO);
            DoubleVector r = hi.sub(lo).blend(x, small);

            DoubleVector rr = r.mul(r);
            DoubleVector poly = rr.mul(P5).add(P4);
            poly = rr.mul(poly).add(P3);
            poly = rr.mul(poly).add(P2);
            poly = rr.mul(poly).add(P1);
            DoubleVector c = r.sub(rr.mul(poly));
            // k = 0: 1 − ((r·c)/(c − 2) − r); otherwise 1 − ((lo − (r·c)/(2 − c)) − hi), then 2^k. One division
            // serves both: c − 2 is exactly −(2 − c), so (r·c)/(c − 2) is exactly −q.
            DoubleVector q = r.mul(c).div(TWO.sub(c));
            DoubleVector yZero = ONE.sub(q.neg().sub(r));
            DoubleVector y = ONE.sub(lo.sub(q).sub(hi));
            y = y.viewAsIntegralLanes().add(k.lanewise(VectorOperators.LSHL, 52)).viewAsFloatingLanes();
            DoubleVector result = y.blend(yZero, small).blend(x.add(1.0), tiny);
            if (special.anyTrue()) {
                // The special lanes keep their inputs in the buffer: read back from memory, a NaN keeps its
                // payload (a lane extracted from a register lost it in some compilations).
                result.intoArray(buffer, i, special.not());
                for (int lane = 0; lane < LANES; lane++) {
                    if (special.laneIsSet(lane)) {
                        buffer[i + lane] = StrictMath.exp(buffer[i + lane]);
                    }
                }
            } else {
                result.intoArray(buffer, i);
            }
        }
    }

    /**
     * dst[dstOff + i] = (float) StrictMath.exp(src[srcOff + i] − shift) (the difference a float) for i in [0, n);
     * returns n. A ragged last vector runs whole in the scratch, its spare lanes holding exp(0).
     */
    static int expShifted(float[] src, int srcOff, float shift, float[] dst, int dstOff, int n) {
        double[] buffer = SCRATCH.get()[0];
        for (int start = 0; start < n; start += CHUNK) {
            int count = Math.min(CHUNK, n - start);
            for (int i = 0; i < count; i++) {
                buffer[i] = src[srcOff + start + i] - shift;
            }
            int lanes = wholeLanes(buffer, count);
            expInPlace(buffer, 0, lanes);
            for (int i = 0; i < count; i++) {
                dst[dstOff + start + i] = (float) buffer[i];
            }
        }
        return n;
    }

    /** count rounded up to whole vectors (≤ CHUNK, a multiple of every lane count), the spare lanes set to 0. */
    private static int wholeLanes(double[] buffer, int count) {
        int lanes = (count + LANES - 1) / LANES * LANES;
        java.util.Arrays.fill(buffer, count, lanes, 0.0);
        return lanes;
    }

    /** The functions of {@link UnaryOps} built on exp that have lane forms. */
    static boolean covers(UnaryOps.Function function) {
        return function == UnaryOps.Function.EXP || function == UnaryOps.Function.SIGMOID
                || function == UnaryOps.Function.SILU || function == UnaryOps.Function.GELU;
    }

    /**
     * out[i] = (float) f(x[i]) (forward) or (float) (grad[i] · f′(x[i])) (backward, grad non-null) for i in
     * [from, to), each lane the double expression of {@link UnaryOps.Function} in its order; returns to. A
     * ragged last vector runs whole in the scratch, its spare lanes computing f(0).
     */
    static int unary(UnaryOps.Function function, float[] grad, float[] x, float[] out, int from, int to) {
        double[][] scratch = SCRATCH.get();
        double[] e = scratch[0];
        double[] gs = scratch[1];
        double[] xs = scratch[2];
        boolean exp = function == UnaryOps.Function.EXP;
        boolean silu = function == UnaryOps.Function.SILU;
        boolean gelu = function == UnaryOps.Function.GELU;
        for (int start = from; start < to; start += CHUNK) {
            int count = Math.min(CHUNK, to - start);
            for (int i = 0; i < count; i++) {
                double xi = x[start + i];
                e[i] = exp ? xi : gelu ? -(2.0 * UnaryOps.Function.geluInner(xi)) : -xi;
            }
            int lanes = wholeLanes(e, count);
            expInPlace(e, 0, lanes);
            if (silu || gelu) {
                for (int i = 0; i < count; i++) {
                    xs[i] = x[start + i];
                }
                java.util.Arrays.fill(xs, count, lanes, 0.0);
            }
            if (grad != null) {
                for (int i = 0; i < count; i++) {
                    gs[i] = grad[start + i];
                }
                java.util.Arrays.fill(gs, count, lanes, 0.0);
            }
            if (!exp || grad != null) {
                // sigmoid = 1 / (1 + exp(−x)); silu = x·s; sigmoid′ = s·(1 − s); silu′ = s + (x·s)·(1 − s);
                // gelu = x·s with s = sigmoid(2u), gelu′ = s + (((2x)·s)·(1 − s))·u′; exp′ = exp; a gradient
                // multiplies last. Each in the operation order of UnaryOps.Function.
                for (int i = 0; i < lanes; i += LANES) {
                    DoubleVector value = DoubleVector.fromArray(DOUBLES, e, i);
                    if (!exp) {
                        DoubleVector s = ONE.div(value.add(1.0));
                        DoubleVector xv = silu || gelu ? DoubleVector.fromArray(DOUBLES, xs, i) : null;
                        if (grad == null) {
                            value = silu || gelu ? xv.mul(s) : s;
                        } else {
                            DoubleVector oneMinus = ONE.sub(s);
                            if (gelu) {
                                DoubleVector slope = ONE.add(xv.mul(GELU_3K).mul(xv)).mul(GELU_C);
                                value = s.add(xv.mul(2.0).mul(s).mul(oneMinus).mul(slope));
                            } else {
                                value = silu ? s.add(xv.mul(s).mul(oneMinus)) : s.mul(oneMinus);
                            }
                        }
                    }
                    if (grad != null) {
                        value = DoubleVector.fromArray(DOUBLES, gs, i).mul(value);
                    }
                    value.intoArray(e, i);
                }
            }
            for (int i = 0; i < count; i++) {
                out[start + i] = (float) e[i];
            }
        }
        return to;
    }
}
