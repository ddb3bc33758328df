package io.verigrid.node.http;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.verigrid.ledger.Keys;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;

/**
 * Checks the signature of node-to-node requests before any route runs: a request must carry the caller's key,
 * a timestamp within {@code ±window} of this node's clock, a nonce it has not used inside the window, and an
 * Ed25519 signature over {@link RequestSignature#message}. Anything else is answered 401 and changes nothing.
 * The caller's address (its public key in hex) is then available to the route through {@link #callerOf}.
 */
public final class RequestAuth {
    private static final String CALLER = "verigrid.caller";
    private final Clock clock;
    private final long windowMillis;
    /** caller/nonce → the time after which the timestamp check alone rejects that request again. */
    private final Map<String, Long> seenNonces = new HashMap<>();

    public RequestAuth(Clock clock, Duration window) {
        if (clock == null) throw new IllegalArgumentException("clock must not be null");
        if (window == null || window.isNegative() || window.isZero()) throw new IllegalArgumentException("window must be positive, got " + window);
        this.clock = clock;
        this.windowMillis = window.toMillis();
    }

    /** Requires a valid signature on every request whose path matches one of {@code paths} (Javalin patterns). */
    public void protect(Javalin app, String... paths) {
        for (String path : paths) app.before(path, this::authenticate);
    }

    /** The authenticated caller's address; only inside routes this auth protects. */
    public static String callerOf(Context ctx) {
        String caller = ctx.attribute(CALLER);
        if (caller == null) throw new IllegalStateException("route " + ctx.path() + " is not protected by a RequestAuth");
        return caller;
    }

    void authenticate(Context ctx) {
        String key = ctx.header(RequestSignature.KEY);
        String timestamp = ctx.header(RequestSignature.TIMESTAMP);
        String nonce = ctx.header(RequestSignature.NONCE);
        String signature = ctx.header(RequestSignature.SIGNATURE);
        if (key == null || timestamp == null || nonce == null || signature == null) {
            throw unauthorized("UNSIGNED", ctx.method() + " " + ctx.path() + " needs the headers " + RequestSignature.KEY + ", "
                    + RequestSignature.TIMESTAMP + ", " + RequestSignature.NONCE + " and " + RequestSignature.SIGNATURE);
        }
        byte[] publicKey = hex(key, Keys.PUBLIC_KEY_BYTES, RequestSignature.KEY);
        byte[] sig = hex(signature, Keys.SIGNATURE_BYTES, RequestSignature.SIGNATURE);
        hex(nonce, 16, RequestSignature.NONCE);
        long sentAt;
        try {
            sentAt = Long.parseLong(timestamp);
        } catch (NumberFormatException e) {
            throw unauthorized("MALFORMED_AUTH", RequestSignature.TIMESTAMP + " must be epoch milliseconds, got '" + timestamp + "'");
        }
        String pathAndQuery = ctx.path() + (ctx.queryString() == null ? "" : "?" + ctx.queryString());
        String authority = ctx.header("Host") == null ? "" : ctx.header("Host");
        byte[] message = RequestSignature.message(ctx.method().name(), authority, pathAndQuery, ctx.bodyAsBytes(), sentAt, nonce);
        if (!Keys.verify(publicKey, message, sig)) {
            throw unauthorized("BAD_SIGNATURE", "the signature does not match key " + key + " over " + ctx.method() + " " + authority + pathAndQuery);
        }
        long now = clock.millis();
        if (Math.abs(now - sentAt) > windowMillis) {
            throw unauthorized("STALE_REQUEST", "timestamp " + sentAt + " is " + (now - sentAt) + " ms from this node's clock; the limit is ±" + windowMillis + " ms");
        }
        remember(key + "/" + nonce.toLowerCase(java.util.Locale.ROOT), sentAt + windowMillis, now);
        ctx.attribute(CALLER, key.toLowerCase(java.util.Locale.ROOT));
    }

    /** Records a nonce, refusing one already seen; forgets nonces whose timestamps have left the window. */
    private synchronized void remember(String callerNonce, long expiresAt, long now) {
        for (Iterator<Long> it = seenNonces.values().iterator(); it.hasNext(); ) {
            if (it.next() < now) it.remove();
        }
        if (seenNonces.putIfAbsent(callerNonce, expiresAt) != null) {
            throw unauthorized("REPLAYED_NONCE", "nonce " + callerNonce.substring(callerNonce.indexOf('/') + 1) + " was already used by this caller");
        }
    }

    private static byte[] hex(String text, int bytes, String header) {
        try {
            byte[] value = HexFormat.of().parseHex(text);
            if (value.length == bytes) return value;
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw unauthorized("MALFORMED_AUTH", header + " must be " + (2 * bytes) + " hex characters");
    }

    private static ApiException unauthorized(String code, String message) {
        return new ApiException(401, code, message);
    }
}
