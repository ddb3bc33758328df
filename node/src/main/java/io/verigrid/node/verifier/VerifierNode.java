package io.verigrid.node.verifier;

import io.verigrid.engine.Fault;
import io.verigrid.engine.TrainingJob;
import io.verigrid.engine.ModelState;
import io.verigrid.engine.Parallelism;
import io.verigrid.ledger.JobView;
import io.verigrid.ledger.Keys;
import io.verigrid.ledger.TxResult;
import io.verigrid.ledger.UnitView;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.node.blob.BlobApi;
import io.verigrid.node.blob.BlobFetcher;
import io.verigrid.node.blob.BlobStore;
import io.verigrid.node.blob.CheckpointCodec;
import io.verigrid.node.blob.LedgerAccessPolicy;
import io.verigrid.node.http.HttpJsonClient;
import io.verigrid.node.http.NodeServer;
import io.verigrid.node.http.RequestAuth;
import io.verigrid.node.http.RequestSigner;
import io.verigrid.node.ledger.LedgerHttp;
import io.verigrid.node.ledger.Wallet;
import io.verigrid.node.metrics.NodeMetrics;
import io.verigrid.node.preprocess.PreprocessInputs;
import io.verigrid.node.preprocess.PreprocessProvider;
import io.verigrid.node.preprocess.PreprocessVerifier;
import io.verigrid.node.work.DisputePlayer;
import io.verigrid.node.work.JobDatasets;
import io.verigrid.node.work.RoleLoop;
import io.verigrid.verify.Commitments;
import io.verigrid.verify.LocalRun;
import io.verigrid.verify.Sampling;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A verifier: for every committed unit it learns the sample seed (a block hash the provider could not know when it
 * committed), re-executes the sampled units from the provider's previous checkpoint, attests when the bits agree
 * and challenges when they do not, then plays the dispute as the challenger. It fetches checkpoints with signed
 * requests (providers serve job data only to staked verifiers) and serves its own blob store like every node.
 */
public final class VerifierNode implements AutoCloseable {
    /**
     * {@code providers} maps a provider's address to its node URL, where its checkpoints are served; {@code dataDir}
     * holds the verifier's blob store (null: a directory under the system temporary directory); {@code host}/{@code port}
     * is where its HTTP API listens (port 0: any free); {@code fault} is null for an honest verifier, else the drill
     * cheat its re-execution applies, which makes it a dishonest challenger.
     */
    public record Config(String name, Keys keys, String ledgerUrl, int threads, Map<String, String> providers, Path dataDir,
                         String host, int port, Fault fault) {
        /** An honest verifier. */
        public Config(String name, Keys keys, String ledgerUrl, int threads, Map<String, String> providers, Path dataDir,
                      String host, int port) {
            this(name, keys, ledgerUrl, threads, providers, dataDir, host, port, null);
        }

        /** A verifier on loopback, on any free port, with its blob store in a temporary directory. */
        public Config(String name, Keys keys, String ledgerUrl, int threads, Map<String, String> providers) {
            this(name, keys, ledgerUrl, threads, providers, null, "127.0.0.1", 0);
        }
    }

    private final Config config;
    private final Consumer<String> log;
    private final LedgerHttp ledger;
    /** The genesis max_referee_bytes, read once: params are fixed at genesis. 0 until read. */
    private volatile long maxRefereeBytes;
    private final Wallet wallet;
    private final Parallelism par;
    private final HttpJsonClient http;
    private final JobDatasets datasets;
    private final NodeMetrics metrics = new NodeMetrics();
    private final Set<String> decided = new HashSet<>();
    private final DisputePlayer disputes;
    private final PreprocessVerifier preprocess;
    private final NodeServer server;
    private final RoleLoop loop;

    public VerifierNode(Config config, Consumer<String> log) {
        this.config = config;
        this.log = log;
        this.ledger = new LedgerHttp(config.ledgerUrl());
        this.wallet = new Wallet(config.name(), config.keys(), ledger);
        this.par = Parallelism.of(config.threads());
        this.disputes = new DisputePlayer(wallet, ledger, log);
        this.http = new HttpJsonClient(Duration.ofSeconds(30), new RequestSigner(config.keys(), Clock.systemUTC()));
        BlobStore blobs = new BlobStore(dataDir(config).resolve("blobs"));
        BlobFetcher fetcher = new BlobFetcher(blobs, http, metrics, BlobApi.Limits.defaults().maxBlobBytes());
        BlobApi blobApi = new BlobApi(blobs, fetcher, new LedgerAccessPolicy(ledger, wallet.address()), metrics, BlobApi.Limits.defaults());
        this.datasets = new JobDatasets(ledger, blobs, fetcher);
        this.preprocess = new PreprocessVerifier(config.name(), wallet, ledger, http, new PreprocessInputs(blobs, fetcher), par, metrics, log);
        RequestAuth auth = new RequestAuth(Clock.systemUTC(), Duration.ofSeconds(30));
        this.server = NodeServer.start(config.name(), config.host(), config.port(), metrics, app -> {
            app.get("/health", ctx -> ctx.json(Map.of("name", config.name(), "address", wallet.address())));
            blobApi.routes(app, auth);
        });
        this.loop = new RoleLoop(config.name(), 50, this::tick, log);
    }

    public String url() {
        return server.url();
    }

