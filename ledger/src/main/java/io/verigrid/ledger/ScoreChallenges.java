package io.verigrid.ledger;

import io.verigrid.ledger.tx.SubnetTx;
import io.verigrid.verify.Hashes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Score reports of the scored subnets and their challenges. A validator publishes its scores for every UID on
 * the evaluation set of a past block; the report keeps the models it scored (model quality: the classifiers;
 * LM quality: the miners' model commitments). Anyone may challenge a report with a bond: the ledger recomputes
 * the scores ({@link ModelQuality#scores}, or {@link LmQuality#score} of one UID from the model files the
 * challenge carries, checked against the commitment; both bit-exact) and settles at once. A wrong report costs the validator {@code slashPpm} of its stake (the challenger gets its bond back plus
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
        boolean lm = s.task == Subnet.TASK_LM_QUALITY;
        int max = lm ? LmQuality.MAX_SCORE : ModelQuality.EVAL_SIZE;
        for (int k = 0; k < p.scores().length; k++) {
            if (p.scores()[k] < 0 || p.scores()[k] > max) {
                throw new Rejection(Rejection.INVALID, "scores[" + k + "] = " + p.scores()[k] + " is outside 0.." + max);
            }
        }
        List<float[]> models = new ArrayList<>();
        List<byte[]> commitments = new ArrayList<>();
        for (Neuron n : s.neurons) {
            if (lm) commitments.add(n.modelCommitment);
            else models.add(n.model);
        }
        byte[] blockHash = Hashes.unhex(block.hash());
        byte[] seed = lm ? LmQuality.evalSeed(s.id, blockHash) : ModelQuality.evalSeed(s.id, blockHash);
        long id = s.nextReportId++;
        s.reports.put(id, new Subnet.ScoreReport(id, validator, p.evalBlock(), seed, p.scores().clone(), List.copyOf(models),
                List.copyOf(commitments), d.height, Subnet.ScoreReport.OPEN));
    }

    static void challenge(Draft d, Subnet s, String challenger, Account account, long reportId) {
        Subnet.ScoreReport r = openReport(s, challenger, reportId);
        int[] recomputed = ModelQuality.scores(s.id, r.evalSeed(), r.models());
        settle(d, s, challenger, account, r, recomputed);
    }

    /**
     * Challenges the score report {@code c.reportId()} gives UID {@code c.uid()} on the LM subnet. The files must
     * match the commitment the report was made on (else the challenge is rejected and nothing moves); the ledger
     * then replays {@link LmQuality#score} on them, bounded by {@link LmQuality#MAX_MODEL_BYTES}.
     */
    static void challengeModel(Draft d, Subnet s, String challenger, Account account, SubnetTx.ChallengeModelScore c) {
        Subnet.ScoreReport r = openReport(s, challenger, c.reportId());
        if (c.uid() >= r.commitments().size()) throw new Rejection(Rejection.INVALID, "uid " + c.uid() + " is not in report " + r.id());
        byte[] committed = r.commitments().get(c.uid());
        int recomputedScore;
        if (committed.length == 0) {
            if (c.configJson().length + c.safetensors().length > 0) {
                throw new Rejection(Rejection.MODEL_FILES_MISMATCH, "uid " + c.uid() + " had no model commitment; challenge it with empty files");
            }
            recomputedScore = 0;
        } else {
            if (c.configJson().length + (long) c.safetensors().length > LmQuality.MAX_MODEL_BYTES) {
                throw new Rejection(Rejection.BAD_MODEL, "model files exceed the referee bound of " + LmQuality.MAX_MODEL_BYTES + " bytes");
            }
            if (!Arrays.equals(committed, LmQuality.commitment(c.configJson(), c.safetensors()))) {
                throw new Rejection(Rejection.MODEL_FILES_MISMATCH, "the files do not hash to uid " + c.uid() + "'s commitment "
                        + Hashes.hex(committed) + " in report " + r.id());
            }
            recomputedScore = LmQuality.score(r.evalSeed(), c.configJson(), c.safetensors());
        }
        int[] recomputed = r.scores().clone();
        recomputed[c.uid()] = recomputedScore;
        settle(d, s, challenger, account, r, recomputed);
    }

    private static Subnet.ScoreReport openReport(Subnet s, String challenger, long reportId) {
        Subnet.ScoreReport r = s.reports.get(reportId);
        if (r == null) throw new Rejection(Rejection.UNKNOWN_REPORT, "no score report " + reportId + " on subnet " + s.id);
        if (r.validator().equals(challenger)) throw new Rejection(Rejection.SELF_VERIFY, "a validator cannot challenge its own report");
        if (!Subnet.ScoreReport.OPEN.equals(r.status())) throw new Rejection(Rejection.ALREADY_CHALLENGED, "report " + reportId + " is " + r.status());
        return r;
    }

    /** Takes the bond and settles the report against {@code recomputed}: the validator or the challenger loses. */
    private static void settle(Draft d, Subnet s, String challenger, Account account, Subnet.ScoreReport r, int[] recomputed) {
        long reportId = r.id();
        long bond = d.params.challengeBond();
        AccountRules.debit(account, bond, "challenge bond");
        if (Arrays.equals(recomputed, r.scores())) {
            long toValidator = Params.ppmOf(bond, d.params.winnerSharePpm());
            Account v = d.account(r.validator());
            v.balance = Math.addExact(v.balance, toValidator);
            d.burn(bond - toValidator);
            s.reports.put(reportId, r.withStatus(Subnet.ScoreReport.UPHELD));
            return;
        }
        Account v = d.account(r.validator());
        // Stake still unbonding counts, as in a job dispute: unstaking right after a report must not dodge its slash.
        long slashed = v.slash(Params.ppmOf(Math.addExact(v.stake, v.unbondingTotal()), d.params.slashPpm()));
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
