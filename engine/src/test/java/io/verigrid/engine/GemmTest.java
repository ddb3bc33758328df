package io.verigrid.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The vectorised kernel against the plain in-order FMA loop, bit for bit, over shapes, flags and threads. */
class GemmTest {
    /** The canonical order written as plainly as possible: acc = 0; acc = fma(a[i,p], b[p,j], acc) for p in order. */
    private static float[] reference(float[] a, boolean transA, float[] b, boolean transB, int m, int k, int n) {
        float[] c = new float[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float acc = 0f;
                for (int p = 0; p < k; p++) {
                    float x = transA ? a[p * m + i] : a[i * k + p];
                    float y = transB ? b[j * k + p] : b[p * n + j];
                    acc = Math.fma(x, y, acc);
                }
                c[i * n + j] = acc;
            }
        }
        return c;
    }

    /** Values of mixed magnitude and sign, with some exact zeros and negative zeros to exercise signed-zero sums. */
    private static float[] random(SplittableRandom rng, int size) {
        float[] values = new float[size];
        for (int i = 0; i < size; i++) {
            int kind = rng.nextInt(16);
            values[i] = switch (kind) {
                case 0 -> 0f;
                case 1 -> -0f;
                case 2 -> (float) (rng.nextDouble() - 0.5) * 1e4f;
                default -> (float) (rng.nextDouble() - 0.5);
            };
        }
        return values;
    }

    private static void assertBitsEqual(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                throw new AssertionError(what + ": element " + i + " is " + actual[i] + " but the in-order FMA loop gives "
                        + expected[i]);
            }
        }
    }

    private static float[] vectorised(float[] a, boolean transA, float[] b, boolean transB, int m, int k, int n,
            Parallelism par) {
        float[] c = new float[m * n];
        java.util.Arrays.fill(c, Float.NaN); // every element must be written
        Gemm.multiply(a, transA, b, transB, c, m, k, n, par);
        return c;
    }

    private static List<int[]> shapes() {
        List<int[]> shapes = new ArrayList<>();
        int[] dims = {1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 64};
        for (int m : new int[] {1, 3, 4, 7, 8, 9, 14, 17, 33}) {
            for (int k : new int[] {1, 2, 5, 16, 255, 257, 300}) {
                for (int n : dims) {
                    shapes.add(new int[] {m, k, n});
                }
            }
        }
        shapes.add(new int[] {130, 2600, 97});  // three K blocks and a column tail
        shapes.add(new int[] {150, 260, 40});   // crosses row blocks (42 rows of a plain A, 140 or 144 transposed)
        shapes.add(new int[] {40, 1281, 70});   // two K blocks of 641
        shapes.add(new int[] {30, 2304, 50});   // two K blocks of 1 152
        shapes.add(new int[] {18, 2800, 45});   // a 4-row edge tile over three K blocks and a column tail
        shapes.add(new int[] {128, 300, 40});   // a 2-row edge tile (128 = 9 · 14 + 2 = 21 · 6 + 2)
        shapes.add(new int[] {250, 1400, 33});  // A too big to pack whole on one thread (plain B), fits on three
        shapes.add(new int[] {200, 1700, 40});  // the same with a transposed B, whose bound is twice as large
        shapes.add(new int[] {2, 40, 4100});    // streamed rows wider than one thread's share
        shapes.add(new int[] {9, 17, 4133});    // five column blocks
        shapes.add(new int[] {90, 1800, 1030}); // row, column and K blocks together (plain B on one thread)
        shapes.add(new int[] {300, 2600, 120}); // B packed once for all threads, sums of three K blocks in shared slots
        shapes.add(new int[] {490, 300, 1100}); // B packed once for all threads, two column blocks
        return shapes;
    }

    @Test
    void everyShapeAndFlagMatchesTheInOrderFmaLoopBitForBit() {
        SplittableRandom rng = new SplittableRandom(20240611);
        try (Parallelism three = Parallelism.of(3)) {
            for (int[] shape : shapes()) {
                int m = shape[0];
                int k = shape[1];
                int n = shape[2];
                float[] a = random(rng, m * k);
                float[] b = random(rng, k * n);
                for (int flags = 0; flags < 4; flags++) {
                    boolean transA = (flags & 1) != 0;
                    boolean transB = (flags & 2) != 0;
                    String what = "m=" + m + " k=" + k + " n=" + n + " transA=" + transA + " transB=" + transB;
                    float[] expected = reference(a, transA, b, transB, m, k, n);
                    assertBitsEqual(expected, vectorised(a, transA, b, transB, m, k, n, Parallelism.single()),
                            what + " threads=1");
                    assertBitsEqual(expected, vectorised(a, transA, b, transB, m, k, n, three), what + " threads=3");
                }
            }
        }
    }

    @Test
    void largeProductsAreIdenticalOnOneTwoAndFourThreads() {
        SplittableRandom rng = new SplittableRandom(7);
        int m = 300;
        int k = 700;
        int n = 260;
        float[] a = random(rng, m * k);
        float[] b = random(rng, k * n);
        float[] expected = reference(a, false, b, false, m, k, n);
        for (int threads : new int[] {1, 2, 4}) {
            try (Parallelism par = Parallelism.of(threads)) {
                assertBitsEqual(expected, vectorised(a, false, b, false, m, k, n, par), "threads=" + threads);
                assertBitsEqual(reference(a, true, b, true, m, k, n), vectorised(a, true, b, true, m, k, n, par),
                        "transposed, threads=" + threads);
            }
        }
    }

    @Test
    void theScalarPathMatchesTheVectorPath() {
        SplittableRandom rng = new SplittableRandom(99);
        int m = 19;
        int k = 41;
        int n = 35;
        float[] a = random(rng, m * k);
        float[] b = random(rng, k * n);
        for (int flags = 0; flags < 4; flags++) {
            boolean transA = (flags & 1) != 0;
            boolean transB = (flags & 2) != 0;
            float[] scalar = new float[m * n];
            Matmul.scalar(a, transA, b, transB, scalar, m, k, n, Parallelism.single());
            assertBitsEqual(scalar, vectorised(a, transA, b, transB, m, k, n, Parallelism.single()), "flags " + flags);
        }
    }

    /** Only one register tile runs in a given JVM (it follows the register file), so both are checked directly. */
    @Test
    void bothRegisterTilesKeepTheCanonicalOrder() {
        SplittableRandom rng = new SplittableRandom(11);
        int kc = 37;
        int ldc = Gemm.NR + 5;
        int aOff = 3;
        int bOff = 5;
        int cOff = 2;
        for (int rows : new int[] {Gemm.WIDE_ROWS, Gemm.NARROW_ROWS}) {
            float[] pa = random(rng, aOff + kc * rows);
            float[] pb = random(rng, bOff + kc * Gemm.NR);
            float[] start = random(rng, cOff + rows * ldc);
            for (boolean first : new boolean[] {true, false}) {
                float[] c = start.clone();
                if (rows == Gemm.WIDE_ROWS) {
                    Gemm.tile14(pa, aOff, pb, bOff, kc, first ? null : c, cOff, ldc, c, cOff, ldc);
                } else {
                    Gemm.tile6(pa, aOff, pb, bOff, kc, first ? null : c, cOff, ldc, c, cOff, ldc);
                }
                float[] expected = start.clone();
                for (int i = 0; i < rows; i++) {
                    for (int j = 0; j < Gemm.NR; j++) {
                        int at = cOff + i * ldc + j;
                        float acc = first ? 0f : start[at];
                        for (int p = 0; p < kc; p++) {
                            acc = Math.fma(pa[aOff + p * rows + i], pb[bOff + p * Gemm.NR + j], acc);
                        }
                        expected[at] = acc;
                    }
                }
                assertBitsEqual(expected, c, rows + "-row tile, first " + first);
            }
        }
    }

    @Test
    void anEmptyInnerDimensionGivesZeros() {
        float[] c = vectorised(new float[0], false, new float[0], false, 3, 0, 5, Parallelism.single());
        assertArrayEquals(new float[15], c);
    }

    @Test
    void aShortLastKBlockIsFoldedIntoTheOthers() {
        assertEquals(100, Gemm.kBlock(100));
        assertEquals(1024, Gemm.kBlock(1024));
        assertEquals(1025, Gemm.kBlock(1025));
        assertEquals(1152, Gemm.kBlock(1152));
        assertEquals(1280, Gemm.kBlock(1280));
        assertEquals(641, Gemm.kBlock(1281));   // a last block of 257 stays: two of 641
        assertEquals(1025, Gemm.kBlock(2049));
        assertEquals(1152, Gemm.kBlock(2304));
        assertEquals(1024, Gemm.kBlock(4096));
        assertEquals(1033, Gemm.kBlock(32000)); // 31 blocks: the last 256 are spread over the others
    }

    @Test
    void theSpeciesIsAFixedWidthNeverThePreferredAlias() {
        int bits = Gemm.SPECIES.vectorBitSize();
        assertTrue(bits == 128 || bits == 256 || bits == 512, "species width " + bits);
        assertEquals(2 * Gemm.SPECIES.length(), Gemm.NR);
    }
}
