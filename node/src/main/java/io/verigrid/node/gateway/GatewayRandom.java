package io.verigrid.node.gateway;

import java.security.SecureRandom;
import java.util.HexFormat;

/** The gateway's one random source: the random part of response ids, and the seed of a request that gave none. */
final class GatewayRandom {
    private static final SecureRandom RANDOM = new SecureRandom();

    private GatewayRandom() {
    }

    /** 24 hex digits, fresh for every response ({@code chatcmpl-…}, {@code embd-…}). */
    static String hex() {
        byte[] bytes = new byte[12];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** A sampling seed in 0..2^31−1, returned to the client so that the response can be re-executed. */
    static long seed() {
        return RANDOM.nextLong() & 0x7FFF_FFFFL;
    }
}
