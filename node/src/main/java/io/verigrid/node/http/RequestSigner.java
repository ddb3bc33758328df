package io.verigrid.node.http;

import io.verigrid.ledger.Keys;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Map;

/** Signs outgoing requests with a participant's account key; a fresh random nonce for every request. */
public final class RequestSigner {
    private final Keys keys;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public RequestSigner(Keys keys, Clock clock) {
        if (keys == null) throw new IllegalArgumentException("keys must not be null");
        if (clock == null) throw new IllegalArgumentException("clock must not be null");
        this.keys = keys;
        this.clock = clock;
    }

    public String address() {
        return keys.address();
    }

    /** The four authentication headers for {@code method uri} with this body (empty for a GET). */
    public Map<String, String> headers(String method, URI uri, byte[] body) {
        byte[] nonce = new byte[16];
        random.nextBytes(nonce);
        String nonceHex = HexFormat.of().formatHex(nonce);
        long now = clock.millis();
        String pathAndQuery = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        byte[] signature = keys.sign(RequestSignature.message(method, uri.getRawAuthority(), pathAndQuery, body, now, nonceHex));
        return Map.of(RequestSignature.KEY, keys.address(), RequestSignature.TIMESTAMP, Long.toString(now),
                RequestSignature.NONCE, nonceHex, RequestSignature.SIGNATURE, HexFormat.of().formatHex(signature));
    }
}
