package io.verigrid.node.provider;

import io.verigrid.engine.Fault;
import io.verigrid.engine.TrainingJob;
import io.verigrid.engine.ModelState;
import io.verigrid.engine.Parallelism;
import io.verigrid.ledger.DisputeView;
import io.verigrid.ledger.JobView;
import io.verigrid.ledger.Keys;
import io.verigrid.ledger.TxResult;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.node.blob.BlobAccessPolicy;
import io.verigrid.node.blob.BlobApi;
import io.verigrid.node.blob.BlobFetcher;
import io.verigrid.node.blob.BlobStore;
import io.verigrid.node.blob.CheckpointCodec;
import io.verigrid.node.blob.LedgerAccessPolicy;
import io.verigrid.node.http.ApiException;
import io.verigrid.node.http.HttpJsonClient;
import io.verigrid.node.http.NodeServer;
import io.verigrid.node.http.PathParams;
import io.verigrid.node.http.RequestAuth;
import io.verigrid.node.http.RequestSigner;
import io.verigrid.node.ledger.LedgerHttp;
import io.verigrid.node.ledger.Wallet;
import io.verigrid.node.market.MarketOffer;
import io.verigrid.node.market.ProviderMarket;
import io.verigrid.node.metrics.NodeMetrics;
import io.verigrid.node.preprocess.PreprocessInputs;
import io.verigrid.node.preprocess.PreprocessProvider;
import io.verigrid.node.work.DisputePlayer;
import io.verigrid.node.work.Execution;
import io.verigrid.node.work.JobDatasets;
import io.verigrid.node.work.RoleLoop;
import io.verigrid.verify.LocalRun;
import io.verigrid.verify.RefereeBounds;
import io.javalin.http.Context;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A provider: leases open jobs, trains them on the Verigrid engine, commits a state root per checkpoint
 * interval, serves its checkpoints from its blob store, and answers disputes about its work with moves
 * computed from its own execution. A {@link Fault} turns it into the cheater of a fault drill.
 *
 * <p>Checkpoints are blobs private to their job and pinned while this provider holds the lease; they are served
 * over signed HTTP to the job's buyer and staked verifiers only. A blob garbage collection runs every ten minutes.
 */
public final class ProviderNode implements AutoCloseable {
    /**
     * {@code fault} is null for an honest provider; {@code host}/{@code port} is where its HTTP API listens (port 0:
     * any free); {@code offer} (null: first-come jobs only) makes it register on the compute market and bid.
     */
    public record Config(String name, Keys keys, String ledgerUrl, Path dataDir, int threads, Fault fault, boolean startPaused, String host, int port,
                         MarketOffer offer) {
        public Config(String name, Keys keys, String ledgerUrl, Path dataDir, int threads, Fault fault, boolean startPaused, String host, int port) {
            this(name, keys, ledgerUrl, dataDir, threads, fault, startPaused, host, port, null);
        }

        /** A provider on loopback, on any free port. */
        public Config(String name, Keys keys, String ledgerUrl, Path dataDir, int threads, Fault fault, boolean startPaused) {
            this(name, keys, ledgerUrl, dataDir, threads, fault, startPaused, "127.0.0.1", 0);
        }
    }

    private static final Duration GC_EVERY = Duration.ofMinutes(10);
    private static final Duration GC_GRACE = Duration.ofHours(1);
    private final Config config;
    private final Consumer<String> log;
    private final NodeMetrics metrics = new NodeMetrics();
    private final BlobAccessPolicy policy;
    private final LedgerHttp ledger;
    /** The genesis max_referee_bytes, read once: params are fixed at genesis. 0 until read. */
    private volatile long maxRefereeBytes;
    private final Wallet wallet;
    private final BlobStore blobs;
    private final Parallelism par;
    private final JobDatasets datasets;
    private final Map<Long, Execution> executions = new ConcurrentHashMap<>();
    private final Map<String, String> checkpointBlobs = new ConcurrentHashMap<>();
    private final DisputePlayer disputes;
    private final PreprocessProvider preprocess;
    private final NodeServer server;
    private final RoleLoop loop;
    private final ProviderMarket market;
    /** Jobs checked for settleability: every dispute on them can be answered within max_referee_bytes, or not. */
    private final Map<Long, Boolean> settleable = new ConcurrentHashMap<>();
    private volatile boolean paused;
    private volatile Long activeJob;
    private long lastGcNanos = System.nanoTime();

