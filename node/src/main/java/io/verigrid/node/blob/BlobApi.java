package io.verigrid.node.blob;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.verigrid.node.http.ApiException;
import io.verigrid.node.http.Json;
import io.verigrid.node.http.RequestAuth;
import io.verigrid.node.metrics.NodeMetrics;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * A node's blob endpoints (docs/protocol.md, "Blobs (node)"). Every route needs a signed request; data of a blob
 * private to a job goes only to callers the {@link BlobAccessPolicy} allows.
 *
 * <pre>
 * GET  /blobs/{id}               the whole blob          GET  /blobs/{id}/manifest   its manifest
 * GET  /blobs/{id}/chunks/{i}    chunk i                 POST /chunks/missing         which of these chunks are absent
 * PUT  /chunks/{hash}            upload one chunk        PUT  /blobs/{id}?pin&job     upload the manifest (completes the blob)
 * POST /blobs/{id}/replicate     pull it from peers      POST /blobs/{id}/challenge   prove holding chunk i
 * </pre>
 */
public final class BlobApi {
    /** Upload limits: a blob's total size and one chunk's size. */
    public record Limits(long maxBlobBytes, int maxChunkBytes) {
        public Limits {
            if (maxBlobBytes < 0) throw new IllegalArgumentException("maxBlobBytes must not be negative, got " + maxBlobBytes);
            if (maxChunkBytes < 1) throw new IllegalArgumentException("maxChunkBytes must be positive, got " + maxChunkBytes);
        }

        /** 64 GiB blobs, 4 MiB chunks (the HTTP server takes 8 MiB bodies). */
        public static Limits defaults() {
            return new Limits(64L << 30, 4 << 20);
        }
    }

    private final BlobStore store;
    private final BlobFetcher fetcher;
    private final BlobAccessPolicy policy;
    private final NodeMetrics metrics;
    private final Limits limits;

    public BlobApi(BlobStore store, BlobFetcher fetcher, BlobAccessPolicy policy, NodeMetrics metrics, Limits limits) {
        this.store = store;
        this.fetcher = fetcher;
        this.policy = policy;
        this.metrics = metrics;
        this.limits = limits;
    }

    public void routes(Javalin app, RequestAuth auth) {
        auth.protect(app, "/blobs/*", "/chunks/*");
        app.get("/blobs/{id}", this::getBlob);
        app.get("/blobs/{id}/manifest", ctx -> ctx.contentType("application/octet-stream").result(readable(ctx).encode()));
        app.get("/blobs/{id}/chunks/{index}", this::getChunk);
        app.post("/chunks/missing", this::missing);
        app.put("/chunks/{hash}", this::putChunk);
        app.put("/blobs/{id}", this::putManifest);
        app.post("/blobs/{id}/replicate", this::replicate);
        app.post("/blobs/{id}/challenge", this::challenge);
    }

    private void getBlob(Context ctx) {
        Manifest manifest = readable(ctx);
        ctx.contentType("application/octet-stream").header("X-Verigrid-Blob-Kind", manifest.kind().name());
        ctx.result(store.open(ctx.pathParam("id")));
        metrics.blobBytesOut(manifest.size());
    }

    private void getChunk(Context ctx) {
        Manifest manifest = readable(ctx);
        int index = index(ctx.pathParam("index"), manifest);
        byte[] chunk = store.chunk(manifest.chunkHash(index))
                .orElseThrow(() -> new ApiException(404, "CHUNK_MISSING", "chunk " + index + " of blob " + ctx.pathParam("id") + " is not held here"));
        metrics.blobBytesOut(chunk.length);
        ctx.contentType("application/octet-stream").result(chunk);
    }

    private void missing(Context ctx) {
        JsonNode hashes = body(ctx).path("hashes");
        if (!hashes.isArray()) throw ApiException.badRequest("body must be JSON {\"hashes\": [\"<64 hex>\", …]}");
        List<String> missing = new ArrayList<>();
        for (JsonNode h : hashes) {
            BlobStore.requireHash(h.asText());
            if (!store.hasChunk(h.asText())) missing.add(h.asText());
        }
        ctx.json(Map.of("missing", missing));
    }

    private void putChunk(Context ctx) {
        String hash = ctx.pathParam("hash");
        BlobStore.requireHash(hash);
        byte[] bytes = ctx.bodyAsBytes();
        if (bytes.length > limits.maxChunkBytes()) {
            throw new ApiException(413, "TOO_LARGE", "a chunk may hold at most " + limits.maxChunkBytes() + " bytes, got " + bytes.length);
        }
        if (!BlobStore.sha256Hex(bytes).equals(hash)) {
            metrics.chunkVerificationFailed();
            throw new ApiException(400, "CHUNK_MISMATCH", "the uploaded bytes hash to " + BlobStore.sha256Hex(bytes) + ", not " + hash);
        }
        store.putChunk(bytes);
        metrics.blobBytesIn(bytes.length);
        ctx.json(Map.of("hash", hash, "size", bytes.length));
    }

