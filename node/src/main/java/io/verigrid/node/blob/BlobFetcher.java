package io.verigrid.node.blob;

import io.verigrid.node.http.HttpJsonClient;
import io.verigrid.node.metrics.NodeMetrics;
import java.util.ArrayList;
import java.util.List;

/**
 * Downloads a blob from peers into a {@link BlobStore}: the manifest first (accepted only if it hashes to the blob
 * id), then every chunk this store does not hold yet, each checked against the manifest's hash on arrival. A chunk
 * that fails the check is dropped and asked from the next source. Chunks already held are never fetched again, so
 * a download that broke off resumes where it stopped; the blob becomes held only when its last chunk is in.
 */
public final class BlobFetcher {
    /** What one fetch did: chunks downloaded, chunks already held, chunks rejected for a wrong hash. */
    public record Report(String id, long size, int chunksFetched, int chunksHeld, int chunksRejected, long bytesFetched) {}

    private final BlobStore store;
    private final HttpJsonClient http;
    private final NodeMetrics metrics;
    private final long maxBlobBytes;

    public BlobFetcher(BlobStore store, HttpJsonClient http, NodeMetrics metrics, long maxBlobBytes) {
        if (maxBlobBytes < 0) throw new IllegalArgumentException("maxBlobBytes must not be negative, got " + maxBlobBytes);
        this.store = store;
        this.http = http;
        this.metrics = metrics;
        this.maxBlobBytes = maxBlobBytes;
    }

    /** Fetches blob {@code id} from {@code sources} (node base URLs, tried in order); a no-op when already held. */
    public Report fetch(String id, List<String> sources) {
        BlobStore.requireHash(id);
        if (sources == null || sources.isEmpty()) throw new IllegalArgumentException("sources must name at least one node");
        Manifest manifest = store.manifest(id).orElse(null);
        if (manifest != null) return new Report(id, manifest.size(), 0, manifest.chunkCount(), 0, 0);
        List<String> failures = new ArrayList<>();
        manifest = fetchManifest(id, sources, failures);
        if (manifest.size() > maxBlobBytes) {
            throw new IllegalArgumentException("blob " + id + " holds " + manifest.size() + " bytes, over this node's limit of " + maxBlobBytes);
        }
        int fetched = 0, held = 0, rejected = 0;
        long bytes = 0;
        for (int i = 0; i < manifest.chunkCount(); i++) {
            if (store.hasChunk(manifest.chunkHash(i))) {
                held++;
                continue;
            }
            boolean stored = false;
            for (String source : sources) {
                byte[] chunk;
                try {
                    chunk = http.getBytes(base(source) + "/blobs/" + id + "/chunks/" + i);
                } catch (RuntimeException e) {
                    failures.add(source + " chunk " + i + ": " + e.getMessage());
                    continue;
                }
                if (!BlobStore.sha256Hex(chunk).equals(manifest.chunkHash(i)) || chunk.length != manifest.chunkLength(i)) {
                    metrics.chunkVerificationFailed();
                    rejected++;
                    failures.add(source + " chunk " + i + ": hash does not match the manifest");
                    continue;
                }
                store.putChunk(chunk);
                metrics.blobBytesIn(chunk.length);
                bytes += chunk.length;
                fetched++;
                stored = true;
                break;
            }
            if (!stored) {
                throw new IllegalStateException("no source served a valid chunk " + i + " of blob " + id + " (" + fetched + " fetched, "
                        + held + " held so far; a retry resumes from there): " + String.join("; ", last(failures)));
            }
        }
        store.putManifest(manifest);
        return new Report(id, manifest.size(), fetched, held, rejected, bytes);
    }

    private Manifest fetchManifest(String id, List<String> sources, List<String> failures) {
        for (String source : sources) {
            try {
                byte[] bytes = http.getBytes(base(source) + "/blobs/" + id + "/manifest");
                if (BlobStore.sha256Hex(bytes).equals(id)) return Manifest.decode(bytes);
                metrics.chunkVerificationFailed();
                failures.add(source + ": manifest does not hash to " + id);
            } catch (RuntimeException e) {
                failures.add(source + ": " + e.getMessage());
            }
        }
        throw new IllegalStateException("no source served the manifest of blob " + id + ": " + String.join("; ", failures));
    }

    private static List<String> last(List<String> failures) {
        return failures.subList(Math.max(0, failures.size() - 4), failures.size());
    }

    static String base(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