    public ProviderNode(Config config, Consumer<String> log) {
        this.config = config;
        this.log = log;
        this.ledger = new LedgerHttp(config.ledgerUrl());
        this.wallet = new Wallet(config.name(), config.keys(), ledger);
        this.blobs = new BlobStore(config.dataDir().resolve("blobs"));
        this.par = Parallelism.of(config.threads());
        this.paused = config.startPaused();
        this.disputes = new DisputePlayer(wallet, ledger, log);
        this.policy = new LedgerAccessPolicy(ledger, wallet.address());
        HttpJsonClient peers = new HttpJsonClient(Duration.ofSeconds(30), new RequestSigner(config.keys(), Clock.systemUTC()));
        BlobFetcher fetcher = new BlobFetcher(blobs, peers, metrics, BlobApi.Limits.defaults().maxBlobBytes());
        BlobApi blobApi = new BlobApi(blobs, fetcher, policy, metrics, BlobApi.Limits.defaults());
        this.datasets = new JobDatasets(ledger, blobs, fetcher);
        this.preprocess = new PreprocessProvider(config.name(), wallet, ledger, blobs, policy, new PreprocessInputs(blobs, fetcher), par, metrics, log);
        RequestAuth auth = new RequestAuth(Clock.systemUTC(), Duration.ofSeconds(30));
        this.server = NodeServer.start(config.name(), config.host(), config.port(), metrics, app -> {
            app.get("/health", ctx -> ctx.json(Map.of("name", config.name(), "address", wallet.address(), "paused", paused)));
            blobApi.routes(app, auth);
            auth.protect(app, "/jobs/*");
            app.get("/jobs/{id}/checkpoints/{unit}", this::serveCheckpoint);
            app.get("/jobs/{id}/preprocess/{what}", preprocess::serve);
            app.get("/jobs/{id}/preprocess/shards/{shard}", preprocess::serve);
            // Operator controls: only from this machine.
            app.before("/admin/*", NodeServer::requireLoopback);
            app.post("/admin/pause", ctx -> { paused = true; ctx.json(Map.of("paused", true)); });
            app.post("/admin/resume", ctx -> { paused = false; ctx.json(Map.of("paused", false)); });
        });
        this.market = config.offer() == null ? null : new ProviderMarket(config.name(), config.offer(), wallet, ledger, server.url(), par,
                config.dataDir(), metrics, log, id -> settleable(id));
        this.loop = new RoleLoop(config.name(), 50, this::tick, log);
    }

    public String url() {
        return server.url();
    }

    public String address() {
        return wallet.address();
    }

    public Wallet wallet() {
        return wallet;
    }

    /** This provider's market role, or null when it takes first-come jobs only. */
    public ProviderMarket market() {
        return market;
    }

    public NodeMetrics metrics() {
        return metrics;
    }

    /** This provider's preprocessing work (its fault switch for drills). */
    public PreprocessProvider preprocess() {
        return preprocess;
    }

    /** A checkpoint is job data: only the job's buyer, its provider and staked verifiers may read it. */
    private void serveCheckpoint(Context ctx) {
        long jobId = PathParams.longParam(ctx, "id", 0);
        int unit = PathParams.intParam(ctx, "unit", 0);
        String caller = RequestAuth.callerOf(ctx);
        if (!policy.allows(caller, jobId)) {
            throw new ApiException(403, "FORBIDDEN", "checkpoints of job " + jobId + " go to its buyer, its provider and staked verifiers, not to " + caller);
        }
        String hash = checkpointBlobs.get(jobId + "/" + unit);
        byte[] bytes = hash == null ? null : blobs.get(hash).orElse(null);
        if (bytes == null) throw ApiException.notFound("checkpoint " + unit + " of job " + jobId);
        metrics.blobBytesOut(bytes.length);
        ctx.contentType("application/octet-stream").header("X-Verigrid-Blob", hash).result(bytes);
    }