    private void putManifest(Context ctx) {
        String id = ctx.pathParam("id");
        BlobStore.requireHash(id);
        byte[] bytes = ctx.bodyAsBytes();
        if (!BlobStore.sha256Hex(bytes).equals(id)) {
            throw new ApiException(400, "MANIFEST_MISMATCH", "the uploaded manifest hashes to " + BlobStore.sha256Hex(bytes) + ", not " + id);
        }
        Manifest manifest = Manifest.decode(bytes);
        requireWithinLimit(id, manifest);
        OptionalLong job = jobParam(ctx.queryParam("job"));
        boolean existed = store.has(id);
        List<Integer> missing = store.missingChunks(manifest);
        if (!missing.isEmpty()) {
            throw new ApiException(409, "MISSING_CHUNKS", "blob " + id + " misses " + missing.size() + " of " + manifest.chunkCount()
                    + " chunks (first: index " + missing.get(0) + "); upload them to /chunks/{hash} first");
        }
        if (existed && job.isPresent() && store.privateJob(id).isEmpty()) {
            throw new ApiException(409, "ALREADY_PUBLIC", "blob " + id + " is already held here as a public blob");
        }
        store.putManifest(manifest);
        job.ifPresent(j -> store.markPrivate(id, j));
        if ("true".equals(ctx.queryParam("pin"))) store.pin(id);
        ctx.json(describe(id, manifest));
    }

    private void replicate(Context ctx) {
        String id = ctx.pathParam("id");
        BlobStore.requireHash(id);
        JsonNode body = body(ctx);
        List<String> sources = new ArrayList<>();
        body.path("sources").forEach(s -> sources.add(s.asText()));
        if (sources.isEmpty()) throw ApiException.badRequest("body must name the nodes to pull from: {\"sources\": [\"http://…\"]}");
        OptionalLong job = body.has("job") ? jobParam(body.path("job").asText()) : OptionalLong.empty();
        BlobFetcher.Report report;
        try {
            report = fetcher.fetch(id, sources);
        } catch (IllegalStateException e) {
            throw new ApiException(502, "FETCH_FAILED", e.getMessage());
        }
        job.ifPresent(j -> store.markPrivate(id, j));
        if (body.path("pin").asBoolean(false)) store.pin(id);
        ctx.json(report);
    }

    private void challenge(Context ctx) {
        String id = ctx.pathParam("id");
        BlobStore.requireHash(id);
        Manifest manifest = store.manifest(id).orElseThrow(() -> ApiException.notFound("blob " + id));
        JsonNode body = body(ctx);
        int index = index(body.path("index").asText(""), manifest);
        byte[] nonce;
        try {
            nonce = HexFormat.of().parseHex(body.path("nonce").asText(""));
        } catch (IllegalArgumentException e) {
            nonce = new byte[0];
        }
        if (nonce.length != 32) throw ApiException.badRequest("nonce must be 64 hex characters (32 random bytes)");
        boolean withChunk = body.path("withChunk").asBoolean(false);
        if (withChunk) checkAccess(ctx, id);
        byte[] chunk = store.chunk(manifest.chunkHash(index))
                .orElseThrow(() -> new ApiException(404, "CHUNK_MISSING", "chunk " + index + " of blob " + id + " is not held here"));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("proof", HexFormat.of().formatHex(RetrievabilityChallenge.proof(nonce, chunk)));
        if (withChunk) {
            answer.put("chunk", HexFormat.of().formatHex(chunk));
            metrics.blobBytesOut(chunk.length);
        }
        ctx.json(answer);
    }

    /** The manifest of a blob held here, after the caller passed the access check. */
    private Manifest readable(Context ctx) {
        String id = ctx.pathParam("id");
        BlobStore.requireHash(id);
        Manifest manifest = store.manifest(id).orElseThrow(() -> ApiException.notFound("blob " + id));
        checkAccess(ctx, id);
        return manifest;
    }

    private void checkAccess(Context ctx, String id) {
        OptionalLong job = store.privateJob(id);
        String caller = RequestAuth.callerOf(ctx);
        if (job.isPresent() && !policy.allows(caller, job.getAsLong())) {
            throw new ApiException(403, "FORBIDDEN", "blob " + id + " is private to job " + job.getAsLong() + " and caller " + caller
                    + " is neither its buyer, its provider nor a staked verifier");
        }
    }

    private void requireWithinLimit(String id, Manifest manifest) {
        if (manifest.size() > limits.maxBlobBytes()) {
            throw new ApiException(413, "TOO_LARGE", "blob " + id + " holds " + manifest.size() + " bytes; this node takes at most " + limits.maxBlobBytes());
        }
        if (manifest.chunkSize() > limits.maxChunkBytes()) {
            throw new ApiException(413, "TOO_LARGE", "blob " + id + " uses chunks of " + manifest.chunkSize() + " bytes; this node takes at most " + limits.maxChunkBytes());
        }
    }

    private static int index(String text, Manifest manifest) {
        try {
            int index = Integer.parseInt(text);
            if (index >= 0 && index < manifest.chunkCount()) return index;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ApiException.badRequest("chunk index must be an integer in 0.." + (manifest.chunkCount() - 1) + ", got '" + text + "'");
    }

    private static OptionalLong jobParam(String text) {
        if (text == null) return OptionalLong.empty();
        try {
            long job = Long.parseLong(text);
            if (job > 0) return OptionalLong.of(job);
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ApiException.badRequest("job must be a positive job id, got '" + text + "'");
    }

    private static JsonNode body(Context ctx) {
        try {
            JsonNode body = Json.MAPPER.readTree(ctx.bodyAsBytes());
            return body == null ? Json.MAPPER.missingNode() : body;
        } catch (IOException e) {
            throw ApiException.badRequest("body must be JSON: " + e.getMessage());
        }
    }

    private static Map<String, Object> describe(String id, Manifest manifest) {
        return Map.of("id", id, "kind", manifest.kind().name(), "size", manifest.size(), "chunks", manifest.chunkCount());
    }
}
