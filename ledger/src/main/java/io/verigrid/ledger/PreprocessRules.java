package io.verigrid.ledger;

import io.verigrid.ledger.tx.PreprocessTx;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.verify.DisputeGame;
import io.verigrid.verify.GameException;
import io.verigrid.verify.Hashes;
import io.verigrid.verify.MerkleProof;
import io.verigrid.verify.PipelineTrace;
import io.verigrid.verify.PreprocessGame;
import java.util.Arrays;
import java.util.List;

/**
 * Verified data preprocessing on the ledger: market orders of kind {@link #KIND_PREPROCESS}, whose job's units are
 * output shards. The lessee commits each shard's records root with the plan and manifest it belongs to; verified
 * shards are paid like training units ({@link JobRules#attest}, the challenge window); a challenged shard is played
 * out in a {@link PreprocessGame} whose settlement re-executes one pipeline step on one record batch (or one plan
 * decision) inside the state machine, and the money moves as in every dispute ({@link DisputeRules#moveStakes}).
 */
final class PreprocessRules {
    /** The market order kind of a preprocessing job (1 mlp; 2 and 3 are the language-model training kinds). */
    static final int KIND_PREPROCESS = 4;

    /** A training transaction aimed at a preprocessing job, or the reverse. */
    static final String WRONG_KIND = "WRONG_KIND";
    /** A shard commitment whose plan, manifest or shard count differs from the job's first one. */
    static final String PLAN_MISMATCH = "PLAN_MISMATCH";
    /** A cut challenge of a shard whose lease no longer holds the job's declared plan. */
    static final String STALE_PLAN = "STALE_PLAN";
    /** A declared shard count above what the input can give. */
    static final String TOO_MANY_SHARDS = "TOO_MANY_SHARDS";
    /** A shard's work estimate for its deadline: FLOP per record per step (generous: deadlines, not prices). */
    private static final long FLOP_PER_RECORD_STEP = 1_000_000L;

    private PreprocessRules() {}

    static void dispatch(Draft d, String sender, Account account, TxBody.PreprocessBody body) {
        if (body instanceof PreprocessTx.CommitShard c) commit(d, sender, c);
        else if (body instanceof PreprocessTx.ChallengeShard c) challenge(d, sender, account, c);
        else if (body instanceof PreprocessTx.ChallengeShardCut c) challengeCut(d, sender, account, c);
        else move(d, sender, body);
    }

    // ---- orders ------------------------------------------------------------------------------------

    /** The preprocessing half of {@code MarketRules.postOrder}, after its checks common to every kind. */
    static void postOrder(Draft d, String buyer, Account account, TxBody.PostOrder o) {
        if (o.dataset() == null) {
            throw new Rejection(MarketRules.UNKNOWN_DATASET, "a preprocessing order names its input as a dataset blob with replicas");
        }
        PreprocessSpec spec = spec(o.spec());
        if (o.dataset().replicas().size() < MarketRules.MIN_DATASET_REPLICAS) {
            throw new Rejection(MarketRules.BAD_ORDER, "dataset blob " + o.dataset().blob() + " names " + o.dataset().replicas().size()
                    + " replica(s); an order needs at least " + MarketRules.MIN_DATASET_REPLICAS);
        }
        int units = spec.maxShards();
        long escrow = Math.multiplyExact(o.maxUnitPrice(), (long) units);
        Job job = d.newJob(id -> new Job(id, buyer, KIND_PREPROCESS, o.spec(), escrow, d.params.jobSamplePpm(o.samplePpm(), o.maxUnitPrice()), units, 1, o.datasetRoot(),
                o.datasetRoot(), d.height));
        job.escrow = escrow;
        AccountRules.debit(account, escrow, "order escrow");
        job.status = Job.Status.AUCTION;
        // Every shard's deadline allows the whole input through every step: the first shard needs the global pass.
        long shardFlops = Math.multiplyExact(Math.multiplyExact((long) spec.inputRecords(), spec.pipeline().steps().size() + 1L),
                FLOP_PER_RECORD_STEP);
        Order order = d.market().newOrder(id -> new Order(id, buyer, job.id, o.kind(), o.maxUnitPrice(), units,
                o.minMemoryBytes(), o.minMflops(), o.auctionBlocks(), d.height, d.height + o.deadlineBlocks(), shardFlops));
        order.auctionEndHeight = d.height + o.auctionBlocks() - 1;
        order.datasetBlob = o.dataset().blob();
        order.datasetReplicas = o.dataset().replicas();
    }

