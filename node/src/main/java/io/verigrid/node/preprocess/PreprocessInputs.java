package io.verigrid.node.preprocess;

import io.verigrid.engine.data.InputDataset;
import io.verigrid.engine.data.Resources;
import io.verigrid.ledger.PreprocessJobView;
import io.verigrid.node.blob.BlobFetcher;
import io.verigrid.node.blob.BlobStore;
import io.verigrid.verify.Hashes;
import io.verigrid.verify.ShardCommitments;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The input of a preprocessing job as a provider or verifier must use it: fetched from the order's replicas
 * (hash-checked chunk by chunk), kept private to the job in this node's store, and accepted only when it decodes
 * ({@link #decode}) with the record count and {@code ShardCommitments.inputRoot} the ledger holds.
 *
 * <p>Blob bytes: either {@code InputDataset.encode()} alone, or a bundle carrying the tokenizers a {@code tokenize}
 * step names: {@code "VGIN"} ‖ u32 n ‖ n × (u32 length ‖ UTF-8 tokenizer.json) ‖ {@code InputDataset.encode()} (u32
 * little-endian). The tokenizers are bound by the SHA-256 the spec names, the records by the input root.
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
            input = decode(bytes);
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

    private static final byte[] MAGIC = {'V', 'G', 'I', 'N'};

    /** The blob bytes of {@code input}: a bundle with its tokenizers when it has any, else its records alone. */
    public static byte[] encode(InputDataset input) {
        List<String> tokenizers = List.copyOf(new java.util.TreeMap<>(input.resources().tokenizerJson()).values()); // by SHA-256
        if (tokenizers.isEmpty()) return input.encode();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(MAGIC);
        out.writeBytes(u32(tokenizers.size()));
        for (String json : tokenizers) {
            byte[] utf8 = json.getBytes(StandardCharsets.UTF_8);
            out.writeBytes(u32(utf8.length));
            out.writeBytes(utf8);
        }
        out.writeBytes(input.encode());
        return out.toByteArray();
    }

    /** Inverse of {@link #encode}; {@link IllegalArgumentException} for anything else. */
    public static InputDataset decode(byte[] bytes) {
        if (bytes.length < MAGIC.length || !Arrays.equals(Arrays.copyOf(bytes, MAGIC.length), MAGIC)) {
            return InputDataset.decode(bytes, Resources.none());
        }
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        try {
            in.position(MAGIC.length);
            int n = in.getInt();
            if (n < 1 || n > 64) throw new IllegalArgumentException("input bundle: " + n + " tokenizers (1..64)");
            String[] tokenizers = new String[n];
            for (int i = 0; i < n; i++) {
                int length = in.getInt();
                if (length < 0 || length > in.remaining()) throw new IllegalArgumentException("input bundle: tokenizer " + i + " is truncated");
                byte[] utf8 = new byte[length];
                in.get(utf8);
                tokenizers[i] = new String(utf8, StandardCharsets.UTF_8);
            }
            return InputDataset.decode(Arrays.copyOfRange(bytes, in.position(), bytes.length), Resources.ofTokenizers(tokenizers));
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("input bundle: truncated", e);
        }
    }

    private static byte[] u32(int value) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array();
    }
}
