package io.verigrid.ledger;

import io.verigrid.engine.LmJob;
import io.verigrid.engine.MlpJob;
import io.verigrid.engine.TrainingJob;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.verify.Commitments;
import io.verigrid.verify.DisputeGame;
import java.util.Arrays;

/**
 * The walking-skeleton training market: post (escrow), lease, commit units, verify by attestation or by an
 * unchallenged window, pay per verified unit, and open disputes. Dispute moves and settlement are in
 * {@link DisputeRules}.
 */
final class JobRules {
    /** Bound on a job's generated tensors (dataset + initial state) so one PostJob cannot exhaust a peer's memory. */
    static final long MAX_JOB_ELEMENTS = 1L << 24;

    private JobRules() {}

    static void post(Draft d, String buyer, Account account, TxBody.PostJob p) {
        open(d, buyer, p.jobSpec(), p.price(), p.samplePpm());
        AccountRules.debit(account, p.price(), "job escrow");
    }

    /**
     * Decodes and bounds a spec of job kind {@code kind} (a {@link TrainingJob.Kind} code); {@link Rejection}
     * BAD_JOB when it is not one this ledger can referee: an unknown kind, bytes its codec refuses (an unknown
     * model architecture among them), or tensors past {@link #MAX_JOB_ELEMENTS}.
     */
    static TrainingJob spec(int kind, byte[] jobSpec) {
        TrainingJob.Kind known;
        TrainingJob spec;
        try {
            known = TrainingJob.Kind.ofCode(kind);
        } catch (IllegalArgumentException e) {
            throw new Rejection(Rejection.BAD_JOB, e.getMessage());
        }
        try {
            spec = TrainingJob.decode(known, jobSpec);
        } catch (IllegalArgumentException e) {
            throw new Rejection(Rejection.BAD_JOB, "jobSpec is not a " + known.tag() + " job: " + e.getMessage());
        }
        long elements = elements(spec);
        if (elements > MAX_JOB_ELEMENTS) {
            throw new Rejection(Rejection.BAD_JOB, "job needs " + elements + " tensor elements, the limit is " + MAX_JOB_ELEMENTS);
        }
        return spec;
    }

    /** The tag queries show for job kind {@code code}: "mlp", "lm", or "kind-N" for a kind no training codec reads. */
    static String kindName(int code) {
        for (TrainingJob.Kind kind : TrainingJob.Kind.values()) {
            if (kind.code() == code) return kind.tag();
        }
        return code == PreprocessRules.KIND_PREPROCESS ? "preprocess" : "kind-" + code;
    }

    /** The tensor elements the ledger may generate for a spec: the seeded dataset and the state with its moments. */
    private static long elements(TrainingJob job) {
        if (job instanceof MlpJob spec) {
            return (long) spec.samples() * (spec.inputDim() + 1)
                    + 2L * ((long) spec.inputDim() * spec.hidden() + spec.hidden() + (long) spec.hidden() * spec.classes() + spec.classes());
        }
        long weights = 0;
        for (int[] shape : ((LmJob) job).model().parameterShapes().values()) {
            long size = 1;
            for (int dim : shape) size = Math.multiplyExact(size, (long) dim);
            weights = Math.addExact(weights, size);
        }
        return Math.multiplyExact(3L, weights); // weights and AdamW's two moments
    }

    /**
     * Creates an OPEN job holding {@code price} in escrow; the caller debits the buyer. Its sampling rate is
     * {@link Params#jobSamplePpm}: the buyer's {@code samplePpm}, raised to the chain's floor for its unit price.
     */
    static Job open(Draft d, String buyer, byte[] jobSpec, long price, int samplePpm) {
        return open(d, buyer, TrainingJob.Kind.MLP.code(), jobSpec, price, samplePpm, null);
    }

