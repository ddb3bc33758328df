package io.verigrid.node.blob;

import com.fasterxml.jackson.databind.JsonNode;
import io.verigrid.node.http.HttpJsonClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;

/**
 * Asks a node to prove it still holds chunk i of blob B. The challenger sends a fresh random 32-byte nonce; the
 * holder answers {@code H("verigrid-por-v1" ‖ nonce ‖ chunk)}, which it cannot compute without the chunk's bytes at
 * that moment (the nonce is unpredictable, so nothing can be precomputed and the chunk then dropped). The challenger
 * checks the answer against its own copy of the chunk; a challenger without a copy asks for the chunk as well and
 * checks it against the chunk hash in the manifest (whose hash is the blob id) before checking the proof.
 * A holder that dropped a fraction f of a blob's chunks fails each challenge at a random index with probability f.
 */
public final class RetrievabilityChallenge {
    private static final byte[] DOMAIN = "verigrid-por-v1".getBytes(StandardCharsets.US_ASCII);

    /** Passed or not, and why, in words. */
    public record Outcome(boolean passed, String reason) {}

    private final BlobStore local;
    private final HttpJsonClient http;
    private final SecureRandom random;

    public RetrievabilityChallenge(BlobStore local, HttpJsonClient http, SecureRandom random) {
        this.local = local;
        this.http = http;
        this.random = random;
    }

    /** The answer an honest holder gives: H(domain ‖ nonce ‖ chunk). */
    public static byte[] proof(byte[] nonce, byte[] chunk) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(DOMAIN);
            sha.update(nonce);
            sha.update(chunk);
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Challenges {@code nodeUrl} on a random chunk of blob {@code id}, whose manifest this node must hold. */
    public Outcome challenge(String nodeUrl, String id) {
        Manifest manifest = local.manifest(id).orElseThrow(() -> new IllegalArgumentException("blob " + id + " is not known here; fetch its manifest first"));
        if (manifest.chunkCount() == 0) return new Outcome(true, "blob " + id + " is empty: nothing to hold");
        return challenge(nodeUrl, id, random.nextInt(manifest.chunkCount()));
    }

    /** Challenges {@code nodeUrl} on chunk {@code index} of blob {@code id}. */
    public Outcome challenge(String nodeUrl, String id, int index) {
        Manifest manifest = local.manifest(id).orElseThrow(() -> new IllegalArgumentException("blob " + id + " is not known here; fetch its manifest first"));
        String expectedHash = manifest.chunkHash(index);
        byte[] nonce = new byte[32];
        random.nextBytes(nonce);
        byte[] mine = local.chunk(expectedHash).orElse(null);
        JsonNode answer;
        try {
            answer = http.postJson(BlobFetcher.base(nodeUrl) + "/blobs/" + id + "/challenge",
                    Map.of("index", index, "nonce", HexFormat.of().formatHex(nonce), "withChunk", mine == null));
        } catch (RuntimeException e) {
            return new Outcome(false, nodeUrl + " did not answer the challenge on chunk " + index + " of " + id + ": " + e.getMessage());
        }
        byte[] proof = hex(answer.path("proof").asText(""));
        if (mine == null) {
            byte[] chunk = hex(answer.path("chunk").asText(""));
            if (chunk == null || !BlobStore.sha256Hex(chunk).equals(expectedHash)) {
                return new Outcome(false, nodeUrl + " sent a chunk " + index + " of " + id + " that does not match the manifest");
            }
            mine = chunk;
        }
        if (proof == null || !Arrays.equals(proof, proof(nonce, mine))) {
            return new Outcome(false, nodeUrl + " answered a wrong proof for chunk " + index + " of " + id);
        }
        return new Outcome(true, nodeUrl + " proved it holds chunk " + index + " of " + id);
    }

    private static byte[] hex(String text) {
        try {
            return text.isEmpty() ? null : HexFormat.of().parseHex(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
