package io.verigrid.engine.io;

/**
 * Exact widening of 16-bit floats to float32. Every IEEE half and every bfloat16 value is representable in
 * float32, so both conversions are pure bit manipulation: no rounding, and NaN payloads are kept (shifted
 * into the top of the float32 mantissa, as hardware converters do).
 */
public final class HalfFloats {
    private HalfFloats() {
    }

    /** The float32 equal to the IEEE 754 binary16 value with bits {@code half} (low 16 bits used). */
    public static float halfToFloat(int half) {
        int sign = (half & 0x8000) << 16;
        int exponent = (half >>> 10) & 0x1f;
        int mantissa = half & 0x3ff;
        if (exponent == 0x1f) {
            // Infinity or NaN: all-ones exponent, the mantissa (NaN payload) moved to the top.
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            if (mantissa == 0) {
                return Float.intBitsToFloat(sign);
            }
            // Subnormal half: normalise, since every half subnormal is a normal float32.
            int shift = Integer.numberOfLeadingZeros(mantissa) - 21;
            mantissa = (mantissa << shift) & 0x3ff;
            exponent = 1 - shift;
        }
        return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
    }

    /** The float32 equal to the bfloat16 value with bits {@code bf16} (low 16 bits used): its top half. */
    public static float bfloat16ToFloat(int bf16) {
        return Float.intBitsToFloat((bf16 & 0xffff) << 16);
    }
}
