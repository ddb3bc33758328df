package io.verigrid.verify;

/** Integer arithmetic of the bisection: where the points of one round fall, and how many rounds a range needs. */
public final class Bisection {
    private Bisection() {}

    /**
     * Up to {@code fanout − 1} distinct points strictly inside (a, b), evenly spaced with floor division:
     * with n = b − a and m = min(fanout − 1, n − 1) points, point i (1..m) is a + ⌊i·n / (m + 1)⌋. Empty when
     * b == a + 1. Every sub-range between neighbouring points (and a, b) then holds at most ⌈n / fanout⌉ steps.
     */
    public static long[] interiorPoints(long a, long b, int fanout) {
        if (fanout < 2) throw new IllegalArgumentException("fanout: must be at least 2, got " + fanout);
        if (b <= a) throw new IllegalArgumentException("range: b must exceed a, got a=" + a + " b=" + b);
        long n = Math.subtractExact(b, a);
        int m = (int) Math.min(fanout - 1L, n - 1);
        long parts = m + 1L;
        long whole = n / parts;
        long rest = n % parts; // < parts <= fanout, so rest * i cannot overflow
        long[] points = new long[m];
        for (int i = 1; i <= m; i++) points[i - 1] = a + whole * i + rest * i / parts;
        return points;
    }

    /** The smallest r with fanout^r ≥ n: the rounds a range of n elements needs (0 when n ≤ 1). */
    public static int ceilLog(int fanout, long n) {
        if (fanout < 2) throw new IllegalArgumentException("fanout: must be at least 2, got " + fanout);
        if (n < 0) throw new IllegalArgumentException("n: must be non-negative, got " + n);
        int rounds = 0;
        long covered = 1;
        while (covered < n) {
            covered = covered > Long.MAX_VALUE / fanout ? Long.MAX_VALUE : covered * fanout;
            rounds++;
        }
        return rounds;
    }
}
