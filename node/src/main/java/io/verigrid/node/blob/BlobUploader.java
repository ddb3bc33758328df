package io.verigrid.node.blob;

import com.fasterxml.jackson.databind.JsonNode;
import io.verigrid.node.http.HttpJsonClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Pushes a blob held in a local store to a node: asks which chunks the node lacks, uploads only those, then the
 * manifest. An upload that broke off therefore resumes; and asks replicas to pull the blob from that node.
 */
public final class BlobUploader {
    /** What one upload did: chunks sent, and chunks the node already held. */
    public record Report(String id, int chunksSent, int chunksPresent) {}

    private final BlobStore local;
    private final HttpJsonClient http;

    public BlobUploader(BlobStore local, HttpJsonClient http) {
        this.local = local;
        this.http = http;
    }

    /** Uploads blob {@code id} to {@code nodeUrl}; {@code job} marks it private to that job, {@code pin} asks the node to keep it. */
    public Report upload(String id, String nodeUrl, OptionalLong job, boolean pin) {
        Manifest manifest = local.manifest(id).orElseThrow(() -> new IllegalArgumentException("blob " + id + " is not in the local store"));
        String node = BlobFetcher.base(nodeUrl);
        JsonNode answer = http.postJson(node + "/chunks/missing", Map.of("hashes", manifest.chunkHashes()));
        List<String> missing = new ArrayList<>();
        answer.path("missing").forEach(h -> missing.add(h.asText()));
        for (String hash : missing) {
            byte[] chunk = local.chunk(hash).orElseThrow(() -> new IllegalStateException("local chunk " + hash + " is missing or damaged"));
            http.putBytes(node + "/chunks/" + hash, chunk);
        }
        http.putBytes(node + "/blobs/" + id + query(job, pin), manifest.encode());
        return new Report(id, missing.size(), manifest.chunkCount() - missing.size());
    }

    /** Asks {@code replicaUrl} to pull blob {@code id} from {@code sources} (and pin it); returns the replica's fetch report. */
    public BlobFetcher.Report replicate(String id, String replicaUrl, List<String> sources, OptionalLong job, boolean pin) {
        Map<String, Object> body = new java.util.HashMap<>(Map.of("sources", sources, "pin", pin));
        job.ifPresent(j -> body.put("job", j));
        return http.post(BlobFetcher.base(replicaUrl) + "/blobs/" + id + "/replicate", body, BlobFetcher.Report.class);
    }

    private static String query(OptionalLong job, boolean pin) {
        List<String> params = new ArrayList<>();
        if (pin) params.add("pin=true");
        job.ifPresent(j -> params.add("job=" + j));
        return params.isEmpty() ? "" : "?" + String.join("&", params);
    }
}
