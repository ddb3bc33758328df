package io.verigrid.engine.generate;

/**
 * The random numbers of sampling: a pure function of (seed, choice index, position), SplitMix64's finalizer
 * over a keyed counter. Nothing depends on thread count, batch composition or the order requests arrive in,
 * so anyone holding the seed re-draws the same token at the same position.
 */
public final class SamplingRng {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private SamplingRng() {
    }

    /** 64 random bits for (seed, choice, position). */
    public static long bits(long seed, int choice, int position) {
        long key = mix(seed ^ mix((choice + 1L) * GOLDEN + 0x5851F42D4C957F2DL));
        return mix(key + (position + 1L) * GOLDEN);
    }

    /** A float in [0, 1) with 24 random bits, exactly representable. */
    public static float uniform(long seed, int choice, int position) {
        return (bits(seed, choice, position) >>> 40) * 0x1.0p-24f;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
