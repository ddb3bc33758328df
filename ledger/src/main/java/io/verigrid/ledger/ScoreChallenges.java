package io.verigrid.ledger;

import io.verigrid.ledger.tx.SubnetTx;
import io.verigrid.verify.Hashes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Score reports of the model-quality subnet and their challenges. A validator publishes its scores for every
 * UID on the evaluation set of a past block; the report keeps the models it scored. Anyone may challenge a
 * report with a bond: the ledger recomputes the scores ({@link ModelQuality#scores}, bit-exact) and settles at
 * once. A wrong report costs the validator {@code slashPpm} of its stake (the challenger gets its bond back plus
 * {@code winnerSharePpm} of the slash, the rest is burned); a correct one costs the challenger its bond
 * ({@code winnerSharePpm} of it to the validator, the rest burned).
 */
final class ScoreChallenges {
    private ScoreChallenges() {}

    static void publish(Draft d, Subnet s, String validator, Account account, SubnetTx.PublishScores p) {
        SubnetRules.uid(s, validator);
        if (account.stake < d.params.minVerifierStake()) {
            throw new Rejection(Rejection.INSUFFICIENT_STAKE, "publishing scores needs stake " + d.params.minVerifierStake() + " (it is what a wrong report loses), have " + account.stake);
        }
        BlockView block = p.evalBlock() < d.height ? d.base.block(p.evalBlock()) : null;
        if (block == null) throw new Rejection(Rejection.INVALID, "evalBlock " + p.evalBlock() + " is not a past block");
        if (p.scores().length != s.neurons.size()) {
            throw new Rejection(Rejection.WEIGHTS_LENGTH, p.scores().length + " scores for " + s.neurons.size() + " UIDs");
        }
        for (int k = 0; k < p.scores().length; k++) {
            if (p.scores()[k] < 0 || p.scores()[k] > ModelQuality.EVAL_SIZE) {
                throw new Rejection(Rejection.INVALID, "scores[" + k + "] = " + p.scores()[k] + " is outside 0.." + ModelQuality.EVAL_SIZE);
            }
        }
        List<float[]> models = new ArrayList<>();
        for (Neuron n : s.neurons) models.add(n.model);
        long id = s.nextReportId++;
        s.reports.put(id, new Subnet.ScoreReport(id, validator, p.evalBlock(), ModelQuality.evalSeed(s.id, Hashes.unhex(block.hash())),
                p.scores().clone(), List.copyOf(models), d.height, Subnet.ScoreReport.OPEN));
    }

    static void challenge(Draft d, Subnet s, String challenger, Account account, long reportId) {
        Subnet.ScoreReport r = s.reports.get(reportId);
        if (r == null) throw new Rejection(Rejection.UNKNOWN_REPORT, "no score report " + reportId + " on subnet " + s.id);
        if (r.validator().equals(challenger)) throw new Rejection(Rejection.SELF_VERIFY, "a validator cannot challenge its own report");
        if (!Subnet.ScoreReport.OPEN.equals(r.status())) throw new Rejection(Rejection.ALREADY_CHALLENGED, "report " + reportId + " is " + r.status());
        long bond = d.params.challengeBond();
        AccountRules.debit(account, bond, "challenge bond");
        int[] recomputed = ModelQuality.scores(s.id, r.evalSeed(), r.models());
        if (Arrays.equals(recomputed, r.scores())) {
            long toValidator = Params.ppmOf(bond, d.params.winnerSharePpm());
            Account v = d.account(r.validator());
            v.balance = Math.addExact(v.balance, toValidator);
            d.burn(bond - toValidator);
            s.reports.put(reportId, r.withStatus(Subnet.ScoreReport.UPHELD));
            return;
        }
        Account v = d.account(r.validator());
        long slashed = v.slash(Params.ppmOf(v.stake, d.params.slashPpm()));
        long toChallenger = Params.ppmOf(slashed, d.params.winnerSharePpm());
        account.balance = Math.addExact(account.balance, Math.addExact(bond, toChallenger));
        d.burn(slashed - toChallenger);
        v.penalties.add(new Penalty(0, 0, "scores", slashed, d.height, "subnet " + s.id + " report " + reportId
                + ": published scores differ from the recomputation at UID " + firstDifference(recomputed, r.scores())));
        s.reports.put(reportId, r.withStatus(Subnet.ScoreReport.OVERTURNED));
    }

    private static int firstDifference(int[] a, int[] b) {
        for (int i = 0; i < Math.min(a.length, b.length); i++) if (a[i] != b[i]) return i;
        return Math.min(a.length, b.length);
    }
}