    static PreprocessSpec spec(byte[] bytes) {
        try {
            return PreprocessSpec.decode(bytes);
        } catch (IllegalArgumentException e) {
            throw new Rejection(Rejection.BAD_JOB, "spec is not a preprocessing spec: " + e.getMessage());
        }
    }

    /** The order of a preprocessing job as the state holds it (read only), or null when {@code job} is any other job. */
    private static Order orderOf(Draft d, Job job) {
        Long id = d.base.market.orderByJob.get(job.id);
        Order order = id == null ? null : d.base.market.orders.get(id);
        return order != null && order.kind == KIND_PREPROCESS ? order : null;
    }

    private static Order preprocessOrder(Draft d, Job job) {
        Order order = orderOf(d, job);
        if (order == null) throw new Rejection(WRONG_KIND, "job " + job.id + " is not a preprocessing job");
        return d.market().order(order.id);
    }

    /** Training moves ({@code CommitUnit}, {@code Challenge}) do not apply to a preprocessing job. */
    static void refuseTrainingMove(Draft d, Job job, String instead) {
        if (orderOf(d, job) != null) {
            throw new Rejection(WRONG_KIND, "job " + job.id + " is a preprocessing job: send " + instead + " instead");
        }
    }

    // ---- shards ------------------------------------------------------------------------------------

    static void commit(Draft d, String sender, PreprocessTx.CommitShard c) {
        Job job = d.job(c.jobId());
        Order order = preprocessOrder(d, job);
        if (job.status != Job.Status.LEASED || !sender.equals(job.lessee)) {
            throw new Rejection(Rejection.NOT_LESSEE, sender + " does not lease job " + job.id);
        }
        int expected = job.commits.size() + 1;
        if (c.shard() != expected) {
            throw new Rejection(Rejection.WRONG_UNIT, "job " + job.id + " expects shard " + expected + ", got " + c.shard());
        }
        if (order.planSha256 == null || order.declaredLease != order.leaseId) {
            // A lease's first shard fixes its plan; a later lease (after a lost dispute or a failed lease) declares
            // afresh, keeping the shards verified before it.
            if (c.shardCount() > order.units || c.shardCount() < c.shard()) {
                throw new Rejection(TOO_MANY_SHARDS, "shardCount " + c.shardCount() + " must be in " + c.shard() + ".."
                        + order.units + " (the shards the input of job " + job.id + " can give)");
            }
            order.planSha256 = c.planSha256();
            order.manifestSha256 = c.manifestSha256();
            order.declaredLease = order.leaseId;
            job.units = c.shardCount();
        } else if (!Arrays.equals(order.planSha256, c.planSha256()) || !Arrays.equals(order.manifestSha256, c.manifestSha256())
                || c.shardCount() != job.units) {
            throw new Rejection(PLAN_MISMATCH, "shard " + c.shard() + " names another plan, manifest or shard count than the first"
                    + " shard lease " + order.leaseId + " committed to job " + job.id);
        }
        if (c.shard() > job.units) {
            throw new Rejection(Rejection.WRONG_UNIT, "job " + job.id + " has " + job.units + " shards, not " + c.shard());
        }
        job.commits.add(new Job.Commit(c.shardRoot(), d.height, sender, false, 0, 0, ""));
    }

    static void challenge(Draft d, String sender, Account account, PreprocessTx.ChallengeShard c) {
        Job job = d.job(c.jobId());
        preprocessOrder(d, job);
        Job.Commit commit = challengeable(d, job, c.shard(), sender);
        JobRules.requireStake(account, d.params.minVerifierStake(), "challenge");
        if (Arrays.equals(commit.root(), c.claimedRoot())) {
            throw new Rejection(Rejection.ROOT_MISMATCH, "claimed root equals the committed one: nothing to dispute");
        }
        AccountRules.debit(account, Math.addExact(d.params.challengeBond(), d.params.challengeFee()), "challenge bond and fee");
        PreprocessGame game = PreprocessGame.open(job.id, c.shard(), spec(job.spec).pipeline().steps().size(), commit.root(),
                c.claimedRoot(), d.params.fanout(), d.params.moveBlocks(), d.height);
        Dispute dispute = d.newDispute(id -> new Dispute(id, job.id, c.shard(), commit.provider(), sender,
                d.params.challengeBond(), d.params.challengeFee(), d.height, game.encode()));
        job.openDispute = dispute.id;
    }