    /** One pass of the provider's work: answer disputes first (they have deadlines), then train. */
    private void tick() {
        collectGarbage();
        answerDisputes();
        preprocess.answerDisputes();
        if (market != null && !paused) {
            market.tick();
            Long leased = market.leasedJob();
            if (activeJob == null && leased != null) {
                activeJob = leased;
                metrics.leaseWon();
                log.accept(config.name() + " won the auction for job " + leased);
            }
        }
        Long jobId = activeJob;
        if (jobId != null) {
            JobView job = ledger.job(jobId);
            if (!PreprocessProvider.handles(job)) advance(job);
            else if (!preprocess.advance(job)) activeJob = null;
        } else if (!paused && market == null) {
            leaseNextJob(); // a market provider takes work only through auctions
        }
    }

    /** Every open dispute about a unit this provider committed gets its move, computed from its own execution. */
    private void answerDisputes() {
        for (Map.Entry<Long, Execution> entry : executions.entrySet()) {
            JobView job = ledger.job(entry.getKey());
            long disputeId = job.openDisputeId();
            if (disputeId == 0 || disputes.tracks(disputeId)) continue;
            DisputeView view = ledger.dispute(disputeId);
            if (!wallet.address().equals(view.provider())) continue;
            Execution run = entry.getValue();
            int unit = view.unit();
            metrics.dispute();
            disputes.track(disputeId, LocalRun.execute(run.job(), run.dataset(), run.checkpoint(unit - 1),
                    (long) unit * run.job().checkpointInterval(), par, config.fault(), maxRefereeBytes()));
        }
        disputes.playAll();
    }

    private void leaseNextJob() {
        for (JobView job : ledger.jobs()) {
            if (!"OPEN".equals(job.status()) || job.bannedProviders().contains(wallet.address())) continue;
            if (PreprocessProvider.handles(job)) continue; // market orders only
            if (!settleable(job)) continue;
            TrainingJob spec = job.spec();
            TxResult result = wallet.submit(new TxBody.AcceptJob(job.id()));
            if (result.accepted()) {
                log.accept(config.name() + " leased job " + job.id() + " (" + job.units() + " units of " + spec.checkpointInterval() + " steps)");
                metrics.jobLeased();
                activeJob = job.id();
                return;
            }
        }
    }

    /** Trains and commits the next checkpoint unit of the leased job. */
    private void advance(JobView job) {
        if (!wallet.address().equals(job.lessee()) || !"LEASED".equals(job.status())) {
            activeJob = null;
            releaseCheckpoints(job.id());
            return;
        }
        Execution run = executions.get(job.id());
        if (run == null) {
            TrainingJob spec = job.spec();
            // A blob dataset (and a fine-tuning job's base checkpoint) is fetched and checked before training.
            run = new Execution(spec, datasets.of(job, spec), datasets.initialState(job, spec), par, config.fault());
            executions.put(job.id(), run);
        }
        int committed = job.nextUnit() - 1;
        if (committed == run.job().units()) {
            return; // all committed; the job closes once every unit is verified
        }
        if (committed > 0 && !run.hasCheckpoint(committed)) {
            resumeFrom(job, run, committed);
        }
        int unit = committed + 1;
        ModelState state = run.checkpoint(unit);
        byte[] root = run.root(state);
        checkpointBlobs.put(job.id() + "/" + unit, keepCheckpoint(job.id(), state));
        checkpointBlobs.putIfAbsent(job.id() + "/" + (unit - 1), keepCheckpoint(job.id(), run.checkpoint(unit - 1)));
        TxResult result = wallet.submit(new TxBody.CommitUnit(job.id(), unit, root));
        if (result.accepted()) {
            metrics.unitCommitted();
            log.accept(String.format("%s committed job %d unit %d/%d  root %s  loss %.4f", config.name(), job.id(), unit,
                    run.job().units(), HexFormat.of().formatHex(root).substring(0, 16), run.loss(unit)));
        } else {
            log.accept(config.name() + " could not commit job " + job.id() + " unit " + unit + ": " + result.code() + " " + result.message());
        }
    }

