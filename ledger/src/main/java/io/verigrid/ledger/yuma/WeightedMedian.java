package io.verigrid.ledger.yuma;

/**
 * Stake-weighted median consensus (spec §5): per column, the largest weight that validators holding at
 * least κ of the active stake gave to that column. A mid-pivot partition search over the voters in UID
 * order; the pivot rule and the stake comparisons are the chain's, so ties resolve exactly as on chain.
 */
final class WeightedMedian {
    private WeightedMedian() {}

    /**
     * Consensus per column. Voters are the UIDs with positive {@code activeStake}, their stakes normalised
     * again; {@code minority = Σ stake − kappa}.
     */
    static long[] columns(long[] activeStake, SparseRow[] weights, int n, long kappa) {
        int voters = 0;
        for (long s : activeStake) if (s > 0) voters++;
        long[] stake = new long[voters];
        int[] voterOfUid = new int[activeStake.length];
        int k = 0;
        for (int i = 0; i < activeStake.length; i++) {
            voterOfUid[i] = -1;
            if (activeStake[i] > 0) {
                voterOfUid[i] = k;
                stake[k++] = activeStake[i];
            }
        }
        stake = YumaMath.normalize(stake);
        long stakeSum = 0;
        for (long s : stake) stakeSum += s;
        long minority = I32F32.sub(stakeSum, kappa);

        // Column-major scores of the voters: score[j][k] = W_{voter k, j} (0 where absent).
        long[][] score = new long[n][];
        for (int i = 0; i < weights.length; i++) {
            int voter = voterOfUid[i];
            if (voter < 0) continue;
            SparseRow row = weights[i];
            for (int e = 0; e < row.size(); e++) {
                int j = row.columns()[e];
                if (score[j] == null) score[j] = new long[voters];
                score[j][voter] = row.values()[e];
            }
        }
        long[] zeros = new long[voters];
        Partition scratch = new Partition(voters);
        long[] median = new long[n];
        for (int j = 0; j < n; j++) {
            median[j] = median(stake, score[j] == null ? zeros : score[j], minority, 0, stakeSum, scratch);
        }
        return median;
    }

    /** Index buffers reused across columns. */
    static final class Partition {
        final int[] current;
        final int[] lower;
        final int[] upper;

        Partition(int size) {
            current = new int[size];
            lower = new int[size];
            upper = new int[size];
        }
    }

    /** {@code weighted_median} over all entries of {@code score}, partition edges {@code [lo, hi]}. */
    static long median(long[] stake, long[] score, long minority, long lo, long hi, Partition p) {
        int size = score.length;
        int[] current = p.current;
        for (int k = 0; k < size; k++) current[k] = k;
        int iterations = 0;
        while (true) {
            if (size == 0) return 0;
            if (size == 1) return score[current[0]];
            long pivot = score[current[size / 2]];
            long loStake = 0;
            long hiStake = 0;
            int lowerSize = 0;
            int upperSize = 0;
            for (int e = 0; e < size; e++) {
                int idx = current[e];
                long x = score[idx];
                if (x == pivot) continue;
                if (x < pivot) {
                    loStake = I32F32.add(loStake, stake[idx]);
                    p.lower[lowerSize++] = idx;
                } else {
                    hiStake = I32F32.add(hiStake, stake[idx]);
                    p.upper[upperSize++] = idx;
                }
            }
            if (minority < I32F32.add(lo, loStake) && lowerSize > 0) {
                System.arraycopy(p.lower, 0, current, 0, lowerSize);
                size = lowerSize;
                hi = I32F32.add(lo, loStake);
            } else if (I32F32.sub(hi, hiStake) <= minority && upperSize > 0) {
                System.arraycopy(p.upper, 0, current, 0, upperSize);
                size = upperSize;
                lo = I32F32.sub(hi, hiStake);
            } else {
                return pivot;
            }
            iterations++;
            if (iterations > score.length) return 0;
        }
    }
}
