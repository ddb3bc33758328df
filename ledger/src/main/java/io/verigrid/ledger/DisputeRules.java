package io.verigrid.ledger;

import io.verigrid.engine.TrainingJob;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.verify.DisputeGame;
import io.verigrid.verify.GameException;
import io.verigrid.verify.PreprocessGame;
import io.verigrid.verify.Verdict;

/**
 * Dispute moves and settlement (spec §3–§4). Each move transaction is checked against the signer's role
 * (provider: post and settle moves; challenger: picks), then handed to {@link DisputeGame}, whose
 * {@link GameException} reason becomes the rejection code. A game that reaches SETTLED — by the referee or by a
 * missed deadline at a block — moves the stakes and bonds at once.
 */
final class DisputeRules {
    static final String REFEREE = "REFEREE";
    static final String TIMEOUT = "TIMEOUT";
    static final String ASSEMBLY = "ASSEMBLY";

    private DisputeRules() {}

    static void move(Draft d, String sender, TxBody body) {
        long id = disputeId(body);
        Dispute dispute = d.dispute(id);
        boolean providerMove = !(body instanceof TxBody.PickStepRange || body instanceof TxBody.PickTraceNode
                || body instanceof TxBody.DisputeAssembly);
        String mover = providerMove ? dispute.provider : dispute.challenger;
        if (!sender.equals(dispute.provider) && !sender.equals(dispute.challenger)) {
            throw new Rejection(Rejection.NOT_PARTY, sender + " is not a party to dispute " + id);
        }
        if (!sender.equals(mover)) {
            throw new Rejection(Rejection.NOT_YOUR_TURN, body.getClass().getSimpleName() + " is the "
                    + (providerMove ? "provider's" : "challenger's") + " move in dispute " + id);
        }
        DisputeGame next;
        try {
            next = play(d, dispute, body);
        } catch (GameException e) {
            throw new Rejection(e.reason(), e.getMessage());
        }
        dispute.game = next.encode();
        if (next.phase() == DisputeGame.Phase.SETTLED) settle(d, dispute, next, REFEREE);
    }

    private static DisputeGame play(Draft d, Dispute dispute, TxBody body) {
        DisputeGame game = dispute.game();
        long h = d.height;
        if (body instanceof TxBody.PostStepRoots m) return game.postStepRoots(m.roots(), h);
        if (body instanceof TxBody.PickStepRange m) return game.pickStepRange(m.k(), h);
        if (body instanceof TxBody.PostTraceRoot m) {
            int programLength = job(d, dispute).program(game.stepHi()).size();
            return game.postTraceRoot(m.traceRoot(), m.traceLength(), programLength, d.params.maxRefereeBytes(), h);
        }
        if (body instanceof TxBody.PostTraceNodes m) return game.postTraceNodes(m.nodes(), h);
        if (body instanceof TxBody.PickTraceNode m) return game.pickTraceNode(m.k(), m.outputRoot(), h);
        if (body instanceof TxBody.DisputeAssembly) return game.disputeAssembly(h);
        if (body instanceof TxBody.SettleOperator m) {
            // The job's own dataset root: seeded jobs and jobs trained on a dataset blob alike.
            if (m.tile() != null) {
                // One tile of a large matmul (spec §2): the referee reads only its blocks and the carried sums.
                return game.settleTile(job(d, dispute), d.job(dispute.jobId).datasetRoot, d.params.maxRefereeBytes(),
                        m.tile(), m.providerOutputRoot(), h);
            }
            if (m.tiledOutput() != null) {
                // A tiled matmul's assembly leaf: the referee checks the assembled output against its agreed tiles.
                return game.settleTiledOutput(job(d, dispute), d.job(dispute.jobId).datasetRoot, d.params.maxRefereeBytes(),
                        m.tiledOutput(), m.providerOutputRoot(), h);
            }
            return game.settleOperator(job(d, dispute), d.job(dispute.jobId).datasetRoot, m.inputs(), m.previous(),
                    m.providerOutputRoot(), d.params.maxRefereeBytes(), h);
        }
        if (body instanceof TxBody.SettleAssembly m) {
            TrainingJob job = job(d, dispute);
            // A job trained on a dataset blob needs the data in the move; without it the provider cannot be upheld.
            return game.settleAssembly(job, m.dataset() != null ? m.dataset() : job.seededDataset().orElse(null),
                    d.job(dispute.jobId).datasetRoot, m.stateLo(), h);
        }
        throw new IllegalStateException("not a dispute move: " + body.getClass().getSimpleName());
    }

    static boolean isMove(TxBody body) {
        return body instanceof TxBody.PostStepRoots || body instanceof TxBody.PickStepRange
                || body instanceof TxBody.PostTraceRoot || body instanceof TxBody.PostTraceNodes
                || body instanceof TxBody.PickTraceNode || body instanceof TxBody.DisputeAssembly
                || body instanceof TxBody.SettleOperator || body instanceof TxBody.SettleAssembly;
    }

    private static long disputeId(TxBody body) {
        if (body instanceof TxBody.PostStepRoots m) return m.disputeId();
        if (body instanceof TxBody.PickStepRange m) return m.disputeId();
        if (body instanceof TxBody.PostTraceRoot m) return m.disputeId();
        if (body instanceof TxBody.PostTraceNodes m) return m.disputeId();
        if (body instanceof TxBody.PickTraceNode m) return m.disputeId();
        if (body instanceof TxBody.DisputeAssembly m) return m.disputeId();
        if (body instanceof TxBody.SettleOperator m) return m.disputeId();
        if (body instanceof TxBody.SettleAssembly m) return m.disputeId();
        throw new IllegalStateException("not a dispute move: " + body.getClass().getSimpleName());
    }

