package io.verigrid.engine.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Every tile of the decoding kernel against the canonical scalar chain {@code acc = 0; acc = fma(a[i,p], w[p,j], acc)}.
 * A JVM runs either the 4 × 4 or the 4 × 2 tile for whole row groups (it follows the register file), so each tile
 * is also called directly; the last panel is ragged so the masked store is covered too.
 */
class PanelKernelTest {
    private static final int L = PanelKernel.LANES;
    private static final int K = 29;
    private static final int PANELS = 6;
    /** Columns: the last panel holds three valid lanes. */
    private static final int N = (PANELS - 1) * L + 3;
    private static final int LDC = N + 7;
    private static final int C_OFF = 5;

    private final SplittableRandom rng = new SplittableRandom(41);
    private final float[] a = random(7 * K);
    private final float[] w = random(PANELS * K * L);

    @Test
    void everyTileKeepsTheCanonicalOrder() {
        for (int rows : new int[] {1, 4}) {
            for (int q = 0; q + 4 <= PANELS; q++) {
                float[] c = new float[C_OFF + 7 * LDC];
                if (rows == 1) {
                    PanelKernel.tile1x4(a, 2 * K, K, w, q, N, c, C_OFF);
                } else {
                    PanelKernel.tile4x4(a, 2 * K, K, w, q, N, c, C_OFF, LDC);
                }
                assertTile(c, 2, rows, q, 4, "tile " + rows + "x4 at panel " + q);
            }
        }
        for (int q = 0; q + 2 <= PANELS; q++) {
            float[] c = new float[C_OFF + 7 * LDC];
            PanelKernel.tile4x2(a, K, K, w, q, N, c, C_OFF, LDC);
            assertTile(c, 1, 4, q, 2, "tile 4x2 at panel " + q);
        }
        for (int q = 0; q < PANELS; q++) {
            float[] c = new float[C_OFF + 7 * LDC];
            PanelKernel.tile1x1(a, 3 * K, K, w, q, N, c, C_OFF);
            assertTile(c, 3, 1, q, 1, "tile 1x1 at panel " + q);
        }
    }

    @Test
    void wholeProductsWithRaggedRowsAndPanelsKeepTheCanonicalOrder() {
        for (int m = 1; m <= 7; m++) {
            float[] c = new float[C_OFF + m * LDC];
            PanelKernel.multiply(a, m, K, w, N, c, C_OFF, LDC, 0, PANELS);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < N; j++) {
                    assertEquals(Float.floatToRawIntBits(expected(i, j)), Float.floatToRawIntBits(c[C_OFF + i * LDC + j]),
                            m + " rows, output (" + i + ", " + j + ")");
                }
            }
        }
    }

    /** Rows {@code [0, rows)} of the tile hold rows {@code firstRow…} of A; nothing outside the valid lanes is written. */
    private void assertTile(float[] c, int firstRow, int rows, int q, int panels, String what) {
        for (int r = 0; r < 7; r++) {
            for (int j = 0; j < LDC; j++) {
                boolean inTile = r < rows && j >= q * L && j < Math.min(N, (q + panels) * L);
                float want = inTile ? expected(firstRow + r, j) : 0f;
                assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(c[C_OFF + r * LDC + j]),
                        what + ", row " + r + ", column " + j);
            }
        }
    }

    private float expected(int i, int j) {
        int base = (j / L) * K * L + j % L;
        float acc = 0f;
        for (int p = 0; p < K; p++) {
            acc = Math.fma(a[i * K + p], w[base + p * L], acc);
        }
        return acc;
    }

    private float[] random(int size) {
        float[] values = new float[size];
        for (int i = 0; i < size; i++) {
            values[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        return values;
    }
}