    /** Stores a checkpoint as a blob private to its job, pinned while this provider holds the lease. */
    private String keepCheckpoint(long jobId, ModelState state) {
        String id = blobs.put(CheckpointCodec.encode(state));
        if (blobs.privateJob(id).isEmpty()) blobs.markPrivate(id, jobId);
        blobs.pin(id);
        return id;
    }

    /** The lease is over (job done, or lost in a dispute): its checkpoints are served until the GC takes them. */
    private void releaseCheckpoints(long jobId) {
        checkpointBlobs.forEach((key, id) -> {
            if (key.startsWith(jobId + "/")) blobs.unpin(id);
        });
    }

    private void collectGarbage() {
        if (System.nanoTime() - lastGcNanos < GC_EVERY.toNanos()) return;
        lastGcNanos = System.nanoTime();
        BlobStore.GcReport report = blobs.gc(GC_GRACE);
        if (report.blobsDeleted() > 0) log.accept(config.name() + " collected " + report.blobsDeleted() + " unpinned blobs (" + report.bytesFreed() + " bytes)");
    }

    /** A re-leased job continues from the last agreed root: recompute it, and refuse to build on a root that differs. */
    private void resumeFrom(JobView job, Execution run, int committed) {
        ModelState state = run.checkpoint(committed);
        byte[] root = run.root(state);
        if (!Arrays.equals(root, HexFormat.of().parseHex(job.commits().get(committed - 1).root()))) {
            throw new IllegalStateException("job " + job.id() + ": recomputed root of unit " + committed + " does not match the ledger's");
        }
        log.accept(config.name() + " resumed job " + job.id() + " from unit " + committed + " (recomputed " + state.step() + " steps, root matches the ledger)");
    }

    @Override
    public void close() {
        if (market != null) market.close();
        loop.close();
        server.close();
        par.close();
    }

    /** The bound every dispute trace is tiled under (spec §2), from the ledger's params. */
    /**
     * Whether every dispute on {@code job} could be answered with evidence within the chain's max_referee_bytes
     * ({@link RefereeBounds}): an honest provider takes no job it could be made to lose. Costs fetching the dataset and
     * one traced step, once per job; a fetch that fails is tried again at the next look.
     */
    private boolean settleable(long jobId) {
        Boolean known = settleable.get(jobId);
        return known != null ? known : settleable(ledger.job(jobId));
    }

    private boolean settleable(JobView job) {
        if (PreprocessProvider.handles(job)) return true;
        Boolean known = settleable.get(job.id());
        if (known != null) return known;
        try {
            TrainingJob spec = job.spec();
            RefereeBounds.check(spec, datasets.of(job, spec), datasets.initialState(job, spec), maxRefereeBytes());
            settleable.put(job.id(), true);
        } catch (IllegalArgumentException e) {
            log.accept(config.name() + " takes no part in job " + job.id() + ": " + e.getMessage());
            settleable.put(job.id(), false);
        } catch (RuntimeException e) {
            log.accept(config.name() + " cannot check job " + job.id() + " yet: " + e.getMessage());
            return false;
        }
        return settleable.get(job.id());
    }

    private long maxRefereeBytes() {
        if (maxRefereeBytes == 0) maxRefereeBytes = ledger.params().maxRefereeBytes();
        return maxRefereeBytes;
    }
}
