package io.verigrid.ledger.yuma;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The behaviours of spec §7.1, §7.4 and §10 that an implementer might "fix" but must not. */
class YumaQuirksTest {
    static final long RAO = 1_000_000_000L;

    @Test
    void onATopKTieTheLowerUidLosesItsPermit() {
        YumaOutput out = YumaEpoch.run(YumaInput.builder(4).currentBlock(10).stake(5, 5, 5, 0).maxAllowedValidators(2).build());
        assertArrayEquals(new boolean[] {false, true, true, false}, out.newValidatorPermits());
        // with fewer UIDs than K nobody is removed, but zero stake never gets a permit
        out = YumaEpoch.run(YumaInput.builder(4).currentBlock(10).stake(5, 5, 5, 0).maxAllowedValidators(5).build());
        assertArrayEquals(new boolean[] {true, true, true, false}, out.newValidatorPermits());
    }

    @Test
    void theOwnerIsExemptFromTheStakeThresholdAndAlwaysPermitted() {
        YumaInput in = YumaInput.builder(3).currentBlock(10).stake(10, 500, 2000).stakeThreshold(1000).ownerUid(0)
                .maxAllowedValidators(1).build();
        YumaOutput out = YumaEpoch.run(in);
        assertEquals(0, out.stakeNormalized()[1]); // below the threshold
        assertTrue(out.stakeNormalized()[0] > 0); // the owner keeps its stake
        assertArrayEquals(new boolean[] {true, false, true}, out.newValidatorPermits());
    }

    @Test
    void theOwnersSelfWeightEarnsIncentiveWhenItHasConsensus() {
        // test_can_set_self_weight_as_subnet_owner: the owner, the only permitted validator, weights itself and uid 1
        YumaInput in = YumaInput.builder(2).currentBlock(2).tempo(360).activityCutoff(5000).ownerUid(0)
                .stake(5_000_000_000_000L, 0).validatorPermits(true, false).lastUpdate(2, 0).blockAtRegistration(1, 1)
                .weightsOf(0, SparseRow.of(0, 32767, 1, 32767)).raoEmission(RAO).build();
        YumaOutput out = YumaEpoch.run(in);
        assertTrue(out.serverEmission()[0] > 0);
        assertEquals(out.serverEmission()[0], out.serverEmission()[1]);
        // without the owner exemption the diagonal is masked and only uid 1 earns incentive
        YumaOutput noOwner = YumaEpoch.run(in.toBuilder().ownerUid(YumaInput.NO_OWNER).build());
        assertEquals(0, noOwner.serverEmission()[0]);
    }

    @Test
    void aSingleStakerWithoutWeightsReceivesTheWholeEmission() {
        // test_epoch_outputs_single_staker_registered_no_weights
        YumaOutput out = YumaEpoch.run(YumaInput.builder(1).currentBlock(1).stake(1).raoEmission(RAO).build());
        long paid = out.serverEmission()[0] + out.validatorEmission()[0];
        assertTrue(Math.abs(paid - RAO) <= 1000, "paid " + paid);
    }

    /** Validator 0 (60 %) has a pending commit from block 10; server 2 registered at block 12, server 3 long ago. */
    static YumaInput.Builder sniping() {
        return YumaInput.builder(4).currentBlock(20).tempo(10).activityCutoff(5000)
                .stake(6, 4, 0, 0).validatorPermits(true, true, false, false)
                .lastUpdate(15, 15, 0, 0).blockAtRegistration(0, 0, 12, 0)
                .weightsOf(0, SparseRow.of(2, 65535, 3, 65535)).weightsOf(1, SparseRow.of(2, 65535, 3, 65535))
                .raoEmission(RAO);
    }

    @Test
    void commitRevealMasksWeightsOnUidsRegisteredAfterThePendingCommit() {
        YumaOutput open = YumaEpoch.run(sniping().build());
        assertEquals(I32F32.ONE / 2, open.consensus()[2]);
        YumaOutput masked = YumaEpoch.run(sniping().commitBlocks(new long[] {10, YumaInput.NO_COMMIT, YumaInput.NO_COMMIT, YumaInput.NO_COMMIT}).build());
        assertEquals(0, masked.consensus()[2]);
        assertEquals(0, masked.incentive()[2]);
        assertEquals(I32F32.ONE, masked.incentive()[3]);
        // a commit made at or after the registration does not mask
        YumaOutput late = YumaEpoch.run(sniping().commitBlocks(new long[] {12, YumaInput.NO_COMMIT, YumaInput.NO_COMMIT, YumaInput.NO_COMMIT}).build());
        assertEquals(YumaJson.writeOutput(open), YumaJson.writeOutput(late));
    }

    @Test
    void bondsOnAColumnRegisteredSinceTheLastEpochStartFromZero() {
        // the previous epoch ran at block 100; server 3 re-registered at block 101, server 2 before
        YumaInput.Builder b = YumaInput.builder(4).currentBlock(110).tempo(10).activityCutoff(5000).lastMechanismStepBlock(100)
                .stake(1, 1, 0, 0).validatorPermits(true, true, false, false).lastUpdate(105, 105, 0, 0)
                .blockAtRegistration(0, 0, 50, 101)
                .weightsOf(0, SparseRow.of(2, 65535, 3, 65535)).weightsOf(1, SparseRow.of(2, 65535, 3, 65535))
                .bondsOf(0, SparseRow.of(2, 65535, 3, 65535)).bondsOf(1, SparseRow.of(2, 10000, 3, 10000));
        YumaOutput out = YumaEpoch.run(b.build());
        // column 2 keeps the old unequal bonds, column 3 starts from the equal new ones
        assertTrue(out.emaBonds().get(0).get(2) > out.emaBonds().get(1).get(2));
        assertEquals(out.emaBonds().get(0).get(3), out.emaBonds().get(1).get(3));
        assertEquals(I32F32.ONE / 2, out.emaBonds().get(0).get(3));
        // registered exactly at last_mechanism_step_block: not new, bonds kept
        out = YumaEpoch.run(b.blockAtRegistration(0, 0, 50, 100).build());
        assertTrue(out.emaBonds().get(0).get(3) > out.emaBonds().get(1).get(3));
    }

