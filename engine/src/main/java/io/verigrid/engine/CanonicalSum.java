package io.verigrid.engine;

/**
 * The canonical order of every long float reduction in the engine (row sums, the loss mean, softmax
 * denominators): element {@code i} goes into partial sum {@code i mod 16}, each partial accumulates in
 * index order starting from 0, and the 16 partials are combined in a fixed pairwise tree
 * ((p0+p1)+(p2+p3))+… . The split is logical, not tied to any hardware width, so the bits never change.
 */
final class CanonicalSum {
    static final int PARTIALS = 16;
    /** Contiguous sums at least this long take {@link VectorLoops#partials} for their whole 16-element blocks. */
    private static final int VECTOR_MIN = 64;

    private CanonicalSum() {
    }

    /** Sums {@code count} elements of {@code values} starting at {@code offset}, {@code stride} apart. */
    static float sum(float[] values, int offset, int stride, int count) {
        float[] partial = new float[PARTIALS];
        int i = 0;
        if (stride == 1 && count >= VECTOR_MIN && Matmul.VECTOR_API) {
            int blocks = count / PARTIALS;
            VectorLoops.partials(values, offset, blocks, false, partial);
            i = blocks * PARTIALS;
        }
        for (; i < count; i++) {
            partial[i & (PARTIALS - 1)] += values[offset + i * stride];
        }
        return combine(partial);
    }

    /** Σ x_i² in the canonical order: each square rounded to float, then summed as {@link #sum} sums. */
    static float sumOfSquares(float[] x) {
        float[] partial = new float[PARTIALS];
        int i = 0;
        if (x.length >= VECTOR_MIN && Matmul.VECTOR_API) {
            int blocks = x.length / PARTIALS;
            VectorLoops.partials(x, 0, blocks, true, partial);
            i = blocks * PARTIALS;
        }
        for (; i < x.length; i++) {
            partial[i & (PARTIALS - 1)] += x[i] * x[i];
        }
        return combine(partial);
    }

    /** The fixed pairwise tree over the 16 partials. */
    private static float combine(float[] partial) {
        for (int width = PARTIALS / 2; width >= 1; width /= 2) {
            for (int k = 0; k < width; k++) {
                partial[k] = partial[2 * k] + partial[2 * k + 1];
            }
        }
        return partial[0];
    }
}