    /**
     * As {@link #open(Draft, String, byte[], long, int)}; {@code blobDatasetRoot}, when not null, is the root of a
     * dataset held as a blob (the ledger cannot read it; providers and verifiers check what they fetch against it),
     * and replaces the root of the dataset the spec's seed generates.
     */
    static Job open(Draft d, String buyer, int kind, byte[] jobSpec, long price, int samplePpm, byte[] blobDatasetRoot) {
        TrainingJob spec = spec(kind, jobSpec);
        if (price < spec.units()) {
            throw new Rejection(Rejection.BAD_JOB, "price " + price + " is below one unit per checkpoint (" + spec.units() + ")");
        }
        if (blobDatasetRoot == null && spec.seededDataset().isEmpty()) {
            throw new Rejection(Rejection.BAD_JOB, "a " + spec.kind().tag() + " job trains on a dataset blob; the order must name one");
        }
        // Seeded kinds: the ledger computes R_0 itself. Fine-tuning: the buyer declares it, and executors refuse a
        // job whose base checkpoint does not give it.
        byte[] r0 = spec.declaredInitialRoot().orElseGet(() -> Commitments.stateRoot(spec.initialState()));
        byte[] datasetRoot = blobDatasetRoot != null ? blobDatasetRoot.clone() : Commitments.datasetRoot(spec.seededDataset().get());
        int jobPpm = d.params.jobSamplePpm(samplePpm, price / spec.units());
        Job job = d.newJob(id -> new Job(id, buyer, kind, jobSpec, price, jobPpm, spec.units(),
                spec.checkpointInterval(), r0, datasetRoot, d.height));
        job.escrow = price;
        return job;
    }

    static void accept(Draft d, String sender, Account account, TxBody.AcceptJob a) {
        Job job = d.job(a.jobId());
        if (job.status != Job.Status.OPEN) throw new Rejection(Rejection.JOB_NOT_OPEN, "job " + job.id + " is " + job.status);
        if (job.banned.contains(sender)) {
            throw new Rejection(Rejection.BANNED, sender + " lost a dispute on job " + job.id + " and may not lease it again");
        }
        MarketRules.refuseFirstCome(d, job);
        requireStake(account, d.params.minProviderStake(), "lease a job");
        job.status = Job.Status.LEASED;
        job.lessee = sender;
    }

    static void commit(Draft d, String sender, TxBody.CommitUnit c) {
        Job job = d.job(c.jobId());
        PreprocessRules.refuseTrainingMove(d, job, "CommitShard");
        if (job.status != Job.Status.LEASED || !sender.equals(job.lessee)) {
            throw new Rejection(Rejection.NOT_LESSEE, sender + " does not lease job " + job.id);
        }
        int expected = job.commits.size() + 1;
        if (c.unit() != expected || expected > job.units) {
            throw new Rejection(Rejection.WRONG_UNIT, "job " + job.id + " expects unit " + expected + " of " + job.units
                    + ", got " + c.unit());
        }
        job.commits.add(new Job.Commit(c.stateRoot(), d.height, sender, false, 0, 0, ""));
    }

    static void attest(Draft d, String sender, Account account, TxBody.Attest a) {
        Job job = d.job(a.jobId());
        Job.Commit commit = unverifiedCommit(job, a.unit(), sender);
        if (disputeFreezes(d, job, a.unit())) {
            throw new Rejection(Rejection.DISPUTE_OPEN, "unit " + a.unit() + " of job " + job.id + " is under dispute " + job.openDispute);
        }
        requireStake(account, d.params.minVerifierStake(), "attest");
        if (!Arrays.equals(commit.root(), a.stateRoot())) {
            throw new Rejection(Rejection.ROOT_MISMATCH, "attested root differs from the committed R_" + a.unit()
                    + "; a differing result is a Challenge");
        }
        pay(d, job, a.unit(), "ATTEST:" + sender);
    }

