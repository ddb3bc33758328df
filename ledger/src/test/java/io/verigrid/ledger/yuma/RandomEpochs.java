package io.verigrid.ledger.yuma;

import java.util.Random;

/** Random small epochs for the property tests, reproducible from a seed. */
final class RandomEpochs {
    private RandomEpochs() {}

    static YumaInput of(long seed) {
        Random r = new Random(seed);
        int n = 2 + r.nextInt(11);
        long block = 100 + r.nextInt(50);
        YumaInput.Builder b = YumaInput.builder(n)
                .currentBlock(block).tempo(10).activityCutoff(20 + r.nextInt(40))
                .lastMechanismStepBlock(r.nextBoolean() ? 0 : block - 1 - r.nextInt(10))
                .maxAllowedValidators(1 + r.nextInt(n + 2))
                .stakeThreshold(r.nextInt(4) == 0 ? r.nextInt(1000) : 0)
                .raoEmission(r.nextBoolean() ? 1_000_000_000L : (long) (r.nextDouble() * 1e15))
                .kappa(r.nextInt(4) == 0 ? 1 + r.nextInt(65535) : YumaInput.DEFAULT_KAPPA)
                .bondsPenalty(r.nextInt(3) == 0 ? r.nextInt(65536) : YumaInput.DEFAULT_BONDS_PENALTY)
                .bondsMovingAverage(r.nextInt(3) == 0 ? r.nextInt(1_000_001) : YumaInput.DEFAULT_BONDS_MOVING_AVERAGE);
        if (r.nextInt(3) == 0) b.ownerUid(r.nextInt(n));
        for (int i = 0; i < n; i++) {
            b.stakeOf(i, r.nextInt(3) == 0 ? 0 : 1 + (long) (r.nextDouble() * 1e12));
            b.validatorPermitOf(i, r.nextInt(3) != 0);
            b.lastUpdateOf(i, block - r.nextInt(80));
            b.blockAtRegistrationOf(i, r.nextInt(5) == 0 ? block - r.nextInt(10) : r.nextInt(50));
            b.weightsOf(i, randomRow(r, n));
            b.bondsOf(i, randomRow(r, n));
        }
        return b.build();
    }

    private static SparseRow randomRow(Random r, int n) {
        if (r.nextInt(4) == 0) return SparseRow.EMPTY;
        int size = r.nextInt(n + 1);
        long[] pairs = new long[2 * size];
        int k = 0;
        for (int j = 0; j < n && k < size; j++) {
            if (r.nextInt(n) < size) {
                pairs[2 * k] = j;
                pairs[2 * k + 1] = r.nextInt(6) == 0 ? 0 : r.nextInt(65536);
                k++;
            }
        }
        return SparseRow.of(java.util.Arrays.copyOf(pairs, 2 * k));
    }
}
