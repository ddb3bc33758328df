package io.verigrid.node.preprocess;

import io.verigrid.engine.data.InputDataset;
import io.verigrid.engine.data.Resources;
import io.verigrid.ledger.PreprocessJobView;
import io.verigrid.node.blob.BlobFetcher;
import io.verigrid.node.blob.BlobStore;
import io.verigrid.verify.Hashes;
import io.verigrid.verify.ShardCommitments;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The input of a preprocessing job as a provider or verifier must use it: fetched from the order's replicas
 * (hash-checked chunk by chunk), kept private to the job in this node's store, and accepted only when it decodes as
 * {@code InputDataset.encode()} bytes with the record count and {@code ShardCommitments.inputRoot} the ledger holds.
 */
public final class PreprocessInputs {
    private static final int CACHED_JOBS = 8;

    private final BlobStore store;
    private final BlobFetcher fetcher;
    private final Map<Long, InputDataset> cache = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, InputDataset> eldest) {
            return size() > CACHED_JOBS;
        }
    };

    public PreprocessInputs(BlobStore store, BlobFetcher fetcher) {
        this.store = store;
        this.fetcher = fetcher;
    }

    /** {@link IllegalStateException} when no replica serves the blob or what it holds is not the committed input. */
    public InputDataset of(PreprocessJobView job) {
        synchronized (cache) {
            InputDataset known = cache.get(job.jobId());
            if (known != null) return known;
        }
        String blob = job.inputBlob();
        fetcher.fetch(blob, job.inputReplicas());
        if (store.privateJob(blob).isEmpty()) store.markPrivate(blob, job.jobId());
        byte[] bytes = store.get(blob).orElseThrow(() -> new IllegalStateException("input blob " + blob + " vanished from the store"));
        InputDataset input;
        try {
            input = InputDataset.decode(bytes, Resources.none());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("input blob " + blob + " of job " + job.jobId() + " is not an input dataset: " + e.getMessage());
        }
        String root = Hashes.hex(ShardCommitments.inputRoot(input));
        if (input.size() != job.inputRecords() || !root.equals(job.inputRoot())) {
            throw new IllegalStateException("input blob " + blob + " has " + input.size() + " records and root " + root + "; job "
                    + job.jobId() + " commits to " + job.inputRecords() + " records and root " + job.inputRoot());
        }
        synchronized (cache) {
            cache.put(job.jobId(), input);
        }
        return input;
    }
}