    /** Shard {@code shard}'s commitment, if it may be challenged now: unverified, inside its window, no dispute open. */
    private static Job.Commit challengeable(Draft d, Job job, int shard, String sender) {
        Job.Commit commit = JobRules.unverifiedCommit(job, shard, sender);
        if (d.height > commit.height() + d.params.challengeWindowBlocks()) {
            throw new Rejection(Rejection.WINDOW_CLOSED, "shard " + shard + " was committed at height " + commit.height()
                    + "; its window closed at " + (commit.height() + d.params.challengeWindowBlocks()));
        }
        if (job.openDispute != 0) {
            throw new Rejection(Rejection.DISPUTE_OPEN, "job " + job.id + " already has dispute " + job.openDispute + " open");
        }
        return commit;
    }

    /**
     * A challenge of shard {@code c.shard()}'s cut: {@code ChallengeShard}'s checks (no claimed root: the dispute is
     * where the shard ends, not what it holds), and the shard must belong to the lease whose plan the job declares now,
     * since the provider answers with that plan.
     */
    static void challengeCut(Draft d, String sender, Account account, PreprocessTx.ChallengeShardCut c) {
        Job job = d.job(c.jobId());
        Order order = preprocessOrder(d, job);
        Job.Commit commit = challengeable(d, job, c.shard(), sender);
        if (order.planSha256 == null || order.declaredLease != order.leaseId || !commit.provider().equals(job.lessee)) {
            throw new Rejection(STALE_PLAN, "shard " + c.shard() + " of job " + job.id + " was committed under a plan its lease no"
                    + " longer declares; only a trace challenge (ChallengeShard) applies");
        }
        JobRules.requireStake(account, d.params.minVerifierStake(), "challenge");
        AccountRules.debit(account, Math.addExact(d.params.challengeBond(), d.params.challengeFee()), "challenge bond and fee");
        PreprocessGame game = PreprocessGame.openCut(job.id, c.shard(), spec(job.spec).pipeline().steps().size(), commit.root(),
                order.planSha256, job.units, d.params.moveBlocks(), d.height);
        Dispute dispute = d.newDispute(id -> new Dispute(id, job.id, c.shard(), commit.provider(), sender,
                d.params.challengeBond(), d.params.challengeFee(), d.height, game.encode()));
        job.openDispute = dispute.id;
    }

    // ---- the game ----------------------------------------------------------------------------------

    static void move(Draft d, String sender, TxBody.PreprocessBody body) {
        long id = disputeId(body);
        Dispute dispute = d.dispute(id);
        if (!PreprocessGame.isEncoding(dispute.game)) {
            throw new Rejection(WRONG_KIND, "dispute " + id + " is a training dispute; its moves are tags 9..16");
        }
        boolean providerMove = !(body instanceof PreprocessTx.PickShardTraceNode || body instanceof PreprocessTx.PostShardWitness);
        if (!sender.equals(dispute.provider) && !sender.equals(dispute.challenger)) {
            throw new Rejection(Rejection.NOT_PARTY, sender + " is not a party to dispute " + id);
        }
        if (!sender.equals(providerMove ? dispute.provider : dispute.challenger)) {
            throw new Rejection(Rejection.NOT_YOUR_TURN, body.getClass().getSimpleName() + " is the "
                    + (providerMove ? "provider's" : "challenger's") + " move in dispute " + id);
        }
        PreprocessGame next;
        try {
            PreprocessGame game = PreprocessGame.decode(dispute.game);
            next = body instanceof PreprocessTx.PostMovePart part ? playPart(d, dispute, game, part) : play(d, dispute, game, body);
        } catch (GameException e) {
            throw new Rejection(e.reason(), e.getMessage());
        }
        dispute.game = next.encode();
        if (next.phase() == PreprocessGame.Phase.SETTLED) settle(d, dispute, next, DisputeRules.REFEREE);
    }

