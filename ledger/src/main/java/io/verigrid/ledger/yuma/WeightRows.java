package io.verigrid.ledger.yuma;

/**
 * How a weight row is stored when a validator sets it (the chain's {@code set_weights}): values are
 * max-upscaled so the row maximum becomes 65535, each rounded to nearest with ties away from zero.
 */
public final class WeightRows {
    private WeightRows() {}

    /** The stored u16 values for the submitted u16 {@code values} (same order). */
    public static int[] maxUpscale(int[] values) {
        long max = 0;
        for (int i = 0; i < values.length; i++) {
            if (values[i] < 0 || values[i] > 65535) throw new IllegalArgumentException("values[" + i + "]: not a u16: " + values[i]);
            max = Math.max(max, values[i]);
        }
        int[] out = new int[values.length];
        if (max == 0) return out;
        long maxBits = I32F32.fromInt(max);
        // Above 32768 the chain scales by 65535/max first, else multiplies then divides (both I32F32).
        long scale = I32F32.div(I32F32.U16_MAX, maxBits);
        for (int i = 0; i < values.length; i++) {
            long e = I32F32.fromInt(values[i]);
            long scaled = max > 32768 ? I32F32.mul(e, scale) : I32F32.div(I32F32.mul(e, I32F32.U16_MAX), maxBits);
            out[i] = I32F32.saturatingToU16(roundHalfAway(scaled));
        }
        return out;
    }

    /** I32F32 {@code round()} for non-negative values: nearest integer, ties away from zero. */
    private static long roundHalfAway(long bits) {
        return (bits + (1L << 31)) & ~(I32F32.ONE - 1);
    }
}
