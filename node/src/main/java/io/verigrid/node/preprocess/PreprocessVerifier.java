package io.verigrid.node.preprocess;

import io.verigrid.engine.Parallelism;
import io.verigrid.engine.data.InputDataset;
import io.verigrid.engine.data.Manifest;
import io.verigrid.engine.data.Pipeline;
import io.verigrid.engine.data.PipelinePlan;
import io.verigrid.engine.data.Sha256;
import io.verigrid.ledger.JobView;
import io.verigrid.ledger.MarketViews;
import io.verigrid.ledger.PreprocessJobView;
import io.verigrid.ledger.PreprocessSpec;
import io.verigrid.ledger.TxResult;
import io.verigrid.ledger.UnitView;
import io.verigrid.ledger.tx.PreprocessTx;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.node.http.HttpJsonClient;
import io.verigrid.node.ledger.LedgerHttp;
import io.verigrid.node.ledger.Wallet;
import io.verigrid.node.metrics.NodeMetrics;
import io.verigrid.verify.Hashes;
import io.verigrid.verify.PreprocessRun;
import io.verigrid.verify.Sampling;
import io.verigrid.verify.ShardVerifier;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A verifier's preprocessing work: for every committed shard it learns the sample seed (a block hash after the
 * commitment), and for a sampled shard recomputes its own plan from the input (the one global pass, cached per job)
 * and the shard alone from it. Equal roots and a manifest and plan from the provider that match the ledger's
 * declaration and pass {@link ShardVerifier} earn an attestation; a different root is challenged and the game played
 * out from this verifier's own run. A provider's plan whose lists equal this verifier's but whose shard ends (or
 * declared shard count) differ is a wrong cut: that is challenged as a cut ({@code ChallengeShardCut}) at the first shard
 * whose end differs, never as a trace, since the trace game judges each shard under the provider's own cut.
 */
