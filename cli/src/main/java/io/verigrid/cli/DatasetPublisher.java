package io.verigrid.cli;

import io.verigrid.engine.Dataset;
import io.verigrid.engine.TrainingJob;
import io.verigrid.engine.io.Safetensors;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.node.blob.BlobStore;
import io.verigrid.node.blob.BlobUploader;
import io.verigrid.node.blob.DatasetCodec;
import io.verigrid.node.blob.RetrievabilityChallenge;
import io.verigrid.node.http.HttpJsonClient;
import io.verigrid.node.work.JobDatasets;
import io.verigrid.verify.Commitments;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Puts a buyer's dataset where its job can reach it before the order exists: the tensors are encoded canonically
 * ({@link DatasetCodec}) into a blob, uploaded to every replica (only the chunks a replica lacks, so a broken upload
 * resumes), marked private to the job the order will open, and each replica must then answer
 * {@link #CHALLENGES} retrievability challenges on random chunks. Fewer than {@link JobManifest#MIN_REPLICAS}
 * proven holders and nothing is posted.
 */
final class DatasetPublisher {
    static final int CHALLENGES = 3;

    /** What was published: the blob, its tensors' root (the job's dataset commitment; null for a checkpoint) and what each replica did. */
    record Published(TxBody.DatasetBlob blob, byte[] datasetRoot, List<String> log) {}

    private final BlobStore local;
    private final HttpJsonClient http;
    private final RetrievabilityChallenge challenge;

    DatasetPublisher(BlobStore local, HttpJsonClient http, RetrievabilityChallenge challenge) {
        this.local = local;
        this.http = http;
        this.challenge = challenge;
    }

    /** Reads {@code file} (safetensors: {@code x} and {@code y} for mlp, {@code tokens} for lm) as the dataset of {@code spec}. */
    static Dataset read(Path file, TrainingJob spec) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read dataset file " + file + ": " + e.getMessage());
        }
        Dataset dataset;
        try {
            dataset = new Dataset(Safetensors.decode(bytes).tensors());
            JobDatasets.requireShapes(dataset, spec, file.toString());
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new IllegalArgumentException("dataset file " + file + ": " + e.getMessage());
        }
        return dataset;
    }

    /** Publishes {@code dataset} to {@code replicas} as private to job {@code jobId}; throws unless enough replicas prove they hold it. */
    Published publish(Dataset dataset, List<String> replicas, long jobId) {
        return publish(DatasetCodec.encode(dataset), Commitments.datasetRoot(dataset), replicas, jobId);
    }

    /** As {@link #publish(Dataset, List, long)} for any canonical bytes whose commitment is {@code root} (a preprocessing input). */
    Published publish(byte[] bytes, byte[] root, List<String> replicas, long jobId) {
        String id = local.put(bytes);
        Published held = publishBlob(id, replicas, jobId);
        return new Published(held.blob(), root.clone(), held.log());
    }

    /**
     * Publishes blob {@code id} of the local store (a fine-tuning job's base checkpoint, or a dataset's blob) to
     * {@code replicas}, private to job {@code jobId}; throws unless enough replicas prove they hold it.
     */
    Published publishBlob(String id, List<String> replicas, long jobId) {
        BlobUploader uploader = new BlobUploader(local, http);
        List<String> holders = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        List<String> log = new ArrayList<>();
        for (String replica : replicas) {
            String problem = holds(uploader, id, replica, jobId, log);
            if (problem == null) holders.add(replica);
            else failed.add(replica + " (" + problem + ")");
        }
        if (holders.size() < JobManifest.MIN_REPLICAS) {
            throw new IllegalArgumentException("blob " + id + " is proven held by " + holders.size() + " replica(s), an order needs "
                    + JobManifest.MIN_REPLICAS + "; missing: " + String.join("; ", failed));
        }
        return new Published(new TxBody.DatasetBlob(id, holders), null, List.copyOf(log));
    }

    /** Null when {@code replica} took the blob and passed every challenge; otherwise what went wrong. */
    private String holds(BlobUploader uploader, String id, String replica, long jobId, List<String> log) {
        try {
            BlobUploader.Report r = uploader.upload(id, replica, OptionalLong.of(jobId), true);
            log.add(replica + ": uploaded " + r.chunksSent() + " chunk(s), " + r.chunksPresent() + " already there");
        } catch (RuntimeException e) {
            return "upload failed: " + e.getMessage();
        }
        for (int i = 0; i < CHALLENGES; i++) {
            RetrievabilityChallenge.Outcome outcome = challenge.challenge(replica, id);
            if (!outcome.passed()) return "failed its retrievability challenge: " + outcome.reason();
        }
        log.add(replica + ": passed " + CHALLENGES + " retrievability challenges");
        return null;
    }
}
