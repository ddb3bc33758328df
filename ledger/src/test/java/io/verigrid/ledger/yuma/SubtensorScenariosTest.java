package io.verigrid.ledger.yuma;

import static io.verigrid.ledger.yuma.SubnetSim.range;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The scenarios of subtensor's {@code tests/epoch.rs} and {@code tests/epoch_logs.rs} (spec §11), replayed
 * on {@link SubnetSim} with the values those tests assert.
 */
class SubtensorScenariosTest {
    static final long RAO = 1_000_000_000L;

    @Test
    void tenSelfWeightingNodesFallBackToStakeAndEachGet99999999Rao() {
        // test_10_graph: no permits yet, so every weight is masked and emission follows stake 1/10 each
        SubnetSim net = new SubnetSim(1, 65534);
        for (int i = 0; i < 10; i++) net.append(1, 0);
        for (int i = 0; i < 10; i++) net.setWeights(i, new int[] {i}, new int[] {65535});
        YumaOutput out = net.epoch(RAO);
        for (int i = 0; i < 10; i++) {
            assertEquals(0, out.consensusU16()[i]);
            assertEquals(0, out.incentiveU16()[i]);
            assertEquals(0, out.dividendsU16()[i]);
            assertEquals(99_999_999L, out.combinedEmission()[i]);
        }
    }

    @Test
    void aSingleSelfWeightingNodeEarnsNoConsensusIncentiveOrDividends() {
        // test_1_graph
        SubnetSim net = new SubnetSim(1, 65534);
        net.register(1_000_000_000L);
        net.setWeights(0, new int[] {0}, new int[] {65535});
        YumaOutput out = net.epoch(RAO);
        assertEquals(0, out.consensusU16()[0]);
        assertEquals(0, out.incentiveU16()[0]);
        assertEquals(0, out.dividendsU16()[0]);
        assertEquals(RAO, out.combinedEmission()[0]);
    }

    /** init_run_epochs of epoch.rs: register, one epoch for permits, validators weight all servers, run epochs. */
    static YumaOutput runGraph(SubnetSim net, int[] validators, int[] servers, int epochs, long stakePerValidator, boolean serverSelf) {
        int n = validators.length + servers.length;
        List<Integer> validatorList = new ArrayList<>();
        for (int v : validators) validatorList.add(v);
        for (int key = 0; key < n; key++) net.append(validatorList.contains(key) ? stakePerValidator : 0, 0);
        net.maxAllowedValidators = validators.length;
        net.epoch(RAO);
        int[] equal = new int[servers.length];
        java.util.Arrays.fill(equal, 65535 / n);
        for (int v : validators) net.setWeights(v, servers, equal);
        if (serverSelf) for (int s : servers) net.setWeights(s, new int[] {s}, new int[] {65535});
        YumaOutput out = null;
        for (int e = 0; e < epochs; e++) out = net.epoch(RAO);
        return out;
    }

    @Test
    void the512GraphSplitsHalfToServersAndHalfToValidators() {
        // test_512_graph: 64 validators with equal stake weight 448 servers equally, blockwise and interleaved
        for (int interleave = 0; interleave < 2; interleave++) {
            for (boolean serverSelf : new boolean[] {false, true}) {
                List<Integer> v = new ArrayList<>();
                List<Integer> s = new ArrayList<>();
                for (int uid = 0; uid < 512; uid++) {
                    boolean isValidator = interleave == 0 ? uid < 64 : uid % (512 / 64) == 0;
                    (isValidator ? v : s).add(uid);
                }
                int[] validators = v.stream().mapToInt(Integer::intValue).toArray();
                int[] servers = s.stream().mapToInt(Integer::intValue).toArray();
                SubnetSim net = new SubnetSim(1, 65534);
                YumaOutput out = runGraph(net, validators, servers, 3, 328_125_000_000_000L, serverSelf);
                for (int uid : validators) {
                    assertEquals(0, out.consensusU16()[uid]);
                    assertEquals(0, out.incentiveU16()[uid]);
                    assertEquals(1023, out.dividendsU16()[uid]);
                    assertEquals(7_812_500L, out.combinedEmission()[uid]);
                    assertEquals(65534, out.validatorTrustU16()[uid]);
                    assertEquals(0, net.bond(uid, validators[0]));
                    assertEquals(65535, net.bond(uid, servers[0]));
                }
                for (int uid : servers) {
                    assertEquals(146, out.consensusU16()[uid]);
                    assertEquals(146, out.incentiveU16()[uid]);
                    assertEquals(0, out.dividendsU16()[uid]);
                    assertEquals(1_116_071L, out.combinedEmission()[uid]);
                    assertEquals(0, net.bond(uid, validators[0]));
                    assertEquals(0, net.bond(uid, servers[0]));
                }
            }
        }
    }