    private static TrainingJob job(Draft d, Dispute dispute) {
        return d.job(dispute.jobId).trainingJob();
    }

    /** At a block: every open game past its deadline is lost by the party whose turn it is. */
    static void applyTimeouts(Draft d) {
        for (long id : d.base.openDisputes) {
            Dispute existing = d.base.disputes.get(id);
            if (!existing.open() || PreprocessGame.isEncoding(existing.game)) continue; // PreprocessRules times those out
            DisputeGame game = existing.game();
            if (d.height <= game.deadline()) continue;
            Dispute dispute = d.dispute(existing.id);
            DisputeGame settled = game.timeout(d.height);
            dispute.game = settled.encode();
            settle(d, dispute, settled, TIMEOUT);
        }
    }

    /**
     * Spec §4. Provider loses: {@code slashPpm} of its stake (then unbonding) is taken, {@code winnerSharePpm} of it
     * goes to the challenger and the rest is burned; it is banned from the job, units ≥ u are dropped and the job
     * reopens from R_{u−1}. Challenger loses: its bond is forfeited ({@code winnerSharePpm} to the provider, the rest
     * burned) and its locked fee paid to the provider; the frozen units resume. BOTH_LOSE: both penalties, all
     * of it burned, and the challenger's fee returned since no provider earned it.
     */
    static void settle(Draft d, Dispute dispute, DisputeGame game, String reason) {
        Verdict verdict = game.verdict();
        String why = verdict.name() + " by " + reason + " in dispute " + dispute.id + " on job " + dispute.jobId + " unit "
                + dispute.unit + (game.operator() >= 0 ? ", step " + game.stepHi() + " operator " + game.operator() : "");
        Stakes m = moveStakes(d, dispute, verdict, why);
        dispute.outcome = new DisputeOutcome(verdict.name(), reason, dispute.unit, game.stepHi(), game.operator(),
                opKind(d.job(dispute.jobId).trainingJob(), game), game.rounds(), m.slashed(), m.forfeited(), m.toChallenger(),
                m.toProvider(), m.burned(), d.height);
    }

    /** What a settlement moved: the provider's slash, the challenger's forfeited bond, the two shares and the burn. */
    record Stakes(long slashed, long forfeited, long toChallenger, long toProvider, long burned) {}

    /**
     * The money and the job of a settled dispute, whatever game decided it: the loser's slash or bond, the winner's
     * share, the burn, and — when the provider lost — its ban, its dropped units and the job reopened.
     */
    static Stakes moveStakes(Draft d, Dispute dispute, Verdict verdict, String why) {
        Job job = d.job(dispute.jobId);
        Stakes stakes = moveMoney(d, dispute.provider, dispute.challenger, dispute.id, job.id, dispute.bond, dispute.fee, verdict, why);
        if (verdict != Verdict.PROVIDER_WINS) {
            job.banned.add(dispute.provider);
            while (job.commits.size() >= dispute.unit) job.commits.remove(job.commits.size() - 1);
            job.status = Job.Status.OPEN;
            job.lessee = null;
        }
        job.openDispute = 0;
        return stakes;
    }

    /**
     * Spec §4's money, for a training, preprocessing or inference dispute alike: a losing provider gives up
     * {@code slashPpm} of its stake (then unbonding), {@code winnerSharePpm} of it to a winning challenger; a losing
     * challenger forfeits its bond, {@code winnerSharePpm} of it and the fee to a winning provider; the rest burns.
     * When both lose, everything burns and the challenger's fee comes back. {@code jobId} is 0 for inference.
     */
    static Stakes moveMoney(Draft d, String providerAddress, String challengerAddress, long disputeId, long jobId, long bond,
                            long fee, Verdict verdict, String why) {
        Account provider = d.account(providerAddress);
        Account challenger = d.account(challengerAddress);
        boolean providerLoses = verdict != Verdict.PROVIDER_WINS;
        boolean challengerLoses = verdict != Verdict.CHALLENGER_WINS;
        long slashed = 0, forfeited = 0, toChallenger = 0, toProvider = 0, burned = 0;
        if (providerLoses) {
            long slashable = Math.addExact(provider.stake, provider.unbondingTotal());
            slashed = provider.slash(Params.ppmOf(slashable, d.params.slashPpm()));
            provider.penalties.add(new Penalty(disputeId, jobId, Penalty.SLASH, slashed, d.height, why));
            if (!challengerLoses) toChallenger = Params.ppmOf(slashed, d.params.winnerSharePpm());
            burned = Math.addExact(burned, slashed - toChallenger);
        }
        if (challengerLoses) {
            forfeited = bond;
            long share = providerLoses ? 0 : Params.ppmOf(bond, d.params.winnerSharePpm());
            long paidFee = providerLoses ? 0 : fee;
            toProvider = Math.addExact(share, paidFee);
            burned = Math.addExact(burned, bond - share);
            challenger.penalties.add(new Penalty(disputeId, jobId, Penalty.BOND, Math.addExact(forfeited, paidFee), d.height, why));
            if (providerLoses) challenger.balance = Math.addExact(challenger.balance, fee);
        } else {
            challenger.balance = Math.addExact(challenger.balance, Math.addExact(bond, fee));
        }
        challenger.balance = Math.addExact(challenger.balance, toChallenger);
        provider.balance = Math.addExact(provider.balance, toProvider);
        d.burn(burned);
        return new Stakes(slashed, forfeited, toChallenger, toProvider, burned);
    }

    private static String opKind(TrainingJob job, DisputeGame game) {
        if (game.operator() < 0) return null;
        if (game.assemblyDisputed()) return ASSEMBLY;
        return game.reachedKind(job.program(game.stepHi()));
    }
}
