package io.verigrid.engine.data;

/**
 * The preprocessing pipeline's counter-based generator: every value is a pure function of
 * (seed, stream, record, index), so any record can be recomputed alone, in any order, on any thread count.
 * It keys SplitMix64's 64-bit finalizer three times (seed with stream, then record, then the counter); there is
 * no state to share or advance.
 */
public final class KeyedRng {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private KeyedRng() {
    }

    /** 64 random bits for counter {@code index} of {@code record} in {@code stream} under {@code seed}. */
    public static long bits(long seed, long stream, long record, long index) {
        long key = mix(seed ^ mix(stream * GOLDEN + 0x632BE59BD9B4E019L));
        key = mix(key ^ mix(record * GOLDEN + 0x8CB92BA72F3D8DD7L));
        return mix(key + (index + 1) * GOLDEN);
    }

    /** An integer in [0, bound): the high 32 bits scaled by multiply-shift (no modulo bias beyond 2^-32, no floats). */
    public static int below(long seed, long stream, long record, long index, int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, got " + bound);
        }
        return (int) (((bits(seed, stream, record, index) >>> 32) * bound) >>> 32);
    }

    /** A double in (0, 1]: 53 random bits plus one ulp, so that a logarithm of it is always finite. */
    public static double openUnit(long seed, long stream, long record, long index) {
        return ((bits(seed, stream, record, index) >>> 11) + 1) * 0x1.0p-53;
    }

    /** SplitMix64's finalizer (Stafford's variant 13): a bijection on 64-bit values. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
