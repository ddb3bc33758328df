package io.verigrid.ledger.yuma;

import java.math.BigInteger;

/**
 * Signed 64-bit fixed point with 32 fractional bits, held as raw {@code long} bits (value = bits / 2^32),
 * with the exact rounding of the chain's fixed-point library: products floor (arithmetic shift of the
 * 128-bit product), quotients truncate toward zero, conversions to integers floor.
 *
 * <p>Static methods over raw bits rather than an object, so the epoch's inner loops allocate nothing.
 */
final class I32F32 {
    static final int FRAC_BITS = 32;
    static final long ONE = 1L << FRAC_BITS;
    static final long U16_MAX = 65535L << FRAC_BITS;

    private I32F32() {}

    /** An integer as I32F32 (exact); saturates outside the representable range. */
    static long fromInt(long value) {
        if (value > Integer.MAX_VALUE) return Long.MAX_VALUE;
        if (value < Integer.MIN_VALUE) return Long.MIN_VALUE;
        return value << FRAC_BITS;
    }

    /** {@code saturating_mul}: the 128-bit product shifted right by 32 (rounds toward −∞), clamped. */
    static long mul(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        long top = hi >> 31; // bits 95..127 of the product must all equal the result's sign
        if (top != 0 && top != -1) return (hi < 0) ? Long.MIN_VALUE : Long.MAX_VALUE;
        return (hi << 32) | (lo >>> 32);
    }

    /** {@code checked_mul(..).unwrap_or_default()}: the product, or 0 where it does not fit. */
    static long mulOrZero(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        long top = hi >> 31;
        if (top != 0 && top != -1) return 0;
        return (hi << 32) | ((a * b) >>> 32);
    }

    /** {@code saturating_add}. */
    static long add(long a, long b) {
        long r = a + b;
        if (((a ^ r) & (b ^ r)) < 0) return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        return r;
    }

    /** {@code saturating_sub}. */
    static long sub(long a, long b) {
        long r = a - b;
        if (((a ^ b) & (a ^ r)) < 0) return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        return r;
    }

    /**
     * {@code safe_div}: {@code (a << 32) / b} truncated toward zero; 0 when {@code b == 0} or when the
     * quotient does not fit.
     */
    static long div(long a, long b) {
        if (b == 0) return 0;
        if (a == Long.MIN_VALUE || b == Long.MIN_VALUE) return divBig(a, b);
        boolean negative = (a < 0) != (b < 0);
        long ua = Math.abs(a);
        long ub = Math.abs(b);
        if (((ua | ub) & (ONE - 1)) == 0) {
            // both integral (e.g. u16 weights over their row sum): scaling both leaves the quotient unchanged
            ua >>>= FRAC_BITS;
            ub >>>= FRAC_BITS;
        }
        long quotient = ua / ub;
        if (quotient >= (1L << 31)) {
            // overflows, except a result of exactly −2^31: the exact path decides
            return divBig(a, b);
        }
        long fraction = fractionBits(ua % ub, ub);
        long magnitude = (quotient << FRAC_BITS) + fraction;
        return negative ? -magnitude : magnitude;
    }

    private static long divBig(long a, long b) {
        BigInteger q = BigInteger.valueOf(a).shiftLeft(FRAC_BITS).divide(BigInteger.valueOf(b));
        return q.bitLength() < 64 ? q.longValue() : 0;
    }

    /** {@code floor(r · 2^32 / d)} for {@code 0 <= r < d}: the fractional bits of a quotient. */
    private static long fractionBits(long r, long d) {
        if (r < (1L << 31)) return (r << FRAC_BITS) / d;
        if (r < (1L << 32)) return Long.divideUnsigned(r << FRAC_BITS, d);
        return divlu(r >>> 32, r << 32, d);
    }

    /** Unsigned 128-by-64 division {@code (u1:u0) / v} for {@code u1 < v} (Hacker's Delight, divlu). */
    static long divlu(long u1, long u0, long v) {
        final long base = 1L << 32;
        int s = Long.numberOfLeadingZeros(v);
        v <<= s;
        long vn1 = v >>> 32;
        long vn0 = v & 0xFFFFFFFFL;
        long un32 = (u1 << s) | (s == 0 ? 0 : (u0 >>> (64 - s)));
        long un10 = u0 << s;
        long un1 = un10 >>> 32;
        long un0 = un10 & 0xFFFFFFFFL;

        long q1 = Long.divideUnsigned(un32, vn1);
        long rhat = un32 - q1 * vn1;
        while (Long.compareUnsigned(q1, base) >= 0 || Long.compareUnsigned(q1 * vn0, base * rhat + un1) > 0) {
            q1--;
            rhat += vn1;
            if (Long.compareUnsigned(rhat, base) >= 0) break;
        }
        long un21 = un32 * base + un1 - q1 * v;

        long q0 = Long.divideUnsigned(un21, vn1);
        rhat = un21 - q0 * vn1;
        while (Long.compareUnsigned(q0, base) >= 0 || Long.compareUnsigned(q0 * vn0, base * rhat + un0) > 0) {
            q0--;
            rhat += vn1;
            if (Long.compareUnsigned(rhat, base) >= 0) break;
        }
        return q1 * base + q0;
    }

    /** {@code fixed_proportion_to_u16}: {@code floor(x · 65535)} clamped to [0, 65535]. */
    static int toU16Proportion(long x) {
        return saturatingToU16(mul(x, U16_MAX));
    }

    /** {@code saturating_to_num::<u16>}: floor, clamped to [0, 65535]. */
    static int saturatingToU16(long bits) {
        long whole = bits >> FRAC_BITS;
        if (whole < 0) return 0;
        return (int) Math.min(whole, 65535);
    }

    /** {@code u16 / 65535} as I32F32 (truncated). */
    static long fromU16Proportion(int u16) {
        return div(fromInt(u16), U16_MAX);
    }

    /** The exact value as a double: every I32F32 below 2^21 in magnitude is a double. */
    static double toDouble(long bits) {
        return bits / 4294967296.0;
    }

    /**
     * I96F32 {@code x · rao} floored to u64: {@code floor(x_bits · rao / 2^32)}, saturating at 0 and at
     * the largest long (the rao amounts Verigrid accepts fit in a signed 64-bit integer).
     */
    static long timesRao(long x, long rao) {
        if (x <= 0 || rao <= 0) return 0;
        long hi = Math.multiplyHigh(x, rao);
        long lo = x * rao;
        if ((hi >>> 31) != 0) return Long.MAX_VALUE;
        return (hi << 32) | (lo >>> 32);
    }
}
