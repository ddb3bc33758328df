package io.verigrid.ledger.yuma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/** The properties of spec §6 over random small epochs. */
class YumaPropertiesTest {

    private static void assertNormalised(String name, long[] x) {
        long sum = YumaMath.sum(x);
        long n = x.length;
        assertTrue(sum == 0 || (sum <= I32F32.ONE && sum >= I32F32.ONE - n), name + " sums to " + sum);
    }

    @Property(tries = 400)
    void normalisedVectorsSumToZeroOrOneWithinTruncation(@ForAll long seed) {
        YumaOutput out = YumaEpoch.run(RandomEpochs.of(seed));
        assertNormalised("incentive", out.incentive());
        assertNormalised("dividends", out.dividends());
        assertNormalised("stake", out.stakeNormalized());
        assertNormalised("active stake", out.activeStake());
    }

    @Property(tries = 400)
    void validatorTrustLiesInTheUnitInterval(@ForAll long seed) {
        for (long t : YumaEpoch.run(RandomEpochs.of(seed)).validatorTrust()) {
            assertTrue(t >= 0 && t <= I32F32.ONE, "trust " + t);
        }
    }

    @Property(tries = 400)
    void consensusNeverExceedsTheLargestNormalisedWeight(@ForAll long seed) {
        YumaOutput out = YumaEpoch.run(RandomEpochs.of(seed));
        for (long c : out.consensus()) assertTrue(c >= 0 && c <= I32F32.ONE, "consensus " + c);
    }

    @Property(tries = 400)
    void emissionIsConservedUpToTruncation(@ForAll long seed) {
        YumaInput in = RandomEpochs.of(seed);
        YumaOutput out = YumaEpoch.run(in);
        long emitted = YumaMath.sum(out.serverEmission()) + YumaMath.sum(out.validatorEmission());
        long rao = in.raoEmission();
        assertTrue(emitted <= rao, "emitted " + emitted + " of " + rao);
        boolean anyStake = YumaMath.sum(out.stakeNormalized()) != 0;
        if (anyStake) {
            long n = in.n();
            double bound = 2.0 * n * (1 + rao / 4294967296.0);
            assertTrue(rao - emitted <= bound, "deficit " + (rao - emitted) + " above " + bound);
        } else {
            assertEquals(0, emitted);
        }
        assertTrue(YumaMath.sum(out.combinedEmission()) <= rao);
    }

    @Property(tries = 400)
    void storedBondsAreMaxUpscaledAndOnlyKeptForNewPermits(@ForAll long seed) {
        YumaInput in = RandomEpochs.of(seed);
        YumaOutput out = YumaEpoch.run(in);
        int n = in.n();
        for (int i = 0; i < n; i++) {
            if (!out.newValidatorPermits()[i]) assertEquals(0, out.bondsU16().get(i).size(), "bond row of " + i);
        }
        for (int j = 0; j < n; j++) {
            long max = 0;
            int argmax = -1;
            for (int i = 0; i < n; i++) {
                long v = out.emaBonds().get(i).get(j);
                if (v > max) {
                    max = v;
                    argmax = i;
                }
            }
            if (argmax >= 0 && out.newValidatorPermits()[argmax]) {
                assertEquals(65535, out.bondsU16().get(argmax).get(j), "column " + j + " maximum");
            }
            for (int i = 0; i < n; i++) assertTrue(out.bondsU16().get(i).get(j) <= 65535);
        }
    }

    @Property(tries = 300)
    void theEpochIsDeterministicAndItsJsonRoundTrips(@ForAll long seed) {
        YumaInput in = RandomEpochs.of(seed);
        String first = YumaJson.writeOutput(YumaEpoch.run(in));
        String again = YumaJson.writeOutput(YumaEpoch.run(YumaJson.readInput(YumaJsonTest.toJson(in))));
        assertEquals(first, again);
    }

    /**
     * A coalition holding less than κ of the active stake that alone weights a server cannot give it
     * consensus or incentive, and with β = 1 earns no dividends for that vote.
     */
    @Property(tries = 300)
    void aMinorityCoalitionCannotCreateIncentive(@ForAll long seed) {
        Random r = new Random(seed);
        int honest = 1 + r.nextInt(5);
        int colluders = 1 + r.nextInt(5);
        int servers = 2 + r.nextInt(4);
        int n = honest + colluders + servers + 1;
        int target = n - 1; // the colluders' server
        long[] stake = new long[n];
        long honestTotal = 0;
        for (int i = 0; i < honest; i++) honestTotal += stake[i] = 1_000 + r.nextInt(1_000_000);
        // colluders together hold at most 48 % of all validator stake
        long colludeBudget = honestTotal * 48 / 52;
        for (int c = 0; c < colluders; c++) stake[honest + c] = Math.max(1, colludeBudget / colluders - r.nextInt(10));
        YumaInput.Builder b = YumaInput.builder(n).currentBlock(100).tempo(10).activityCutoff(5000)
                .stake(stake).raoEmission(1_000_000_000L);
        for (int i = 0; i < honest + colluders; i++) {
            b.validatorPermitOf(i, true).lastUpdateOf(i, 99);
        }
        for (int i = 0; i < honest; i++) {
            long[] pairs = new long[2 * servers];
            for (int s = 0; s < servers; s++) {
                pairs[2 * s] = honest + colluders + s;
                pairs[2 * s + 1] = 1 + r.nextInt(65535);
            }
            b.weightsOf(i, SparseRow.of(pairs));
        }
        for (int c = 0; c < colluders; c++) b.weightsOf(honest + c, SparseRow.of(target, 65535));
        YumaOutput out = YumaEpoch.run(b.build());
        assertEquals(0, out.consensus()[target]);
        assertEquals(0, out.incentive()[target]);
        assertEquals(0, out.serverEmission()[target]);
        for (int c = 0; c < colluders; c++) {
            assertEquals(0, out.dividends()[honest + c]);
            assertEquals(0, out.validatorTrust()[honest + c]);
        }
    }

    @Property(tries = 200)
    void multiEpochRunsCarryBondsAndPermits(@ForAll long seed) {
        YumaInput in = RandomEpochs.of(seed);
        List<YumaOutput> outs = YumaEpochs.run(in, 3);
        YumaInput second = YumaEpochs.carryOver(in, outs.get(0));
        assertEquals(YumaJson.writeOutput(outs.get(1)), YumaJson.writeOutput(YumaEpoch.run(second)));
    }
}