    @Test
    void bondsFollowTheEmaAcrossNineEpochs() {
        // test_bonds: stakes 1..4 on validators 0..3, servers 4..7, tempo 1
        SubnetSim net = new SubnetSim(1, 1);
        long[] stakes = {1, 2, 3, 4, 0, 0, 0, 0};
        for (long s : stakes) net.register(s);
        net.maxAllowedValidators = 8;
        net.epoch(RAO);
        net.nextBlock();
        int[] servers = range(4, 8);
        for (int uid = 0; uid < 4; uid++) net.setWeights(uid, servers, new int[] {65535 / 4, 65535 / 2, (65535 / 4) * 3, 65535});
        YumaOutput out = net.epoch(RAO);
        assertBondColumn(net, 4, 16383, 32767, 49151, 65535);
        // the trace in epoch.rs quotes this epoch's emission
        assertArrayEquals(new long[] {49999998, 99999999, 150000000, 200000001, 49998779, 100000610, 149996337, 200004272},
                out.combinedEmission());

        net.setWeights(0, new int[] {0}, new int[] {65535});
        net.nextBlock();
        out = net.epoch(RAO);
        assertBondColumn(net, 4, 14582, 32767, 49151, 65535);
        assertArrayEquals(new long[] {44998351, 101110561, 151667215, 202223870, 49998779, 100000610, 149996337, 200004272},
                out.combinedEmission());

        net.setWeights(1, new int[] {1}, new int[] {65535});
        net.nextBlock();
        out = net.epoch(RAO);
        assertBondColumn(net, 4, 12603, 28321, 49151, 65535);
        assertArrayEquals(new long[] {40496805, 90999783, 157929636, 210573773, 49998779, 100000610, 149996337, 200004272},
                out.combinedEmission());

        // Only validator 3 (40 % < κ) still weights the servers: consensus collapses, bonds only drift by rounding.
        net.setWeights(2, new int[] {2}, new int[] {65535});
        net.nextBlock();
        out = net.epoch(RAO);
        assertBondColumn(net, 7, 12602, 28320, 49150, 65535);
        assertArrayEquals(new long[] {99999999, 199999999, 299999999, 399999999, 0, 0, 0, 0}, out.combinedEmission());

        net.setWeights(2, new int[] {7}, new int[] {65535});
        net.nextBlock();
        out = net.epoch(RAO);
        assertBondColumn(net, 7, 10951, 24609, 49150, 65535);
        assertArrayEquals(new long[] {36443733, 81898628, 163565493, 218092144, 0, 0, 0, 500000000}, out.combinedEmission());

        net.nextBlock();
        out = net.epoch(RAO);
        assertBondColumn(net, 7, 9559, 21482, 49150, 65535);
        assertArrayEquals(new long[] {32799427, 73706612, 168638129, 224855830, 0, 0, 0, 500000000}, out.combinedEmission());

        net.nextBlock();
        out = net.epoch(RAO);
        assertBondColumn(net, 7, 8376, 18824, 49150, 65535);
        assertArrayEquals(new long[] {29518068, 66336137, 173203134, 230942659, 0, 0, 0, 500000000}, out.combinedEmission());

        net.nextBlock();
        out = net.epoch(RAO);
        assertArrayEquals(new long[] {26565175, 59701871, 177311856, 236421095, 0, 0, 0, 500000000}, out.combinedEmission());
    }

