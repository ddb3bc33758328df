package io.verigrid.engine;

/**
 * A counter-based random generator: every value is a pure function of (seed, stream, index) — SplitMix64's
 * finalizer applied to a keyed counter — so it never depends on iteration order or thread count.
 */
final class CounterRng {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private CounterRng() {
    }

    static long bits(long seed, long stream, long index) {
        long key = mix(seed ^ mix(stream * GOLDEN + 0x632BE59BD9B4E019L));
        return mix(key + (index + 1) * GOLDEN);
    }

    /** A float in [0, 1) with 24 random bits (exactly representable). */
    static float uniform(long seed, long stream, long index) {
        return (bits(seed, stream, index) >>> 40) * 0x1.0p-24f;
    }

    /** An integer in [0, bound), from the high 32 bits (multiply-shift, no float rounding). */
    static int below(long seed, long stream, long index, int bound) {
        return (int) (((bits(seed, stream, index) >>> 32) * bound) >>> 32);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
