package io.verigrid.ledger.yuma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The optional Yuma3 variant (spec §7.2, §7.3) on subtensor's {@code test_yuma_3_*} scenarios, whose
 * dividends the chain's tests check to within 1e-3.
 */
class Yuma3Test {
    static final long RAO = 1_000_000_000L;

    /** setup_yuma_3_scenario: 3 validators and 2 servers, tempo 1, β = 0, bma 975 000, α in [0.1, 0.3]. */
    static SubnetSim setup(long... stakes) {
        SubnetSim net = new SubnetSim(1, 1);
        for (long s : stakes) net.register(s);
        net.bondsPenalty = 0;
        net.bondsMovingAverage = 975_000;
        net.liquidAlpha = true;
        net.alphaLow = 6553; // set_alpha_values_32(0.1, 0.3) stores floor(x·65535)
        net.alphaHigh = 19660;
        net.yuma3 = true;
        net.maxAllowedValidators = 3;
        runEpoch(net);
        return net;
    }

    static YumaOutput runEpoch(SubnetSim net) {
        net.nextBlock();
        return net.epoch(RAO);
    }

    static void setWeights(SubnetSim net, int[][] rows) {
        for (int uid = 0; uid < rows.length; uid++) net.setWeights(uid, new int[] {3, 4}, rows[uid]);
    }

    static void assertDividends(YumaOutput out, double... expected) {
        for (int i = 0; i < expected.length; i++) {
            double actual = out.dividendsU16()[i] / 65535.0;
            assertTrue(Math.abs(actual - expected[i]) <= 1e-3, "dividend of " + i + ": " + actual + " expected " + expected[i]);
        }
    }

    private static final int M = 65535;

    @Test
    void kappaMovesFirst() {
        SubnetSim net = setup(8, 1, 1, 0, 0);
        double[][] dividends = {
                {0.8000, 0.1000, 0.1000, 0, 0}, {1.0000, 0, 0, 0, 0}, {0.9382, 0.0618, 0, 0, 0},
                {0.8819, 0.0773, 0.0407, 0, 0}, {0.8564, 0.0844, 0.0592, 0, 0}, {0.8418, 0.0884, 0.0697, 0, 0}};
        for (int epoch = 0; epoch < dividends.length; epoch++) {
            switch (epoch) {
                case 0 -> setWeights(net, new int[][] {{M, 0}, {M, 0}, {M, 0}});
                case 1 -> setWeights(net, new int[][] {{0, M}, {M, 0}, {M, 0}});
                case 2 -> setWeights(net, new int[][] {{0, M}, {0, M}, {M, 0}});
                case 3 -> setWeights(net, new int[][] {{0, M}, {0, M}, {0, M}});
                default -> { }
            }
            assertDividends(runEpoch(net), dividends[epoch]);
        }
    }

    @Test
    void liquidAlphaDisabledUsesTheFixedAlpha() {
        SubnetSim net = setup(33, 33, 34, 0, 0);
        net.liquidAlpha = false;
        double[][] dividends = {
                {0.3300, 0.3300, 0.3400, 0, 0}, {0.3300, 0.3300, 0.3400, 0, 0}, {0.3734, 0.3734, 0.2532, 0, 0},
                {0.3611, 0.3611, 0.2779, 0, 0}, {0.3541, 0.3541, 0.2919, 0, 0}, {0.3495, 0.3495, 0.3009, 0, 0}};
        for (int epoch = 0; epoch < dividends.length; epoch++) {
            if (epoch == 2) setWeights(net, new int[][] {{M, 0}, {M, 0}, {0, M}});
            else setWeights(net, new int[][] {{M, 0}, {M, 0}, {M, 0}});
            YumaOutput out = runEpoch(net);
            assertDividends(out, dividends[epoch]);
            if (epoch == 0) {
                // absolute bonds: α·W with α = 0.025 and W = 1, stored as floor(x·65535)
                assertEquals(1638, net.bond(0, 3));
            }
        }
    }

    @Test
    void theLibraryExponentialMatchesItsKnownValues() {
        assertEquals(I32F32.ONE, Yuma3Bonds.exp(0));
        assertEquals(22802600L << 9, Yuma3Bonds.exp(I32F32.ONE));
        double e2 = Yuma3Bonds.exp(2 * I32F32.ONE) / 4294967296.0;
        assertTrue(Math.abs(e2 - StrictMath.exp(2)) < 1e-8, "exp(2) = " + e2);
        double eMinus5 = Yuma3Bonds.exp(-5 * I32F32.ONE) / 4294967296.0;
        assertTrue(Math.abs(eMinus5 - StrictMath.exp(-5)) < 1e-8, "exp(-5) = " + eMinus5);
        assertEquals(Yuma3Bonds.exp(20 * I32F32.ONE), Yuma3Bonds.expSafe(25 * I32F32.ONE));
    }
}