public final class PreprocessVerifier {
    private final String name;
    private final Wallet wallet;
    private final LedgerHttp ledger;
    private final HttpJsonClient http;
    private final PreprocessInputs inputs;
    private final NodeMetrics metrics;
    private final Consumer<String> log;
    private final PreprocessPlayer disputes;
    private final Parallelism par;
    private final Set<String> decided = new HashSet<>();
    private final Map<Long, PipelinePlan> plans = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, PipelinePlan> eldest) {
            return size() > 8;
        }
    };

    public PreprocessVerifier(String name, Wallet wallet, LedgerHttp ledger, HttpJsonClient http, PreprocessInputs inputs,
                              Parallelism par, NodeMetrics metrics, Consumer<String> log) {
        this.name = name;
        this.par = par;
        this.wallet = wallet;
        this.ledger = ledger;
        this.http = http;
        this.inputs = inputs;
        this.metrics = metrics;
        this.log = log;
        this.disputes = new PreprocessPlayer(wallet, ledger, log);
    }

    public void playAll() {
        disputes.playAll();
    }

    /** Samples and checks the committed, unverified shards of one preprocessing job. */
    public void check(JobView job) {
        if (job.openDisputeId() != 0) return; // later shards may be dropped; judge them once it settles
        for (UnitView commit : job.commits()) {
            String key = job.id() + "/" + commit.unit() + "/" + commit.root();
            if (commit.verified() || decided.contains(key)) continue;
            byte[] seed = ledger.sampleSeed(job.id(), commit.unit());
            if (seed == null) continue;
            decided.add(key);
            if (!Sampling.sampled(seed, job.id(), wallet.keys().publicKey(), commit.unit(), job.samplePpm())) {
                log.accept(String.format("%s: job %d shard %d not in the sample (p = %.2f); it is paid after the challenge window",
                        name, job.id(), commit.unit(), job.samplePpm() / 1e6));
                continue;
            }
            if (!verifyShard(job, commit)) return; // a challenge freezes the rest of the job
        }
    }

    /** False when it opened a dispute. */
    private boolean verifyShard(JobView job, UnitView commit) {
        PreprocessJobView view = ledger.preprocessJob(job.id());
        PreprocessSpec spec = PreprocessSpec.decode(HexFormat.of().parseHex(job.jobSpec()));
        InputDataset input = inputs.of(view);
        PipelinePlan plan;
        synchronized (plans) {
            plan = plans.computeIfAbsent(job.id(), id -> Pipeline.plan(spec.pipeline(), input, par, null));
        }
        int k = commit.unit() - 1;
        PipelinePlan theirs = declaredPlan(job, view, commit.provider());
        if (theirs != null && wrongCut(theirs, plan, view.shardCount())) return challengeCut(job, spec, input, plan, theirs);
        if (k >= plan.shardCount()) {
            log.accept(name + ": job " + job.id() + " shard " + commit.unit() + " does not exist under the plan (" + plan.shardCount()
                    + " shards); not attested");
            return true;
        }
        PreprocessRun run = PreprocessRun.of(spec.pipeline(), input, plan, k);
        byte[] mine = run.shardRoot();
        String mine16 = Hashes.hex(mine).substring(0, 16);
        if (Arrays.equals(mine, HexFormat.of().parseHex(commit.root()))) {
            String problem = checkOutput(job, view, spec, input, plan, k, commit.provider());
            if (problem != null) {
                log.accept(name + ": job " + job.id() + " shard " + commit.unit() + " root matches but " + problem + "; not attested");
                return true;
            }
            TxResult result = wallet.submit(new TxBody.Attest(job.id(), commit.unit(), mine));
            if (result.accepted()) metrics.unitVerified();
            log.accept(String.format("%s recomputed job %d shard %d alone from the plan: root %s equals the commitment, attests: %s",
                    name, job.id(), commit.unit(), mine16, result.accepted() ? "accepted" : "rejected " + result.code()));
            return true;
        }
        log.accept(String.format("%s recomputed job %d shard %d: root %s but provider %s… committed %s: challenge", name, job.id(),
                commit.unit(), mine16, commit.provider().substring(0, 8), commit.root().substring(0, 16)));
        return challenge(job.id(), commit.unit(), new PreprocessTx.ChallengeShard(job.id(), commit.unit(), mine), run, "");
    }

    /** The provider's plan if it serves the declared one, else null (the trace challenge stays the fallback). */
    private PipelinePlan declaredPlan(JobView job, PreprocessJobView view, String provider) {
        MarketViews.ProviderView registered = ledger.marketProvider(provider);
        if (registered == null || view.planSha256() == null) return null;
        try {
            byte[] bytes = http.getBytes(registered.url() + "/jobs/" + job.id() + "/preprocess/plan");
            metrics.blobBytesIn(bytes.length);
            return Hashes.hex(Sha256.of(bytes)).equals(view.planSha256()) ? PipelinePlan.decode(bytes) : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Same surviving records after every step, but cut elsewhere (or declared with another shard count). */
    private static boolean wrongCut(PipelinePlan theirs, PipelinePlan mine, int declaredShards) {
        if (theirs.steps() != mine.steps()) return false;
        for (int t = 0; t <= mine.steps(); t++) {
            if (!Arrays.equals(theirs.originsAfter(t), mine.originsAfter(t))) return false;
        }
        return !Arrays.equals(theirs.shardEnds(), mine.shardEnds()) || declaredShards != mine.shardCount();
    }

    /**
     * Challenges the cut of the first shard whose end differs from this verifier's plan (where both plans still start
     * it at the same place), or of the first unverified shard when only the declared count is wrong. False when a
     * dispute opened; true when that shard is not (or no longer) challengeable, leaving the rest unattested.
     */
    private boolean challengeCut(JobView job, PreprocessSpec spec, InputDataset input, PipelinePlan mine, PipelinePlan theirs) {
        int[] a = mine.shardEnds(), b = theirs.shardEnds();
        int first = 0;
        while (first < Math.min(a.length, b.length) && a[first] == b[first]) first++;
        int shard = first + 1;
        if (first == Math.min(a.length, b.length) && a.length == b.length) {
            shard = 0; // the ends agree: only the declared count is wrong, any unverified shard shows it
            for (UnitView u : job.commits()) {
                if (!u.verified()) {
                    shard = u.unit();
                    break;
                }
            }
        }
        UnitView target = shard >= 1 && shard <= job.commits().size() ? job.commits().get(shard - 1) : null;
        if (target == null || target.verified()) {
            log.accept(name + ": job " + job.id() + " is cut wrongly from shard " + shard + ", which is not committed or already"
                    + " verified; not attested");
            return true;
        }
        log.accept(String.format("%s: job %d's plan cuts shard %d at %d, its own plan at %d: challenges the cut", name, job.id(),
                shard, shard - 1 < b.length ? b[shard - 1] : -1, shard - 1 < a.length ? a[shard - 1] : -1));
        return challenge(job.id(), shard, new PreprocessTx.ChallengeShardCut(job.id(), shard),
                PreprocessRun.of(spec.pipeline(), input, mine, Math.min(shard, mine.shardCount()) - 1), "cut ");
    }

    /** The provider's manifest and plan must be the declared ones and pass {@link ShardVerifier}; null when they do. */
    private String checkOutput(JobView job, PreprocessJobView view, PreprocessSpec spec, InputDataset input, PipelinePlan plan,
                               int k, String provider) {
        MarketViews.ProviderView registered = ledger.marketProvider(provider);
        if (registered == null) return "its provider has no registered URL";
        String base = registered.url() + "/jobs/" + job.id() + "/preprocess/";
        try {
            byte[] manifestJson = http.getBytes(base + "manifest");
            byte[] committedPlan = http.getBytes(base + "plan");
            metrics.blobBytesIn(manifestJson.length + committedPlan.length);
            if (!Hashes.hex(Sha256.of(manifestJson)).equals(view.manifestSha256())) return "the served manifest is not the declared one";
            if (!Hashes.hex(Sha256.of(committedPlan)).equals(view.planSha256())) return "the served plan is not the declared one";
            if (!Arrays.equals(committedPlan, plan.encode())) return "the declared plan differs from the recomputed one";
            Manifest manifest = Manifest.fromJson(new String(manifestJson, StandardCharsets.UTF_8));
            ShardVerifier.Result result = ShardVerifier.check(spec.pipeline(), input, PipelinePlan.decode(committedPlan), manifest, k);
            return result.passed() ? null : "the manifest's entry for the shard does not match (" + result + ")";
        } catch (RuntimeException e) {
            return "its output could not be fetched: " + e.getMessage();
        }
    }

    /**
     * Sends a challenge ({@code kind} "" for a shard's trace, "cut " for its cut) and tracks the dispute it opens with
     * {@code run}, the recomputation this verifier defends it with. False when it opened a dispute.
     */
    private boolean challenge(long jobId, int shard, TxBody challenge, PreprocessRun run, String kind) {
        TxResult result = wallet.submit(challenge);
        if (!result.accepted()) {
            log.accept(name + ": " + kind + "challenge rejected: " + result.code() + " " + result.message());
            return true;
        }
        metrics.unitChallenged();
        metrics.dispute();
        long disputeId = ledger.job(jobId).openDisputeId();
        disputes.track(disputeId, run);
        log.accept(name + " opened " + kind + "dispute " + disputeId + " on job " + jobId + " shard " + shard);
        return false;
    }
}
