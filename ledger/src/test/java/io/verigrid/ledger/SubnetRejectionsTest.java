package io.verigrid.ledger;

import static io.verigrid.ledger.SubnetChain.TOKEN;
import static io.verigrid.ledger.SubnetChain.publicKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.verigrid.ledger.tx.SubnetTx;
import org.junit.jupiter.api.Test;

/** Bad subnet transactions are refused with a clear reason and change nothing. */
class SubnetRejectionsTest {
    static final byte[] SALT = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** Subnet 1 after its first epoch: UIDs 0, 1 validators with permits, 2, 3 miners. */
    static SubnetChain afterFirstEpoch(boolean commitReveal) {
        SubnetChain c = SubnetEpochsTest.subnetWithFourUids();
        SubnetHyperparams h = SubnetEpochsTest.SMALL;
        c.ok(1, new SubnetTx.SetHyperparams(1, new SubnetHyperparams(h.tempo(), h.kappa(), h.bondsMovingAverage(), h.bondsPenalty(),
                h.activityCutoffFactorMilli(), h.maxValidators(), h.immunityPeriod(), h.maxUids(), commitReveal, 5, h.ownerCutPpm(),
                false, false)));
        c.blocksUntil(11);
        return c;
    }

    @Test
    void weightsForUnknownOrDuplicateUidsOrMismatchedLengthsAreRefused() {
        SubnetChain c = afterFirstEpoch(false);
        c.rejected(Rejection.UNKNOWN_UID, 2, new SubnetTx.SetWeights(1, new int[] {2, 9}, new int[] {1, 1}));
        c.rejected(Rejection.DUPLICATE_UID, 2, new SubnetTx.SetWeights(1, new int[] {2, 2}, new int[] {1, 1}));
        c.rejected(Rejection.WEIGHTS_LENGTH, 2, new SubnetTx.SetWeights(1, new int[] {2, 3}, new int[] {1}));
        c.rejected(Rejection.BAD_WEIGHT, 2, new SubnetTx.SetWeights(1, new int[] {2}, new int[] {70_000}));
        c.rejected(Rejection.NO_VALIDATOR_PERMIT, 4, new SubnetTx.SetWeights(1, new int[] {3}, new int[] {1}));
        c.ok(4, new SubnetTx.SetWeights(1, new int[] {2}, new int[] {1}));   // a self-weight needs no permit
        c.rejected(Rejection.NOT_REGISTERED, 6, new SubnetTx.SetWeights(1, new int[] {2}, new int[] {1}));
        c.rejected(Rejection.UNKNOWN_SUBNET, 2, new SubnetTx.SetWeights(7, new int[] {2}, new int[] {1}));
        c.rejected(Rejection.COMMIT_REVEAL_OFF, 2, new SubnetTx.CommitWeights(1, new byte[32]));
        c.rejected(Rejection.NOT_SUBNET_OWNER, 2, new SubnetTx.SetHyperparams(1, SubnetHyperparams.defaults()));
        c.rejected(Rejection.NOT_REGISTERED, 2, new SubnetTx.AddStake(1, publicKey(6), TOKEN));
        c.rejected(Rejection.INSUFFICIENT_STAKE, 2, new SubnetTx.RemoveStake(1, publicKey(2), 51 * TOKEN));
        assertEquals(0, c.neuron(1, 0).weights().size(), "nothing was stored");
    }

    @Test
    void commitRevealStoresWeightsOnlyFromAMatchingRevealInsideTheWindow() {
        SubnetChain c = afterFirstEpoch(true);
        int[] uids = {2, 3};
        int[] values = {40_000, 20_000};
        byte[] hash = SubnetTx.commitHash(1, publicKey(2), uids, values, SALT);
        c.rejected(Rejection.COMMIT_REVEAL_ON, 2, new SubnetTx.SetWeights(1, uids, values));
        c.rejected(Rejection.NO_COMMIT, 2, new SubnetTx.RevealWeights(1, uids, values, SALT));
        c.ok(2, new SubnetTx.CommitWeights(1, hash));
        c.rejected(Rejection.REVEAL_TOO_EARLY, 2, new SubnetTx.RevealWeights(1, uids, values, SALT));
        c.blocksUntil(13);
        byte[] wrongSalt = SALT.clone();
        wrongSalt[0] ^= 1;
        c.rejected(Rejection.COMMIT_MISMATCH, 2, new SubnetTx.RevealWeights(1, uids, values, wrongSalt));
        c.rejected(Rejection.COMMIT_MISMATCH, 2, new SubnetTx.RevealWeights(1, uids, new int[] {40_000, 20_001}, SALT));
        c.ok(2, new SubnetTx.RevealWeights(1, uids, values, SALT));
        assertEquals(65535, c.neuron(1, 0).weights().get(0)[1]);
        assertEquals(32767, c.neuron(1, 0).weights().get(1)[1], "65535/40000 first, then times 20000, truncated: 32767.49…");
        c.rejected(Rejection.NO_COMMIT, 2, new SubnetTx.RevealWeights(1, uids, values, SALT));   // a commit reveals once

        // An unrevealed commit expires after the window (5 blocks).
        c.ok(3, new SubnetTx.CommitWeights(1, SubnetTx.commitHash(1, publicKey(3), uids, values, SALT)));
        long committed = c.state.height() + 1;
        c.blocksUntil(committed + 6);
        c.rejected(Rejection.NO_COMMIT, 3, new SubnetTx.RevealWeights(1, uids, values, SALT));
        assertTrue(c.neuron(1, 1).weights().isEmpty());
    }

    @Test
    void aFullSubnetWhoseUidsAreAllImmuneRefusesRegistration() {
        SubnetChain c = new SubnetChain(6, SubnetEpochsTest.ISSUANCE);
        c.ok(1, new SubnetTx.CreateSubnet("tiny", 0));
        SubnetHyperparams h = SubnetEpochsTest.SMALL;
        c.ok(1, new SubnetTx.SetHyperparams(1, new SubnetHyperparams(10, 32767, 900_000, 65535, 13_889, 2, 1000, 2, false, 5, 180_000, false, false)));
        c.ok(2, new SubnetTx.Register(1));
        c.ok(3, new SubnetTx.Register(1));
        c.rejected(Rejection.SUBNET_FULL, 4, new SubnetTx.Register(1));
        assertEquals(2, c.state.subnet(1).uids());
        assertEquals(h.ownerCutPpm(), c.state.subnet(1).hyperparams().ownerCutPpm());
    }
}