    private static void assertBondColumn(SubnetSim net, int column, long... expected) {
        long[] actual = new long[expected.length];
        for (int i = 0; i < expected.length; i++) actual[i] = net.bond(i, column);
        assertArrayEquals(expected, actual, "bonds of column " + column);
    }

    @Test
    void aValidatorPastTheActivityCutoffLosesItsStakeShareAndBondsDecay() {
        // test_active_stake: two validators, two servers, stake 1 each, tempo 1, starting at block 0
        SubnetSim net = new SubnetSim(0, 1);
        for (int i = 0; i < 4; i++) net.register(1);
        net.maxAllowedValidators = 4;
        net.epoch(RAO);
        net.nextBlock();
        for (int uid = 0; uid < 2; uid++) net.setWeights(uid, range(2, 4), new int[] {32767, 32767});
        YumaOutput out = net.epoch(RAO);
        for (int uid = 0; uid < 4; uid++) {
            if (uid < 2) assertEquals(32767, out.dividendsU16()[uid]);
            assertEquals(250_000_000L, out.combinedEmission()[uid]);
        }
        for (int v = 0; v < 2; v++) {
            assertEquals(0, net.bond(v, 0));
            assertEquals(0, net.bond(v, 1));
            assertEquals(65535, net.bond(v, 2));
            assertEquals(65535, net.bond(v, 3));
        }

        net.block = 5002; // validator 1's weights (block 1) are now older than the activity cutoff
        net.setWeights(0, range(2, 4), new int[] {32767, 32767});
        out = net.epoch(RAO);
        assertEquals(36044, out.dividendsU16()[0]);
        assertEquals(274_999_999L, out.combinedEmission()[0]);
        assertEquals(29490, out.dividendsU16()[1]);
        assertEquals(224_999_999L, out.combinedEmission()[1]);
        for (int server = 2; server < 4; server++) {
            assertEquals(65535, net.bond(0, server));
            assertEquals(53619, net.bond(1, server));
        }

        net.setWeights(1, range(2, 4), new int[] {32767, 32767});
        net.block = 5003;
        out = net.epoch(RAO);
        assertEquals(35716, out.dividendsU16()[0]);
        assertEquals(272_501_132L, out.combinedEmission()[0]);
        assertEquals(29818, out.dividendsU16()[1]);
        assertEquals(227_498_866L, out.combinedEmission()[1]);
        for (int server = 2; server < 4; server++) {
            assertEquals(65535, net.bond(0, server));
            assertEquals(54712, net.bond(1, server));
        }
    }

    @Test
    void weightsOnAReRegisteredServerAreOutdatedUntilTheValidatorSetsThemAgain() {
        // test_outdated_weights: tempo 0, so the activity cutoff is 1 block
        SubnetSim net = new SubnetSim(1, 0);
        for (int i = 0; i < 4; i++) net.register(1);
        net.maxAllowedValidators = 4;
        net.epoch(RAO);
        net.nextBlock();
        for (int uid = 0; uid < 2; uid++) net.setWeights(uid, range(2, 4), new int[] {2 * (65535 / 3), 65535 / 3});
        for (int uid = 2; uid < 4; uid++) net.setWeights(uid, new int[] {uid}, new int[] {65535});
        YumaOutput out = net.epoch(RAO);
        assertArrayEquals(new long[] {250000000, 250000000, 333331637, 166668361}, out.combinedEmission());

        net.replace(3); // a new key takes over the server with the least emission
        net.nextBlock();
        net.setWeights(0, range(2, 4), new int[] {2 * (65535 / 3), 65535 / 3});
        out = net.epoch(RAO);
        assertEquals(32767, out.dividendsU16()[0]);
        assertEquals(250_000_000L, out.combinedEmission()[0]);
        assertEquals(65535, net.bond(0, 2));
        assertEquals(65535, net.bond(0, 3));
    }