    /**
     * A part of the provider's evidence: kept in the game until the last part, which plays the assembled move as if
     * it had come in one transaction (a move that does not decode, or names another dispute, is refused: the provider
     * may start the upload again from offset 0 before its deadline).
     */
    private static PreprocessGame playPart(Draft d, Dispute dispute, PreprocessGame game, PreprocessTx.PostMovePart part) {
        PreprocessGame next = game.postPart(DisputeGame.Party.PROVIDER, part.moveTag(), part.total(), part.offset(), part.part(), d.height);
        byte[] body = next.partedMove();
        if (body == null) return next;
        TxBody.PreprocessBody whole;
        try {
            whole = PreprocessTx.assembled(part.moveTag(), body);
        } catch (IllegalArgumentException e) {
            throw new GameException("MALFORMED", "the assembled move does not decode: " + e.getMessage());
        }
        if (disputeId(whole) != dispute.id) {
            throw new GameException("MALFORMED", "the assembled move names dispute " + disputeId(whole) + ", not " + dispute.id);
        }
        return play(d, dispute, next.withoutParts(), whole);
    }

    private static PreprocessGame play(Draft d, Dispute dispute, PreprocessGame game, TxBody.PreprocessBody body) {
        Job job = d.job(dispute.jobId);
        long h = d.height;
        if (body instanceof PreprocessTx.PostShardTraceRoot m) {
            PreprocessSpec spec = spec(job.spec);
            String lastKind = PipelineTrace.kind(spec.pipeline(), spec.pipeline().steps().size());
            return game.postTraceRoot(m.traceRoot(), lastKind, m.lastCount(), new MerkleProof(m.lastPath()), h);
        }
        if (body instanceof PreprocessTx.PostShardTraceNodes m) return game.postTraceNodes(m.nodes(), h);
        if (body instanceof PreprocessTx.PickShardTraceNode m) return game.pickTraceNode(m.k(), m.claim(), h);
        if (body instanceof PreprocessTx.SettleShardStep m) {
            PreprocessSpec spec = spec(job.spec);
            return game.settle(spec.pipeline(), job.datasetRoot, spec.inputRecords(), m.evidence(), h);
        }
        if (body instanceof PreprocessTx.PostShardWitness m) {
            PreprocessSpec spec = spec(job.spec);
            return game.postWitness(spec.pipeline(), job.datasetRoot, spec.inputRecords(), m.witness(), h);
        }
        if (body instanceof PreprocessTx.SettleShardCut m) {
            PreprocessSpec spec = spec(job.spec);
            return game.settleCut(spec.pipeline(), job.datasetRoot, spec.inputRecords(), m.evidence(), h);
        }
        throw new IllegalStateException("not a preprocessing move: " + body.getClass().getSimpleName());
    }

    private static long disputeId(TxBody.PreprocessBody body) {
        if (body instanceof PreprocessTx.PostShardTraceRoot m) return m.disputeId();
        if (body instanceof PreprocessTx.PostShardTraceNodes m) return m.disputeId();
        if (body instanceof PreprocessTx.PickShardTraceNode m) return m.disputeId();
        if (body instanceof PreprocessTx.SettleShardStep m) return m.disputeId();
        if (body instanceof PreprocessTx.PostShardWitness m) return m.disputeId();
        if (body instanceof PreprocessTx.SettleShardCut m) return m.disputeId();
        if (body instanceof PreprocessTx.PostMovePart m) return m.disputeId();
        throw new IllegalStateException("not a preprocessing move: " + body.getClass().getSimpleName());
    }

    /** At a block: every open preprocessing game past its deadline is lost by the party whose turn it is. */
    static void applyTimeouts(Draft d) {
        for (long id : d.base.openDisputes) {
            Dispute existing = d.base.disputes.get(id);
            if (!existing.open() || !PreprocessGame.isEncoding(existing.game)) continue;
            // The deadline alone decides; a game holding megabytes of evidence parts is decoded only when it times out.
            if (d.height <= PreprocessGame.deadlineOf(existing.game)) continue;
            Dispute dispute = d.dispute(existing.id);
            PreprocessGame settled = PreprocessGame.decode(existing.game).timeout(d.height);
            dispute.game = settled.encode();
            settle(d, dispute, settled, DisputeRules.TIMEOUT);
        }
    }

