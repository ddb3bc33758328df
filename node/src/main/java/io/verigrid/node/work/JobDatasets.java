package io.verigrid.node.work;

import io.verigrid.engine.Dataset;
import io.verigrid.engine.MlpJob;
import io.verigrid.engine.Tensor;
import io.verigrid.ledger.JobView;
import io.verigrid.ledger.MarketViews.OrderView;
import io.verigrid.node.blob.BlobFetcher;
import io.verigrid.node.blob.BlobStore;
import io.verigrid.node.blob.DatasetCodec;
import io.verigrid.node.ledger.LedgerHttp;
import io.verigrid.verify.Commitments;
import io.verigrid.verify.Hashes;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The dataset a job trains on, as a provider or verifier must use it: generated from the spec's seed, or — when
 * the job's market order names a dataset blob — fetched from the order's replicas (hash-checked chunk by chunk,
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
    public Dataset of(JobView job, MlpJob spec) {
        synchronized (cache) {
            Dataset known = cache.get(job.id());
            if (known != null) return known;
        }
        OrderView order = ledger.marketOrders().stream().filter(o -> o.jobId() == job.id()).findFirst().orElse(null);
        Dataset dataset = order == null || order.datasetBlob() == null ? spec.dataset() : fetch(job, spec, order);
        synchronized (cache) {
            cache.put(job.id(), dataset);
        }
        return dataset;
    }

    private Dataset fetch(JobView job, MlpJob spec, OrderView order) {
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
     * An MLP trains on x (samples × inputDim) and integer class ids y (samples) in 0..classes−1;
     * {@link IllegalStateException} naming {@code what} otherwise.
     */
    public static void requireShapes(Dataset dataset, MlpJob spec, String blob) {
        if (!dataset.tensors().keySet().equals(java.util.Set.of("x", "y"))) {
            throw new IllegalStateException("dataset blob " + blob + " holds " + dataset.tensors().keySet() + ", an MLP job needs [x, y]");
        }
        Tensor x = dataset.tensor("x"), y = dataset.tensor("y");
        if (!Arrays.equals(x.shape(), new int[] {spec.samples(), spec.inputDim()}) || !Arrays.equals(y.shape(), new int[] {spec.samples()})) {
            throw new IllegalStateException("dataset blob " + blob + " has x " + Arrays.toString(x.shape()) + " and y " + Arrays.toString(y.shape())
                    + "; the spec needs x [" + spec.samples() + ", " + spec.inputDim() + "] and y [" + spec.samples() + "]");
        }
        float[] labels = y.data();
        for (int i = 0; i < labels.length; i++) {
            float label = labels[i];
            if (label != (int) label || label < 0 || label >= spec.classes()) {
                throw new IllegalStateException("dataset blob " + blob + " has label " + label + " at sample " + i
                        + "; labels must be integers in 0.." + (spec.classes() - 1));
            }
        }
    }
}
