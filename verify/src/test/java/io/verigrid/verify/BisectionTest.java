package io.verigrid.verify;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class BisectionTest {
    @Property
    void pointsAreDistinctIncreasingAndStrictlyInside(@ForAll @LongRange(min = -1_000_000, max = 1_000_000) long a,
                                                      @ForAll @LongRange(min = 1, max = 1_000_000) long n,
                                                      @ForAll @IntRange(min = 2, max = 300) int fanout) {
        long[] points = Bisection.interiorPoints(a, a + n, fanout);
        assertEquals(Math.min(fanout - 1, n - 1), points.length);
        long previous = a;
        for (long point : points) {
            assertTrue(point > previous, "increasing");
            previous = point;
        }
        assertTrue(previous < a + n || points.length == 0);
    }

    @Property
    void everySubRangeHoldsAtMostCeilOfRangeOverFanout(@ForAll @LongRange(min = 1, max = 10_000_000) long n,
                                                       @ForAll @IntRange(min = 2, max = 64) int fanout) {
        long[] points = Bisection.interiorPoints(0, n, fanout);
        long bound = (n + fanout - 1) / fanout;
        long lo = 0;
        for (int k = 0; k <= points.length; k++) {
            long hi = k < points.length ? points[k] : n;
            assertTrue(hi - lo <= bound, "sub-range " + k + " of " + n);
            lo = hi;
        }
    }

    @Property
    void repeatedPicksReachOneStepWithinCeilLogRounds(@ForAll @LongRange(min = 1, max = 5_000_000) long n,
                                                      @ForAll @IntRange(min = 2, max = 32) int fanout,
                                                      @ForAll @IntRange(min = 0, max = 1000) int choice) {
        long lo = 0;
        long hi = n;
        int rounds = 0;
        while (hi - lo > 1) {
            long[] points = Bisection.interiorPoints(lo, hi, fanout);
            int k = choice % (points.length + 1);
            long newLo = k == 0 ? lo : points[k - 1];
            long newHi = k == points.length ? hi : points[k];
            lo = newLo;
            hi = newHi;
            rounds++;
        }
        assertTrue(rounds <= Bisection.ceilLog(fanout, n), rounds + " rounds for " + n);
    }

    @Test
    void adjacentEndsHaveNoInteriorPoints() {
        assertEquals(0, Bisection.interiorPoints(7, 8, 16).length);
        assertArrayEquals(new long[] {1, 2, 3}, Bisection.interiorPoints(0, 4, 16));
        assertArrayEquals(new long[] {5, 10, 15}, Bisection.interiorPoints(0, 20, 4));
    }

    @Test
    void ceilLogCountsRounds() {
        assertEquals(0, Bisection.ceilLog(16, 1));
        assertEquals(1, Bisection.ceilLog(16, 16));
        assertEquals(2, Bisection.ceilLog(16, 17));
        assertEquals(3, Bisection.ceilLog(2, 8));
        assertEquals(4, Bisection.ceilLog(2, 9));
    }

    @Test
    void badArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Bisection.interiorPoints(3, 3, 16));
        assertThrows(IllegalArgumentException.class, () -> Bisection.interiorPoints(0, 10, 1));
        assertThrows(IllegalArgumentException.class, () -> Bisection.ceilLog(1, 10));
    }
}
