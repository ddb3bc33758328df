package io.verigrid.verify;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Detection under normal sampling: many jobs, each with one cheated unit, are checked by verifiers drawing their
 * samples with the real {@link Sampling} function from random block hashes and random verifier keys. The
 * fraction of jobs whose cheated unit someone re-executes must match {@link CheatEconomics#catchProbability}
 * — the number the job report prints — within a binomial confidence bound.
 */
class CatchRateMonteCarloTest {
    private static final int DEFAULT_PPM = 7_500; // the chain's default sampling rate (ledger Params)
    private static final int JOBS = 60_000;
    private static final double Z = 4.5; // a fixed seed cannot flake; 4.5 σ keeps a true mismatch visible

    @Test
    void oneVerifierCatchesACheatedUnitWithProbabilityP() {
        assertCatchRateMatches(DEFAULT_PPM, 1, 1);
    }

    @Test
    void severalVerifiersCatchWithOneMinusOneMinusPToTheV() {
        assertCatchRateMatches(DEFAULT_PPM, 3, 2);
        assertCatchRateMatches(50_000, 4, 3);
    }

    @Test
    void theFormulaIsPForOneVerifierAndZeroForNone() {
        assertEquals(0.01, CheatEconomics.catchProbability(0.01, 1), 1e-15);
        assertEquals(0, CheatEconomics.catchProbability(0.01, 0));
        assertEquals(1 - 0.99 * 0.99 * 0.99, CheatEconomics.catchProbability(0.01, 3), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> CheatEconomics.catchProbability(1.5, 1));
    }

    private static void assertCatchRateMatches(int ppm, int verifiers, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int caught = 0;
        for (int job = 0; job < JOBS; job++) {
            byte[] blockHash = randomBytes(random, 32);
            long jobId = random.nextLong(1, Long.MAX_VALUE);
            int units = random.nextInt(1, 200);
            int cheated = random.nextInt(1, units + 1);
            for (int v = 0; v < verifiers; v++) {
                if (Sampling.sampled(blockHash, jobId, randomBytes(random, 32), cheated, ppm)) {
                    caught++;
                    break;
                }
            }
        }
        double q = CheatEconomics.catchProbability(ppm / (double) Sampling.PPM, verifiers);
        double sigma = Math.sqrt(JOBS * q * (1 - q));
        assertTrue(Math.abs(caught - JOBS * q) <= Z * sigma, "p = " + ppm + " ppm, " + verifiers + " verifier(s): caught "
                + caught + " of " + JOBS + ", the formula says " + JOBS * q + " ± " + Z * sigma);
    }

    private static byte[] randomBytes(SplittableRandom random, int n) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        return bytes;
    }
}
