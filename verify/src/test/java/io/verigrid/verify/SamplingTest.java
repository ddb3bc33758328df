package io.verigrid.verify;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class SamplingTest {
    private static final byte[] SEED = Hashes.sha256("block 1200".getBytes());
    private static final byte[] VERIFIER = Hashes.sha256("verifier key".getBytes());

    @Test
    void sampledFrequencyMatchesTheRateWithinFiveStandardDeviations() {
        int units = 40_000;
        int[] rates = {10_000, 100_000, 500_000};
        for (int ppm : rates) {
            int hits = Sampling.sample(SEED, 42, VERIFIER, units, ppm).size();
            double p = ppm / 1e6;
            double expected = units * p;
            double sigma = Math.sqrt(units * p * (1 - p));
            assertTrue(Math.abs(hits - expected) <= 5 * sigma,
                    "ppm " + ppm + ": " + hits + " hits, expected " + expected + " ± " + 5 * sigma);
        }
    }

    @Test
    void zeroAndFullRatesAreExact() {
        assertEquals(List.of(), Sampling.sample(SEED, 1, VERIFIER, 500, 0));
        assertEquals(500, Sampling.sample(SEED, 1, VERIFIER, 500, Sampling.PPM).size());
    }

    @Test
    void theDrawDependsOnSeedJobAndVerifier() {
        List<Integer> base = Sampling.sample(SEED, 7, VERIFIER, 2000, 200_000);
        assertEquals(base, Sampling.sample(SEED, 7, VERIFIER, 2000, 200_000), "deterministic");
        assertNotEquals(base, Sampling.sample(Hashes.sha256(SEED), 7, VERIFIER, 2000, 200_000));
        assertNotEquals(base, Sampling.sample(SEED, 8, VERIFIER, 2000, 200_000));
        assertNotEquals(base, Sampling.sample(SEED, 7, Hashes.sha256(VERIFIER), 2000, 200_000));
    }

    @Test
    void badRatesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Sampling.sampled(SEED, 1, VERIFIER, 1, -1));
        assertThrows(IllegalArgumentException.class, () -> Sampling.sampled(SEED, 1, VERIFIER, 1, 1_000_001));
        assertThrows(IllegalArgumentException.class, () -> Sampling.sampled(null, 1, VERIFIER, 1, 10));
    }

    @Test
    void cheatingLosesExactlyAboveTheMinimumRate() {
        long slash = 1_000_000_000L;
        long reward = 50_000_000L;
        long gain = 40_000_000L;
        double collusion = 0.2;
        int ppm = CheatEconomics.minimumPpm(slash, reward, gain, collusion);
        assertTrue(new CheatEconomics(ppm / 1e6, slash, reward, gain, collusion).cheatingLoses());
        assertFalse(new CheatEconomics((ppm - 1) / 1e6, slash, reward, gain, collusion).cheatingLoses());
        // p·(1 − r)·(S + R) = C  ⇒  p = 0.04 / (0.8 · 1.05) ≈ 0.047619
        assertEquals(47_620, ppm);
    }

    @Test
    void marginIsExpectedLossMinusGain() {
        CheatEconomics economics = new CheatEconomics(0.1, 1000, 200, 50, 0.25);
        assertEquals(0.1 * 0.75 * 1200, economics.expectedLoss(), 1e-9);
        assertEquals(90 - 50, economics.margin(), 1e-9);
        assertTrue(economics.cheatingLoses());
    }

    @Test
    void hopelessEconomicsAreReported() {
        assertThrows(IllegalArgumentException.class, () -> CheatEconomics.minimumPpm(10, 0, 100, 0));
        assertThrows(IllegalArgumentException.class, () -> new CheatEconomics(1.5, 1, 1, 1, 0));
    }

    @Test
    void theSecuringRateIsTheLeastPAtWhichSkippingAUnitLoses() {
        long token = 1_000_000_000L;
        // S = 50, C = R = 0.25 token: p·50.25 > 0.25 first holds at 4976 ppm
        assertEquals(4976, Sampling.securingPpm(50 * token, token / 4));
        assertFalse(4975L * (50 * token + token / 4) > token / 4 * Sampling.PPM);
        assertEquals(166_667, Sampling.securingPpm(50 * token, 10 * token));
        assertEquals(Sampling.PPM + 1, Sampling.securingPpm(0, token), "no slash: no rate secures a unit");
        assertEquals(0, Sampling.securingPpm(0, 0));
        assertEquals(1, Sampling.securingPpm(token, 0));
        assertThrows(IllegalArgumentException.class, () -> Sampling.securingPpm(-1, 0));
    }
}