    public Wallet wallet() {
        return wallet;
    }

    public NodeMetrics metrics() {
        return metrics;
    }

    private static Path dataDir(Config config) {
        if (config.dataDir() != null) return config.dataDir();
        try {
            return java.nio.file.Files.createTempDirectory("verigrid-" + config.name());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot create a data directory for " + config.name(), e);
        }
    }

    private void tick() {
        disputes.playAll();
        preprocess.playAll();
        for (JobView job : ledger.jobs()) {
            if (PreprocessProvider.handles(job)) {
                preprocess.check(job);
                continue;
            }
            // While a dispute is open the units after it may be dropped; judge them once it settles.
            if (job.openDisputeId() != 0) continue;
            for (UnitView commit : job.commits()) {
                int unit = commit.unit();
                String key = job.id() + "/" + unit + "/" + commit.root();
                if (commit.verified() || decided.contains(key)) continue;
                byte[] seed = ledger.sampleSeed(job.id(), unit);
                if (seed == null) continue; // the block that seeds the sample does not exist yet
                decided.add(key);
                if (!Sampling.sampled(seed, job.id(), wallet.keys().publicKey(), unit, job.samplePpm())) {
                    log.accept(String.format("%s: job %d unit %d not in the sample (p = %.2f); it is paid after the challenge window",
                            config.name(), job.id(), unit, job.samplePpm() / 1e6));
                    continue;
                }
                check(job, commit);
            }
        }
    }

    /** Re-executes one unit from the provider's checkpoint before it and compares the root bit for bit. */
    private void check(JobView job, UnitView commit) {
        int unit = commit.unit();
        TrainingJob spec = job.spec();
        ModelState start = unit == 1 ? datasets.initialState(job, spec) : fetchCheckpoint(job, unit - 1);
        // Traced under the chain's max_referee_bytes, so a dispute from this run bisects the tiles the ledger referees.
        LocalRun run = LocalRun.execute(spec, datasets.of(job, spec), start, (long) unit * spec.checkpointInterval(), par,
                config.fault(), maxRefereeBytes());
        byte[] mine = run.stateRoot(run.lastStep());
        byte[] committed = HexFormat.of().parseHex(commit.root());
        String short16 = HexFormat.of().formatHex(mine).substring(0, 16);
        if (Arrays.equals(mine, committed)) {
            TxResult result = wallet.submit(new TxBody.Attest(job.id(), unit, mine));
            if (result.accepted()) metrics.unitVerified();
            log.accept(String.format("%s re-executed job %d unit %d (steps %d..%d): root %s equals the commitment, attests: %s",
                    config.name(), job.id(), unit, start.step() + 1, run.lastStep(), short16, result.accepted() ? "accepted" : "rejected " + result.code()));
            return;
        }
        log.accept(String.format("%s re-executed job %d unit %d (steps %d..%d): root %s but provider %s… committed %s: challenge",
                config.name(), job.id(), unit, start.step() + 1, run.lastStep(), short16, commit.provider().substring(0, 8),
                HexFormat.of().formatHex(committed).substring(0, 16)));
        TxResult result = wallet.submit(new TxBody.Challenge(job.id(), unit, mine));
        if (!result.accepted()) {
            log.accept(config.name() + ": challenge rejected: " + result.code() + " " + result.message());
            return;
        }
        metrics.unitChallenged();
        metrics.dispute();
        long disputeId = ledger.job(job.id()).openDisputeId();
        disputes.track(disputeId, run);
        log.accept(config.name() + " opened dispute " + disputeId + " on job " + job.id() + " unit " + unit);
    }

    /** The provider's checkpoint, accepted only if its state root is the one committed on the ledger. */
    private ModelState fetchCheckpoint(JobView job, int unit) {
        byte[] expected = HexFormat.of().parseHex(job.commits().get(unit - 1).root());
        List<String> failures = new ArrayList<>();
        // The committer's URL as registered on the market first, then the configured ones.
        java.util.LinkedHashSet<String> urls = new java.util.LinkedHashSet<>();
        io.verigrid.ledger.MarketViews.ProviderView registered = ledger.marketProvider(job.commits().get(unit - 1).provider());
        if (registered != null) urls.add(registered.url());
        urls.addAll(config.providers().values());
        for (String url : urls) {
            try {
                byte[] bytes = http.getBytes(url + "/jobs/" + job.id() + "/checkpoints/" + unit);
                ModelState state = CheckpointCodec.decode(bytes);
                if (Arrays.equals(Commitments.stateRoot(state), expected)) {
                    metrics.blobBytesIn(bytes.length);
                    return state;
                }
                failures.add(url + ": state root differs from the commitment");
            } catch (RuntimeException e) {
                failures.add(url + ": " + e.getMessage()); // this provider does not hold it; try the next
            }
        }
        throw new IllegalStateException("no provider serves checkpoint " + unit + " of job " + job.id() + " with the committed root: "
                + String.join("; ", failures));
    }

    @Override
    public void close() {
        loop.close();
        server.close();
        par.close();
    }

    /** The bound every dispute trace is tiled under (spec §2), from the ledger's params. */
    private long maxRefereeBytes() {
        if (maxRefereeBytes == 0) maxRefereeBytes = ledger.params().maxRefereeBytes();
        return maxRefereeBytes;
    }
}
