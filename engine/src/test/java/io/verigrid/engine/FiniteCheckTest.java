package io.verigrid.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Ops.execute's input scan: branch-free, exact at every boundary value, and remembered per immutable tensor. */
class FiniteCheckTest {
    @Test
    void theScanSeparatesFiniteFromInfiniteAndNanAtEveryBoundary() {
        float[] finite = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE, 1f};
        assertTrue(Ops.allFinite(finite));
        assertTrue(Ops.allFinite(new float[0]));
        for (float bad : new float[] {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
                Float.intBitsToFloat(0x7fc00001), Float.intBitsToFloat(0xffffffff)}) {
            float[] values = new float[5000];
            values[4321] = bad;
            assertFalse(Ops.allFinite(values), "finds " + bad);
        }
    }

    @Test
    void aLargeNonFiniteInputIsRejectedWithItsIndexAndAFiniteOneIsAccepted() {
        float[] values = new float[8192];
        values[7000] = Float.NaN;
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> Ops.execute("relu",
                new long[0], List.of(Tensor.of(new int[] {8192}, values)), Parallelism.single()));
        assertTrue(error.getMessage().contains("input 0 element 7000 is not finite"), error.getMessage());
        Tensor ones = Tensor.of(new int[] {8192}, new float[8192]);
        assertEquals(8192, Ops.execute("relu", new long[0], List.of(ones), Parallelism.single()).size());
        assertEquals(8192, Ops.execute("relu", new long[0], List.of(ones), Parallelism.single()).size());
    }

    @Test
    void theLaneAndSplitScansFindABadValueAnywhereInALongArray() {
        int n = (1 << 19) + 13;
        try (Parallelism three = Parallelism.of(3)) {
            for (int at : new int[] {0, 15, 16, 4321, n / 3, n / 2 + 1, n - 14, n - 1}) {
                float[] values = new float[n];
                values[at] = at % 2 == 0 ? Float.NaN : Float.NEGATIVE_INFINITY;
                assertFalse(Ops.allFinite(values), "finds element " + at);
                assertFalse(Ops.allFinite(values, three), "three threads find element " + at);
                assertFalse(Ops.allFinite(values, at, at + 1), "finds element " + at + " alone");
                values[at] = -Float.MAX_VALUE;
                assertTrue(Ops.allFinite(values, three), "accepts " + at);
            }
        }
    }
}
