package io.verigrid.engine;

/**
 * The canonical order of every long float reduction in the engine (row sums, the loss mean, softmax
 * denominators): element {@code i} goes into partial sum {@code i mod 16}, each partial accumulates in
 * index order starting from 0, and the 16 partials are combined in a fixed pairwise tree
 * ((p0+p1)+(p2+p3))+… . The split is logical, not tied to any hardware width, so the bits never change.
 *
 * <p>The partials live in sixteen locals (an array indexed by i mod 16 cannot be kept in registers, and its
 * allocation and reloads cost more than the additions of a short row).
 */
final class CanonicalSum {
    static final int PARTIALS = 16;
    /** Contiguous sums at least this long take {@link VectorLoops#canonicalSum} for their whole 16-element blocks. */
    private static final int VECTOR_MIN = 64;

    private CanonicalSum() {
    }

    /** Sums {@code count} elements of {@code values} starting at {@code offset}, {@code stride} apart. */
    static float sum(float[] values, int offset, int stride, int count) {
        if (stride == 1 && count >= VECTOR_MIN && Matmul.VECTOR_API) {
            return VectorLoops.canonicalSum(values, offset, count, false);
        }
        return scalar(values, offset, stride, count, false);
    }

    /** Σ x_i² over x[offset … offset + count − 1]: each square rounded to float, then summed as {@link #sum} sums. */
    static float sumOfSquares(float[] x, int offset, int count) {
        if (count >= VECTOR_MIN && Matmul.VECTOR_API) {
            return VectorLoops.canonicalSum(x, offset, count, true);
        }
        return scalar(x, offset, 1, count, true);
    }

    private static float scalar(float[] v, int offset, int stride, int count, boolean square) {
        float p0 = 0f;
        float p1 = 0f;
        float p2 = 0f;
        float p3 = 0f;
        float p4 = 0f;
        float p5 = 0f;
        float p6 = 0f;
        float p7 = 0f;
        float p8 = 0f;
        float p9 = 0f;
        float p10 = 0f;
        float p11 = 0f;
        float p12 = 0f;
        float p13 = 0f;
        float p14 = 0f;
        float p15 = 0f;
        int i = 0;
        for (; i + PARTIALS <= count; i += PARTIALS) {
            int at = offset + i * stride;
            p0 += term(v[at], square);
            p1 += term(v[at + stride], square);
            p2 += term(v[at + 2 * stride], square);
            p3 += term(v[at + 3 * stride], square);
            p4 += term(v[at + 4 * stride], square);
            p5 += term(v[at + 5 * stride], square);
            p6 += term(v[at + 6 * stride], square);
            p7 += term(v[at + 7 * stride], square);
            p8 += term(v[at + 8 * stride], square);
            p9 += term(v[at + 9 * stride], square);
            p10 += term(v[at + 10 * stride], square);
            p11 += term(v[at + 11 * stride], square);
            p12 += term(v[at + 12 * stride], square);
            p13 += term(v[at + 13 * stride], square);
            p14 += term(v[at + 14 * stride], square);
            p15 += term(v[at + 15 * stride], square);
        }
        // The last, partial block: element i + r goes into partial r.
        int rest = count - i;
        int at = offset + i * stride;
        if (rest > 0) {
            p0 += term(v[at], square);
        }
        if (rest > 1) {
            p1 += term(v[at + stride], square);
        }
        if (rest > 2) {
            p2 += term(v[at + 2 * stride], square);
        }
        if (rest > 3) {
            p3 += term(v[at + 3 * stride], square);
        }
        if (rest > 4) {
            p4 += term(v[at + 4 * stride], square);
        }
        if (rest > 5) {
            p5 += term(v[at + 5 * stride], square);
        }
        if (rest > 6) {
            p6 += term(v[at + 6 * stride], square);
        }
        if (rest > 7) {
            p7 += term(v[at + 7 * stride], square);
        }
        if (rest > 8) {
            p8 += term(v[at + 8 * stride], square);
        }
        if (rest > 9) {
            p9 += term(v[at + 9 * stride], square);
        }
        if (rest > 10) {
            p10 += term(v[at + 10 * stride], square);
        }
        if (rest > 11) {
            p11 += term(v[at + 11 * stride], square);
        }
        if (rest > 12) {
            p12 += term(v[at + 12 * stride], square);
        }
        if (rest > 13) {
            p13 += term(v[at + 13 * stride], square);
        }
        if (rest > 14) {
            p14 += term(v[at + 14 * stride], square);
        }
        return tree(p0, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, p13, p14, p15);
    }

    private static float term(float x, boolean square) {
        return square ? x * x : x;
    }

    /** The fixed pairwise tree over the 16 partials. */
    static float tree(float p0, float p1, float p2, float p3, float p4, float p5, float p6, float p7, float p8, float p9,
            float p10, float p11, float p12, float p13, float p14, float p15) {
        return (((p0 + p1) + (p2 + p3)) + ((p4 + p5) + (p6 + p7)))
                + (((p8 + p9) + (p10 + p11)) + ((p12 + p13) + (p14 + p15)));
    }
}