    @Test
    void zeroWeightsFallBackToStakeUntilFreshWeightsArrive() {
        // test_zero_weights: one validator (stake 1) and one server
        SubnetSim net = new SubnetSim(1, 65534);
        net.register(1);
        net.register(0);
        YumaOutput out = net.epoch(RAO); // no weights, no permits: stake fallback
        assertArrayEquals(new long[] {RAO, 0}, out.combinedEmission());

        net.setWeights(1, new int[] {1}, new int[] {65535}); // self-weight only
        out = net.epoch(RAO); // active-stake fallback
        assertArrayEquals(new long[] {RAO, 0}, out.combinedEmission());

        net.block = 2;
        net.setWeights(0, new int[] {1}, new int[] {65535});
        net.replace(1); // the server re-registers: the validator's weight on it is now outdated
        out = net.epoch(RAO);
        assertArrayEquals(new long[] {RAO, 0}, out.combinedEmission());

        net.block = 3;
        net.setWeights(0, new int[] {1}, new int[] {65535});
        out = net.epoch(RAO);
        assertArrayEquals(new long[] {RAO / 2, RAO / 2}, out.combinedEmission());
    }

    /** setup_epoch of epoch_logs.rs: five neurons, three validators with 1e9 stake, tempo 10, block 1. */
    static SubnetSim logsNetwork() {
        SubnetSim net = new SubnetSim(1, 10);
        net.activityCutoff = 10;
        for (int i = 0; i < 5; i++) {
            net.append(i < 3 ? 1_000_000_000L : 0, 0);
            net.lastUpdate.set(i, 1L);
            net.permits.set(i, i < 3);
        }
        net.block = 1;
        return net;
    }

    @Test
    void twoValidatorsAgreeOneDissentsAndTheMinorityVoteIsClippedToZero() {
        SubnetSim net = logsNetwork();
        net.setWeights(0, new int[] {3, 4}, new int[] {65535, 0});
        net.setWeights(1, new int[] {3, 4}, new int[] {0, 65535});
        net.setWeights(2, new int[] {3, 4}, new int[] {65535, 0});
        YumaOutput out = net.epoch(RAO);
        long one = I32F32.ONE;
        assertArrayEquals(new long[] {0, 0, 0, one, 0}, out.consensus());
        assertArrayEquals(new long[] {one, 0, one, 0, 0}, out.validatorTrust());
        assertArrayEquals(new long[] {one / 2, 0, one / 2, 0, 0}, out.dividends());
        assertArrayEquals(new long[] {one / 4, 0, one / 4, one / 2, 0}, out.normalizedCombinedEmission());
    }

    @Test
    void aValidatorSplittingItsWeightIsPartiallyClipped() {
        SubnetSim net = logsNetwork();
        net.setWeights(0, new int[] {3, 4}, new int[] {65535, 0});
        net.setWeights(1, new int[] {3, 4}, new int[] {0, 65535});
        net.setWeights(2, new int[] {3, 4}, new int[] {65535, 65535});
        YumaOutput out = net.epoch(RAO);
        long one = I32F32.ONE;
        assertArrayEquals(new long[] {one / 4, one / 4, one / 2, 0, 0}, out.dividends());
        assertArrayEquals(new long[] {one / 8, one / 8, one / 4, one / 4, one / 4}, out.normalizedCombinedEmission());
    }

    @Test
    void twoEqualValidatorsWithoutWeightsShareTheEmission() {
        // epoch_logs.rs test_simple
        SubnetSim net = new SubnetSim(1, 10);
        net.activityCutoff = 10;
        for (int i = 0; i < 2; i++) {
            net.append(1_000_000_000L, 0);
            net.lastUpdate.set(i, 1L);
            net.permits.set(i, true);
        }
        YumaOutput out = net.epoch(RAO);
        assertArrayEquals(new long[] {I32F32.ONE / 2, I32F32.ONE / 2}, out.stakeNormalized());
        assertArrayEquals(new long[] {500_000_000L, 500_000_000L}, out.combinedEmission());
    }

    @Test
    void topKWithOneSlotKeepsTheLargerStake() {
        // epoch_logs.rs epoch_topk_validator_permits
        SubnetSim net = new SubnetSim(1, 10);
        net.register(2_000_000_000L);
        net.register(1_000_000_000L);
        net.maxAllowedValidators = 1;
        YumaOutput out = net.epoch(RAO);
        assertArrayEquals(new boolean[] {true, false}, out.newValidatorPermits());
    }
}
