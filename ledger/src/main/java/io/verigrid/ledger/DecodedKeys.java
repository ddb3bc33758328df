package io.verigrid.ledger;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * Public keys already decoded to curve points. Decoding a key (a square root in the field) is about a tenth of
 * an Ed25519 check, and the same few thousand senders sign most transactions, so the points are kept. Bounded:
 * past {@link #MAX_KEYS} the map starts over, which costs one decode per key and never changes an answer.
 */
final class DecodedKeys {
    static final int MAX_KEYS = 1 << 16;
    private static final ConcurrentHashMap<ByteBuffer, Ed25519.PublicPoint> POINTS = new ConcurrentHashMap<>();

    private DecodedKeys() {
    }

    /** The point of a 32-byte key, or null when the bytes are not a valid point (such a key verifies nothing). */
    static Ed25519.PublicPoint point(byte[] publicKey) {
        ByteBuffer key = ByteBuffer.wrap(publicKey);
        Ed25519.PublicPoint known = POINTS.get(key);
        if (known != null) return known;
        Ed25519.PublicPoint decoded = Ed25519.validatePublicKeyPartialExport(publicKey, 0);
        if (decoded == null) return null;
        if (POINTS.size() >= MAX_KEYS) POINTS.clear();
        POINTS.put(ByteBuffer.wrap(publicKey.clone()), decoded);
        return decoded;
    }
}