    /** Moves the stakes as every dispute does and records where the game ended: step, leaf, batch. */
    private static void settle(Draft d, Dispute dispute, PreprocessGame game, String reason) {
        String where = where(d.job(dispute.jobId), game);
        String why = game.verdict().name() + " by " + reason + " in dispute " + dispute.id + " on job " + dispute.jobId
                + " shard " + dispute.unit + (where == null ? "" : ", " + where);
        DisputeRules.Stakes m = DisputeRules.moveStakes(d, dispute, game.verdict(), why);
        dispute.outcome = new DisputeOutcome(game.verdict().name(), reason, dispute.unit, game.step(), game.leaf(), where,
                game.rounds(), m.slashed(), m.forfeited(), m.toChallenger(), m.toProvider(), m.burned(), d.height);
    }

    /**
     * "records:tokenize batch 2" or "plan:filter batch 0": the step the referee re-executed and on which batch; for a
     * cut game "cut:tokens shard 3" (or "cut:records …").
     */
    private static String where(Job job, PreprocessGame game) {
        if (game.isCut()) return "cut:" + (spec(job.spec).pipeline().sharding().byTokenCount() ? "tokens" : "records") + " shard " + game.shard();
        if (game.leaf() < 0) return null;
        String kind = PipelineTrace.kind(spec(job.spec).pipeline(), game.step());
        return game.section().name().toLowerCase(java.util.Locale.ROOT) + ":" + kind
                + (game.batch() >= 0 ? " batch " + game.batch() : "");
    }

    // ---- views -------------------------------------------------------------------------------------

    static PreprocessJobView view(LedgerState s, long jobId) {
        Job job = s.jobs.get(jobId);
        Long orderId = s.market.orderByJob.get(jobId);
        if (job == null || orderId == null) return null;
        Order order = s.market.orders.get(orderId);
        if (order == null || order.kind != KIND_PREPROCESS) return null;
        PreprocessSpec spec = PreprocessSpec.decode(job.spec);
        return new PreprocessJobView(jobId, orderId, order.datasetBlob, order.datasetReplicas, Hashes.hex(job.datasetRoot),
                spec.inputRecords(), spec.pipeline().toJson(), spec.maxShards(), order.planSha256 == null ? 0 : job.units,
                order.planSha256 == null ? null : Hashes.hex(order.planSha256),
                order.manifestSha256 == null ? null : Hashes.hex(order.manifestSha256));
    }

    /** A preprocessing dispute in {@link DisputeView}'s shape: operator = the disputed trace leaf, stepHi = its step. */
    static DisputeView disputeView(Dispute d) {
        PreprocessGame g = PreprocessGame.decode(d.game);
        boolean settled = g.phase() == PreprocessGame.Phase.SETTLED;
        String turnAddress = settled ? null : g.turn() == io.verigrid.verify.DisputeGame.Party.PROVIDER ? d.provider : d.challenger;
        byte[] traceRoot = g.providerTraceRoot();
        boolean descending = traceRoot != null && g.leaf() < 0;
        return new DisputeView(d.id, d.jobId, d.unit, d.provider, d.challenger, d.bond, d.fee, d.openedHeight,
                "PREPROCESS_" + g.phase().name(), settled ? null : g.turn().name(), turnAddress, g.deadline(), 0, g.step(),
                new long[0], null, Hashes.hex(g.providerShardRoot()), Hashes.hex(g.challengerShardRoot()), List.of(),
                traceRoot == null ? null : Hashes.hex(traceRoot), g.traceLength(), g.nodeLevel(), g.nodePosition(),
                descending ? g.childLevel() : 0, descending ? g.childStart() : 0, descending ? g.childCount() : 0,
                g.postedNodes().stream().map(Hashes::hex).toList(), g.leaf(), null, null, g.rounds(), g.moves(),
                // Without the parts of an upload in progress, which may be megabytes: no party's next move reads them.
                g.verdict() == null ? null : g.verdict().name(), d.outcome,
                Hashes.hex(g.partedBytes() == 0 ? d.game : g.withoutParts().encode()));
    }
}
