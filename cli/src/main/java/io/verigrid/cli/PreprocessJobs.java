package io.verigrid.cli;

import io.verigrid.engine.data.InputDataset;
import io.verigrid.engine.data.Manifest;
import io.verigrid.engine.data.PipelinePlan;
import io.verigrid.engine.data.Sha256;
import io.verigrid.engine.data.Shard;
import io.verigrid.ledger.JobView;
import io.verigrid.ledger.Keys;
import io.verigrid.ledger.MarketViews.ProviderView;
import io.verigrid.ledger.PreprocessJobView;
import io.verigrid.ledger.UnitView;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.node.blob.BlobStore;
import io.verigrid.node.blob.RetrievabilityChallenge;
import io.verigrid.node.http.ApiException;
import io.verigrid.node.http.HttpJsonClient;
import io.verigrid.node.http.RequestSigner;
import io.verigrid.node.ledger.LedgerHttp;
import io.verigrid.verify.Hashes;
import io.verigrid.verify.ShardCommitments;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The buyer's side of a preprocessing job: publish the input corpus to its replicas before posting the order, show
 * the job's shards, and download the finished shards and manifest, each checked against what the ledger holds.
 */
final class PreprocessJobs {
    private PreprocessJobs() {}

    /** Publishes the manifest's input as a blob private to job {@code jobId} and returns the order to post. */
    static TxBody.PostOrder publish(PreprocessManifest m, Path manifestFile, Path home, Keys keys, long jobId) {
        InputDataset input = m.readInput(manifestFile);
        HttpJsonClient http = new HttpJsonClient(Duration.ofSeconds(60), new RequestSigner(keys, Clock.systemUTC()));
        BlobStore local = new BlobStore(home.resolve("blobs"));
        DatasetPublisher publisher = new DatasetPublisher(local, http, new RetrievabilityChallenge(local, http, new SecureRandom()));
        DatasetPublisher.Published published = publisher.publish(io.verigrid.node.preprocess.PreprocessInputs.encode(input),
                ShardCommitments.inputRoot(input), m.input().replicas(), jobId);
        published.log().forEach(System.err::println);
        return m.toOrder(input.size(), published.datasetRoot(), published.blob());
    }

    /** The preprocessing facts of a job, or null when it is another kind. */
    static PreprocessJobView view(LedgerHttp ledger, long jobId) {
        try {
            return ledger.preprocessJob(jobId);
        } catch (ApiException e) {
            if (e.status() == 404) return null;
            throw e;
        }
    }

    /** What {@code job status} adds for a preprocessing job: the declared plan and each shard's commitment. */
    record Status(PreprocessJobView job, List<UnitView> shards) {
        String text() {
            StringBuilder sb = new StringBuilder();
            sb.append("  input               ").append(job.inputRecords()).append(" records, root ").append(job.inputRoot(), 0, 16).append("…\n");
            sb.append("  shards              ").append(job.shardCount() == 0 ? "not declared yet" : job.shardCount() + " declared")
                    .append(" (at most ").append(job.maxShards()).append(")\n");
            if (job.planSha256() != null) {
                sb.append("  plan / manifest     ").append(job.planSha256(), 0, 16).append("… / ").append(job.manifestSha256(), 0, 16).append("…\n");
            }
            for (UnitView u : shards) {
                sb.append("  shard ").append(u.unit()).append(": root ").append(u.root(), 0, 16).append("… ")
                        .append(u.verified() ? "verified (" + u.verifiedBy() + ")" : "committed at block " + u.commitHeight()).append('\n');
            }
            return sb.toString().stripTrailing();
        }
    }

    /** What {@code job result} wrote. */
    record Downloaded(Path dir, int shards, long records, String manifestSha256) {}

    /**
     * Fetches the manifest, the plan and every shard of a finished job from the provider of its last shard, checks
     * each against the ledger (manifest and plan hashes as declared, every shard's records root as committed) and
     * writes {@code manifest.json}, {@code plan.bin} and {@code shard-NNNNN.bin} (the shards' canonical bytes) to {@code dir}.
     */
    static Downloaded download(LedgerHttp ledger, JobView job, PreprocessJobView view, Keys keys, Path dir) {
        UnitView last = job.commits().get(job.commits().size() - 1);
        ProviderView provider = ledger.marketProvider(last.provider());
        if (provider == null) throw new IllegalStateException("the provider of the last shard " + last.provider() + " is not registered");
        HttpJsonClient http = new HttpJsonClient(Duration.ofSeconds(60), new RequestSigner(keys, Clock.systemUTC()));
        String base = provider.url() + "/jobs/" + job.id() + "/preprocess/";
        byte[] manifestJson = http.getBytes(base + "manifest");
        byte[] plan = http.getBytes(base + "plan");
        if (!Hashes.hex(Sha256.of(manifestJson)).equals(view.manifestSha256())) {
            throw new IllegalStateException("the provider served a manifest whose SHA-256 is not the declared " + view.manifestSha256());
        }
        if (!Hashes.hex(Sha256.of(plan)).equals(view.planSha256())) {
            throw new IllegalStateException("the provider served a plan whose SHA-256 is not the declared " + view.planSha256());
        }
        Manifest manifest = Manifest.fromJson(new String(manifestJson, StandardCharsets.UTF_8));
        PipelinePlan.decode(plan);
        List<byte[]> shards = new ArrayList<>();
        for (UnitView u : job.commits()) {
            byte[] bytes = http.getBytes(base + "shards/" + u.unit());
            Shard shard = Shard.decode(bytes);
            String root = Hashes.hex(ShardCommitments.shardRoot(shard));
            if (!root.equals(u.root())) {
                throw new IllegalStateException("shard " + u.unit() + " has records root " + root + ", the ledger holds " + u.root());
            }
            if (!manifest.shards().get(u.unit() - 1).sha256().equals(Sha256.hex(shard.sha256()))) {
                throw new IllegalStateException("shard " + u.unit() + " is not the manifest's entry");
            }
            shards.add(bytes);
        }
        try {
            Files.createDirectories(dir);
            Files.write(dir.resolve("manifest.json"), manifestJson);
            Files.write(dir.resolve("plan.bin"), plan);
            for (int k = 0; k < shards.size(); k++) Files.write(dir.resolve(String.format("shard-%05d.bin", k + 1)), shards.get(k));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to " + dir, e);
        }
        return new Downloaded(dir, shards.size(), manifest.records(), view.manifestSha256());
    }
}
