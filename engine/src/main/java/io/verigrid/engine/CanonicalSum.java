package io.verigrid.engine;

/**
 * The canonical order of every long float reduction in the engine (row sums, the loss mean, softmax
 * denominators): element {@code i} goes into partial sum {@code i mod 16}, each partial accumulates in
 * index order starting from 0, and the 16 partials are combined in a fixed pairwise tree
 * ((p0+p1)+(p2+p3))+… . The split is logical, not tied to any hardware width, so the bits never change.
 */
final class CanonicalSum {
    static final int PARTIALS = 16;

    private CanonicalSum() {
    }

    /** Sums {@code count} elements of {@code values} starting at {@code offset}, {@code stride} apart. */
    static float sum(float[] values, int offset, int stride, int count) {
        float[] partial = new float[PARTIALS];
        for (int i = 0; i < count; i++) {
            partial[i & (PARTIALS - 1)] += values[offset + i * stride];
        }
        for (int width = PARTIALS / 2; width >= 1; width /= 2) {
            for (int k = 0; k < width; k++) {
                partial[k] = partial[2 * k] + partial[2 * k + 1];
            }
        }
        return partial[0];
    }
}
