package io.verigrid.ledger;

import static io.verigrid.ledger.SubnetChain.TOKEN;
import static io.verigrid.ledger.SubnetChain.address;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.verigrid.ledger.tx.SubnetTx;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.verify.Hashes;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The built-in model-quality subnet: miners publish models, validators publish scores on a held-out set, and
 * a challenge makes the ledger recompute them — a validator whose scores differ is slashed, an honest one is not.
 */
class ModelQualitySubnetTest {

    @Test
    void aValidatorPublishingWrongScoresIsSlashedAndAnHonestOneIsNot() {
        SubnetChain c = new SubnetChain(6, SubnetEpochsTest.ISSUANCE);
        c.ok(1, new SubnetTx.CreateSubnet("model-quality", 1));
        for (int key = 2; key <= 5; key++) c.ok(key, new SubnetTx.Register(1));
        float[] trained = ModelQuality.train(1, 256, 5);
        float[] blank = new float[ModelQuality.MODEL_SIZE];
        blank[0] = 1f;
        c.ok(4, new SubnetTx.PublishModel(1, trained));
        c.ok(5, new SubnetTx.PublishModel(1, blank));
        c.rejected(Rejection.BAD_MODEL, 5, new SubnetTx.PublishModel(1, new float[3]));
        long stake = Params.defaults().minVerifierStake();
        c.ok(2, new TxBody.Stake(stake));
        c.ok(3, new TxBody.Stake(stake));
        c.blocksUntil(3);

        long evalBlock = 2;
        byte[] seed = ModelQuality.evalSeed(1, Hashes.unhex(c.state.block(evalBlock).hash()));
        List<float[]> models = new ArrayList<>(List.of(new float[0], new float[0], trained, blank));
        int[] honest = ModelQuality.scores(1, seed, models);
        assertTrue(honest[2] > honest[3], "the trained model beats the blank one: " + java.util.Arrays.toString(honest));
        int[] inflated = honest.clone();
        inflated[3] += 5;
        c.ok(2, new SubnetTx.PublishScores(1, evalBlock, honest));
        c.ok(3, new SubnetTx.PublishScores(1, evalBlock, inflated));
        c.rejected(Rejection.WEIGHTS_LENGTH, 3, new SubnetTx.PublishScores(1, evalBlock, new int[] {1}));
        c.blocksUntil(4);

        long honestBalance = c.balance(2), challenger = c.balance(6);
        long bond = Params.defaults().challengeBond();
        c.ok(6, new SubnetTx.ChallengeScores(1, 1));
        assertEquals(stake, c.state.account(SubnetChain.publicKey(2)).stake(), "the honest validator keeps its stake");
        assertEquals(honestBalance + Params.ppmOf(bond, Params.defaults().winnerSharePpm()), c.balance(2), "and gets the challenger's bond share");
        assertEquals("UPHELD", c.state.scoreReports(1).get(0).status());

        long before = c.balance(6);
        c.ok(6, new SubnetTx.ChallengeScores(1, 2));
        long slashed = Params.ppmOf(stake, Params.defaults().slashPpm());
        AccountView cheat = c.state.account(SubnetChain.publicKey(3));
        assertEquals(stake - slashed, cheat.stake(), "the validator with wrong scores is slashed");
        assertEquals("scores", cheat.penalties().get(0).kind());
        assertEquals(before - Params.defaults().txFee() + Params.ppmOf(slashed, Params.defaults().winnerSharePpm()), c.balance(6),
                "the challenger gets its bond back and the winner's share");
        assertEquals("OVERTURNED", c.state.scoreReports(1).get(1).status());
        c.rejected(Rejection.ALREADY_CHALLENGED, 6, new SubnetTx.ChallengeScores(1, 2));
        c.rejected(Rejection.SELF_VERIFY, 2, new SubnetTx.ChallengeScores(1, 1));
        assertTrue(challenger > 0 && address(6).length() == 64);
        c.blocksUntil(6);
    }

    @Test
    void aValidatorThatUnstakesRightAfterAWrongReportIsStillSlashedFromItsUnbondingStake() {
        SubnetChain c = new SubnetChain(6, SubnetEpochsTest.ISSUANCE);
        c.ok(1, new SubnetTx.CreateSubnet("model-quality", 1));
        for (int key = 2; key <= 4; key++) c.ok(key, new SubnetTx.Register(1));
        float[] blank = new float[ModelQuality.MODEL_SIZE];
        blank[0] = 1f;
        c.ok(4, new SubnetTx.PublishModel(1, blank));
        long stake = Params.defaults().minVerifierStake();
        c.ok(3, new TxBody.Stake(stake));
        c.blocksUntil(3);
        byte[] seed = ModelQuality.evalSeed(1, Hashes.unhex(c.state.block(2).hash()));
        int[] wrong = ModelQuality.scores(1, seed, new ArrayList<>(List.of(new float[0], new float[0], blank)));
        wrong[2] += 7;
        c.ok(3, new SubnetTx.PublishScores(1, 2, wrong));
        c.ok(3, new TxBody.Unstake(stake));
        assertEquals(0, c.state.account(SubnetChain.publicKey(3)).stake());

        c.ok(6, new SubnetTx.ChallengeScores(1, 1));
        AccountView cheat = c.state.account(SubnetChain.publicKey(3));
        long slashed = Params.ppmOf(stake, Params.defaults().slashPpm());
        assertEquals(stake - slashed, cheat.unbondingTotal(), "the slash comes out of the stake still unbonding");
        assertEquals(slashed, cheat.penalties().get(0).amount());
        assertEquals("OVERTURNED", c.state.scoreReports(1).get(0).status());
    }
}
