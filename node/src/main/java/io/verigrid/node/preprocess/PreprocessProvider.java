package io.verigrid.node.preprocess;

import io.javalin.http.Context;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.data.InputDataset;
import io.verigrid.engine.data.Manifest;
import io.verigrid.engine.data.Pipeline;
import io.verigrid.engine.data.PipelineOutput;
import io.verigrid.engine.data.PipelinePlan;
import io.verigrid.engine.data.Sha256;
import io.verigrid.engine.data.Shard;
import io.verigrid.ledger.DisputeView;
import io.verigrid.ledger.JobView;
import io.verigrid.ledger.PreprocessJobView;
import io.verigrid.ledger.PreprocessSpec;
import io.verigrid.ledger.TxResult;
import io.verigrid.ledger.tx.PreprocessTx;
import io.verigrid.node.blob.BlobAccessPolicy;
import io.verigrid.node.blob.BlobStore;
import io.verigrid.node.http.ApiException;
import io.verigrid.node.http.PathParams;
import io.verigrid.node.http.RequestAuth;
import io.verigrid.node.ledger.LedgerHttp;
import io.verigrid.node.ledger.Wallet;
import io.verigrid.node.metrics.NodeMetrics;
import io.verigrid.verify.Hashes;
import io.verigrid.verify.PreprocessFault;
import io.verigrid.verify.PreprocessRun;
import io.verigrid.verify.ShardCommitments;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A provider's preprocessing work: for a leased preprocessing job it fetches the input (checked against the ledger),
 * runs the pipeline, keeps the plan, the manifest and every shard in its blob store (private to the job, pinned while
 * it holds the lease), commits the shards one by one, serves them to the job's buyer and staked verifiers, and
 * answers disputes about its shards from its own run. {@link #fault} turns it into a cheat drill's provider.
 */
public final class PreprocessProvider {
    /** One job's run: what was committed and where it is kept. */
    private record Output(PreprocessSpec spec, InputDataset input, PreprocessFault fault, PipelinePlan plan, List<byte[]> shardRoots,
                          byte[] planSha256, byte[] manifestSha256, String planBlob, String manifestBlob, List<String> shardBlobs) {}

    private final String name;
    private final Wallet wallet;
    private final LedgerHttp ledger;
    private final BlobStore blobs;
    private final BlobAccessPolicy policy;
    private final PreprocessInputs inputs;
    private final NodeMetrics metrics;
    private final Consumer<String> log;
    private final PreprocessPlayer disputes;
    private final Parallelism par;
    private final Map<Long, Output> outputs = new ConcurrentHashMap<>();
    private volatile PreprocessFault fault;

    public PreprocessProvider(String name, Wallet wallet, LedgerHttp ledger, BlobStore blobs, BlobAccessPolicy policy,
                              PreprocessInputs inputs, Parallelism par, NodeMetrics metrics, Consumer<String> log) {
        this.name = name;
        this.par = par;
        this.wallet = wallet;
        this.ledger = ledger;
        this.blobs = blobs;
        this.policy = policy;
        this.inputs = inputs;
        this.metrics = metrics;
        this.log = log;
        this.disputes = new PreprocessPlayer(wallet, ledger, log);
    }

    /** True when {@code job} is a preprocessing job (order kind 4, its spec a {@link PreprocessSpec}). */
    public static boolean handles(JobView job) {
        return "preprocess".equals(job.kind());
    }

    /** The cheat of a fault drill from the next job this provider runs on (null: honest). */
    public void fault(PreprocessFault fault) {
        this.fault = fault;
    }

    /**
     * Commits the next shard of a leased preprocessing job, running the pipeline first if needed. False when this
     * provider no longer holds the lease (its blobs are then unpinned and served until the GC takes them).
     */
    public boolean advance(JobView job) {
        if (!wallet.address().equals(job.lessee()) || !"LEASED".equals(job.status())) {
            release(job.id());
            return false;
        }
        Output out = outputs.computeIfAbsent(job.id(), id -> run(job));
        int shard = job.nextUnit();
        if (shard > out.plan().shardCount()) return true; // all committed; paid as they are verified
        byte[] root = out.shardRoots().get(shard - 1);
        TxResult result = wallet.submit(new PreprocessTx.CommitShard(job.id(), shard, root, out.planSha256(), out.manifestSha256(),
                out.plan().shardCount()));
        if (result.accepted()) {
            metrics.unitCommitted();
            log.accept(String.format("%s committed job %d shard %d/%d  root %s", name, job.id(), shard, out.plan().shardCount(),
                    Hashes.hex(root).substring(0, 16)));
        } else {
            log.accept(name + " could not commit job " + job.id() + " shard " + shard + ": " + result.code() + " " + result.message());
        }
        return true;
    }

    private Output run(JobView job) {
        PreprocessJobView view = ledger.preprocessJob(job.id());
        PreprocessSpec spec = PreprocessSpec.decode(HexFormat.of().parseHex(job.jobSpec()));
        InputDataset input = inputs.of(view);
        PreprocessFault cheat = fault;
        PipelinePlan plan;
        List<Shard> shards = new ArrayList<>();
        if (cheat == null) {
            // The honest run in one pass, map steps split across the engine threads (bits independent of their count).
            PipelineOutput out = Pipeline.run(spec.pipeline(), input, par, null);
            plan = out.plan();
            shards.addAll(out.shards());
        } else {
            plan = PreprocessFault.plan(spec.pipeline(), input, cheat);
            for (int k = 0; k < plan.shardCount(); k++) shards.add(PreprocessFault.trace(spec.pipeline(), input, plan, k, cheat).shard());
        }
        List<byte[]> roots = new ArrayList<>();
        List<String> shardBlobs = new ArrayList<>();
        for (Shard shard : shards) {
            roots.add(ShardCommitments.shardRoot(shard));
            shardBlobs.add(keep(job.id(), shard.encode()));
        }
        Manifest manifest = Manifest.of(spec.pipeline(), input, plan, shards);
        byte[] manifestJson = manifest.toJson().getBytes(StandardCharsets.UTF_8);
        log.accept(String.format("%s ran job %d: %d input records -> %d records in %d shards%s", name, job.id(), input.size(),
                plan.countAfter(plan.steps()), plan.shardCount(), cheat == null ? "" : " (cheating: " + cheat + ")"));
        return new Output(spec, input, cheat, plan, roots, plan.sha256(), Sha256.of(manifestJson), keep(job.id(), plan.encode()),
                keep(job.id(), manifestJson), shardBlobs);
    }

    private String keep(long jobId, byte[] bytes) {
        String id = blobs.put(bytes);
        if (blobs.privateJob(id).isEmpty()) blobs.markPrivate(id, jobId);
        blobs.pin(id);
        return id;
    }

    private void release(long jobId) {
        Output out = outputs.get(jobId);
        if (out == null) return;
        blobs.unpin(out.planBlob());
        blobs.unpin(out.manifestBlob());
        out.shardBlobs().forEach(blobs::unpin);
    }

    /** Every open dispute about a shard this provider committed gets its move, computed from its own run. */
    public void answerDisputes() {
        for (Map.Entry<Long, Output> entry : outputs.entrySet()) {
            JobView job = ledger.job(entry.getKey());
            long disputeId = job.openDisputeId();
            if (disputeId == 0 || disputes.tracks(disputeId)) continue;
            DisputeView view = ledger.dispute(disputeId);
            if (!wallet.address().equals(view.provider())) continue;
            Output out = entry.getValue();
            metrics.dispute();
            // The disputed shard's trace, recomputed alone from this provider's own plan (and its own fault, in a drill).
            disputes.track(disputeId, PreprocessRun.of(out.spec().pipeline(), out.input(), out.plan(),
                    PreprocessFault.trace(out.spec().pipeline(), out.input(), out.plan(), view.unit() - 1, out.fault())));
        }
        disputes.playAll();
    }

    /** {@code GET /jobs/{id}/preprocess/plan}, {@code …/manifest}, {@code …/shards/{shard}} (1-based): job data, as checkpoints are. */
    public void serve(Context ctx) {
        long jobId = PathParams.longParam(ctx, "id", 0);
        String caller = RequestAuth.callerOf(ctx);
        if (!policy.allows(caller, jobId)) {
            throw new ApiException(403, "FORBIDDEN", "preprocessing output of job " + jobId + " goes to its buyer, its provider and staked verifiers, not to " + caller);
        }
        Output out = outputs.get(jobId);
        if (out == null) throw ApiException.notFound("preprocessing output of job " + jobId);
        boolean isShard = ctx.pathParamMap().containsKey("shard");
        String what = isShard ? "shard " + ctx.pathParam("shard") : ctx.pathParam("what");
        String blob;
        if (what.equals("plan")) {
            blob = out.planBlob();
        } else if (what.equals("manifest")) {
            blob = out.manifestBlob();
        } else if (!isShard) {
            throw ApiException.notFound("'" + what + "' of job " + jobId + " (plan, manifest or shards/{shard})");
        } else {
            int shard = PathParams.intParam(ctx, "shard", 0);
            if (shard < 1 || shard > out.shardBlobs().size()) throw ApiException.notFound("shard " + shard + " of job " + jobId);
            blob = out.shardBlobs().get(shard - 1);
        }
        byte[] bytes = blobs.get(blob).orElseThrow(() -> ApiException.notFound(what + " of job " + jobId));
        metrics.blobBytesOut(bytes.length);
        ctx.contentType("application/octet-stream").header("X-Verigrid-Blob", blob).result(bytes);
    }
}
