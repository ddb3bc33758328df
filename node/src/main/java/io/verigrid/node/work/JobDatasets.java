package io.verigrid.node.work;

import io.verigrid.engine.Dataset;
import io.verigrid.engine.LmJob;
import io.verigrid.engine.ModelState;
import io.verigrid.engine.TrainingJob;
import io.verigrid.engine.io.Safetensors;
import io.verigrid.ledger.JobView;
import io.verigrid.ledger.MarketViews.OrderView;
import io.verigrid.node.blob.BlobFetcher;
import io.verigrid.node.blob.BlobStore;
import io.verigrid.node.blob.DatasetCodec;
import io.verigrid.node.ledger.LedgerHttp;
import io.verigrid.verify.Commitments;
import io.verigrid.verify.Hashes;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The dataset a job trains on, as a provider or verifier must use it: generated from the spec's seed (mlp), or —
 * when the job's market order names a dataset blob (always for lm) — fetched from the order's replicas (hash-checked chunk by chunk,
 * resumable), kept private to the job in this node's store, and accepted only when its tensors have the shapes
 * the spec needs and hash to the dataset root on the ledger.
 */
public final class JobDatasets {
    private static final int CACHED_JOBS = 8;

    private final LedgerHttp ledger;
    private final BlobStore store;
    private final BlobFetcher fetcher;
    private final Map<Long, Dataset> cache = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Dataset> eldest) {
            return size() > CACHED_JOBS;
        }
    };

    public JobDatasets(LedgerHttp ledger, BlobStore store, BlobFetcher fetcher) {
        this.ledger = ledger;
        this.store = store;
        this.fetcher = fetcher;
    }

    /**
     * The dataset of {@code job}, whose spec is {@code spec}. {@link IllegalStateException} when no replica serves
     * the blob (a later call resumes the download) or the fetched tensors do not match the job's commitment.
     */
    public Dataset of(JobView job, TrainingJob spec) {
        synchronized (cache) {
            Dataset known = cache.get(job.id());
            if (known != null) return known;
        }
        OrderView order = ledger.marketOrders().stream().filter(o -> o.jobId() == job.id()).findFirst().orElse(null);
        Dataset dataset;
        if (order != null && order.datasetBlob() != null) {
            dataset = fetch(job, spec, order);
        } else {
            dataset = spec.seededDataset().orElseThrow(() -> new IllegalStateException("job " + job.id() + " is a "
                    + spec.kind().tag() + " job, which trains on a dataset blob, but no market order names one"));
        }
        synchronized (cache) {
            cache.put(job.id(), dataset);
        }
        return dataset;
    }

    /**
     * The state before step 1 of {@code job}: the spec's seeded state, or — fine-tuning — the state built from the
     * base checkpoint, a blob fetched from the order's replicas (checked by its content id on arrival) whose root must
     * be the one the job declares. {@link IllegalStateException} "checkpoint does not match its commitment" otherwise.
     */
    public ModelState initialState(JobView job, TrainingJob spec) {
        if (spec.declaredInitialRoot().isEmpty()) return spec.initialState();
        OrderView order = ledger.marketOrders().stream().filter(o -> o.jobId() == job.id()).findFirst().orElse(null);
        String blob = Hashes.hex(spec.baseCheckpoint().orElseThrow());
        if (order == null || order.datasetReplicas() == null || order.datasetReplicas().isEmpty()) {
            throw new IllegalStateException("job " + job.id() + " fine-tunes checkpoint " + blob + " but no market order names replicas");
        }
        fetcher.fetch(blob, order.datasetReplicas());
        byte[] bytes = store.get(blob).orElseThrow(() -> new IllegalStateException("checkpoint blob " + blob + " vanished from the store"));
        ModelState state;
        try {
            state = ((LmJob) spec).initialState(new TreeMap<>(Safetensors.decode(bytes).tensors()));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("checkpoint blob " + blob + " of job " + job.id() + " is not the model's weights: " + e.getMessage());
        }
        String root = Hashes.hex(Commitments.stateRoot(state));
        String declared = Hashes.hex(spec.declaredInitialRoot().get());
        if (!root.equals(declared) || !declared.equals(job.r0())) {
            throw new IllegalStateException("checkpoint does not match its commitment: blob " + blob + " gives initial state root "
                    + root + ", job " + job.id() + " declares " + declared);
        }
        return state;
    }

    private Dataset fetch(JobView job, TrainingJob spec, OrderView order) {
        String blob = order.datasetBlob();
        fetcher.fetch(blob, order.datasetReplicas());
        if (store.privateJob(blob).isEmpty()) store.markPrivate(blob, job.id());
        byte[] bytes = store.get(blob).orElseThrow(() -> new IllegalStateException("dataset blob " + blob + " vanished from the store"));
        Dataset dataset;
        try {
            dataset = DatasetCodec.decode(bytes);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("dataset blob " + blob + " of job " + job.id() + " is not a dataset: " + e.getMessage());
        }
        requireShapes(dataset, spec, blob);
        String root = Hashes.hex(Commitments.datasetRoot(dataset));
        if (!root.equals(job.datasetRoot())) {
            throw new IllegalStateException("dataset blob " + blob + " has root " + root + ", job " + job.id()
                    + " commits to " + job.datasetRoot());
        }
        return dataset;
    }

    /**
     * {@link IllegalStateException} naming {@code blob} when {@code dataset} is not data {@code spec} can train on
     * (see {@link TrainingJob#checkDataset}).
     */
    public static void requireShapes(Dataset dataset, TrainingJob spec, String blob) {
        try {
            spec.checkDataset(dataset);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("dataset blob " + blob + ": " + e.getMessage());
        }
    }
}