    @Test
    void withoutAPreviousEpochBlockBondColumnsUseCurrentBlockMinusTempo() {
        boolean[] mask = YumaEpoch.registeredSinceLastEpoch(YumaInput.builder(3).currentBlock(50).tempo(10)
                .blockAtRegistration(39, 40, 41).build());
        assertArrayEquals(new boolean[] {false, true, true}, mask);
        mask = YumaEpoch.registeredSinceLastEpoch(YumaInput.builder(1).currentBlock(5).tempo(10).blockAtRegistration(0).build());
        assertArrayEquals(new boolean[] {true}, mask); // last_tempo saturates at 0
    }

    @Test
    void bondsPenaltyInterpolatesWithFlooredProducts() {
        long beta = YumaMath.u16Ratio(32767);
        SparseRow[] weights = {SparseRow.of(1, I32F32.ONE / 2, 2, I32F32.ONE / 2)};
        SparseRow[] clipped = {SparseRow.of(1, I32F32.ONE / 2)};
        SparseRow[] mixed = SparseOps.interpolate(weights, clipped, beta);
        // 0.5 + floor(β·(0 − 0.5)): the product rounds toward −∞
        assertEquals(SparseRow.of(1, I32F32.ONE / 2, 2, 1073758208L), mixed[0]);
        assertEquals(weights[0], SparseOps.interpolate(weights, clipped, 0)[0]);
        assertEquals(clipped[0], SparseOps.interpolate(weights, clipped, I32F32.ONE)[0]);
    }

    /** Validator 0 (60 %) weights server 2 only; validator 1 (40 %) splits between servers 2 and 3. */
    static YumaInput minorityVote(int bondsPenalty, long bondsMovingAverage) {
        return YumaInput.builder(4).currentBlock(10).tempo(10).activityCutoff(5000)
                .stake(6, 4, 0, 0).validatorPermits(true, true, false, false).lastUpdate(5, 5, 0, 0)
                .weightsOf(0, SparseRow.of(2, 65535)).weightsOf(1, SparseRow.of(2, 65535, 3, 65535))
                .bondsPenalty(bondsPenalty).bondsMovingAverage(bondsMovingAverage).raoEmission(RAO).build();
    }

    @Test
    void aMinorityVoteEarnsBondsOnlyWhenTheBondsPenaltyIsBelowOne() {
        YumaOutput full = YumaEpoch.run(minorityVote(65535, 900_000));
        assertEquals(0, full.consensus()[3]);
        assertEquals(0, full.emaBonds().get(1).get(3)); // clipped weights build no bond on server 3
        YumaOutput none = YumaEpoch.run(minorityVote(0, 900_000));
        assertEquals(I32F32.ONE, none.emaBonds().get(1).get(3)); // raw weights do
        YumaOutput half = YumaEpoch.run(minorityVote(32767, 975_000));
        assertEquals(I32F32.ONE, half.emaBonds().get(1).get(3));
        assertEquals(0, half.incentive()[3]);
        // server 3 has no incentive, so none of these bonds pays a dividend: the split is the same
        assertArrayEquals(full.dividends(), none.dividends());
    }

    @Test
    void explicitZeroWeightsBehaveLikeAbsentEntries() {
        YumaInput.Builder b = YumaInput.builder(3).currentBlock(10).stake(1, 0, 0).validatorPermits(true, false, false)
                .lastUpdate(5, 0, 0).raoEmission(RAO);
        YumaOutput withZero = YumaEpoch.run(b.weightsOf(0, SparseRow.of(1, 65535, 2, 0)).build());
        YumaOutput without = YumaEpoch.run(b.weightsOf(0, SparseRow.of(1, 65535)).build());
        assertEquals(YumaJson.writeOutput(without), YumaJson.writeOutput(withZero));
    }

    @Test
    void bondRowsAreClearedForUidsThatLoseTheirPermit() {
        // uid 1 holds the old permit but has the smallest stake, so K = 1 moves the permit to uid 0
        YumaInput in = YumaInput.builder(3).currentBlock(10).stake(10, 1, 0).validatorPermits(true, true, false)
                .maxAllowedValidators(1).lastUpdate(5, 5, 0)
                .weightsOf(0, SparseRow.of(2, 65535)).weightsOf(1, SparseRow.of(2, 65535))
                .bondsOf(1, SparseRow.of(2, 65535)).raoEmission(RAO).build();
        YumaOutput out = YumaEpoch.run(in);
        assertArrayEquals(new boolean[] {true, false, false}, out.newValidatorPermits());
        assertTrue(out.emaBonds().get(1).size() > 0); // computed this epoch
        assertEquals(SparseRow.EMPTY, out.bondsU16().get(1)); // but not stored
        assertTrue(out.dividends()[1] > 0); // the old permit still counted this epoch
    }
}
