package io.verigrid.node.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The bytes a node-to-node request signs (docs/protocol.md, "Signed requests"): a domain tag, the method, the
 * recipient's host:port, the raw path and query, SHA-256 of the body, the timestamp and the nonce, one per line.
 * Binding the recipient stops a request signed for one node from being replayed to another.
 */
public final class RequestSignature {
    public static final String KEY = "X-Verigrid-Key";
    public static final String TIMESTAMP = "X-Verigrid-Timestamp";
    public static final String NONCE = "X-Verigrid-Nonce";
    public static final String SIGNATURE = "X-Verigrid-Signature";
    static final String DOMAIN = "verigrid-http-v1";

    private RequestSignature() {}

    public static byte[] message(String method, String authority, String pathAndQuery, byte[] body, long timestampMillis, String nonceHex) {
        String text = String.join("\n", DOMAIN, method.toUpperCase(java.util.Locale.ROOT), authority, pathAndQuery,
                HexFormat.of().formatHex(sha256(body)), Long.toString(timestampMillis), nonceHex);
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