    static void challenge(Draft d, String sender, Account account, TxBody.Challenge c) {
        Job job = d.job(c.jobId());
        PreprocessRules.refuseTrainingMove(d, job, "ChallengeShard");
        Job.Commit commit = unverifiedCommit(job, c.unit(), sender);
        if (d.height > commit.height() + d.params.challengeWindowBlocks()) {
            throw new Rejection(Rejection.WINDOW_CLOSED, "unit " + c.unit() + " was committed at height " + commit.height()
                    + "; its window closed at " + (commit.height() + d.params.challengeWindowBlocks()));
        }
        if (job.openDispute != 0) {
            throw new Rejection(Rejection.DISPUTE_OPEN, "job " + job.id + " already has dispute " + job.openDispute + " open");
        }
        requireStake(account, d.params.minVerifierStake(), "challenge");
        if (Arrays.equals(commit.root(), c.claimedRoot())) {
            throw new Rejection(Rejection.ROOT_MISMATCH, "claimed root equals the committed one: nothing to dispute");
        }
        long locked = Math.addExact(d.params.challengeBond(), d.params.challengeFee());
        AccountRules.debit(account, locked, "challenge bond and fee");
        long stepHi = (long) c.unit() * job.interval;
        DisputeGame game = DisputeGame.open(job.id, c.unit(), stepHi - job.interval, stepHi, job.rootAfter(c.unit() - 1),
                commit.root(), c.claimedRoot(), d.params.fanout(), d.params.moveBlocks(), d.height);
        Dispute dispute = d.newDispute(id -> new Dispute(id, job.id, c.unit(), commit.provider(), sender,
                d.params.challengeBond(), d.params.challengeFee(), d.height, game.encode()));
        job.openDispute = dispute.id;
    }

    /** At a block: units whose challenge window has passed (and that no open dispute freezes) are verified and paid. */
    static void autoVerify(Draft d) {
        for (long id : d.base.unverifiedJobs) {
            Job existing = d.base.jobs.get(id);
            for (int unit = 1; unit <= existing.commits.size(); unit++) {
                Job.Commit c = existing.commits.get(unit - 1);
                if (c.verified() || d.height <= c.height() + d.params.challengeWindowBlocks()) continue;
                Job job = d.job(existing.id);
                if (disputeFreezes(d, job, unit)) continue;
                pay(d, job, unit, "WINDOW");
            }
        }
    }

    /** Marks {@code unit} verified, pays its provider from escrow and closes the job once every unit is paid. */
    static void pay(Draft d, Job job, int unit, String by) {
        Job.Commit c = job.commits.get(unit - 1);
        long amount = Math.min(job.pricePerUnit(), job.escrow);
        job.commits.set(unit - 1, c.verify(amount, d.height, by));
        job.escrow -= amount;
        job.paid = Math.addExact(job.paid, amount);
        Account provider = d.account(c.provider());
        provider.balance = Math.addExact(provider.balance, amount);
        if (job.commits.size() == job.units && job.verifiedUnits() == job.units) {
            Account buyer = d.account(job.buyer);
            buyer.balance = Math.addExact(buyer.balance, job.escrow);
            job.escrow = 0;
            job.status = Job.Status.DONE;
        }
    }

    static Job.Commit unverifiedCommit(Job job, int unit, String sender) {
        if (unit > job.commits.size()) {
            throw new Rejection(Rejection.WRONG_UNIT, "job " + job.id + " has " + job.commits.size() + " committed units, not " + unit);
        }
        Job.Commit commit = job.commits.get(unit - 1);
        if (commit.verified()) throw new Rejection(Rejection.ALREADY_VERIFIED, "unit " + unit + " of job " + job.id + " is verified");
        if (commit.provider().equals(sender)) {
            throw new Rejection(Rejection.SELF_VERIFY, "the provider of unit " + unit + " cannot verify or challenge it");
        }
        return commit;
    }

    private static boolean disputeFreezes(Draft d, Job job, int unit) {
        return job.openDispute != 0 && unit >= d.dispute(job.openDispute).unit;
    }

    static void requireStake(Account account, long min, String what) {
        if (account.stake < min) {
            throw new Rejection(Rejection.INSUFFICIENT_STAKE, "stake " + account.stake + " is below the " + min + " needed to " + what);
        }
    }
}
