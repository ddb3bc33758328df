package io.verigrid.engine.data;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 and its lower-case hex form, for the pipeline's own content hashes (shards, specs, inputs, tokenizers). */
public final class Sha256 {
    private Sha256() {
    }

    public static byte[] of(byte[] bytes) {
        if (bytes == null) {
            throw new IllegalArgumentException("bytes: null");
        }
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required on every JVM", e);
        }
    }

    public static String hex(byte[] bytes) {
        StringBuilder out = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) {
            out.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return out.toString();
    }
}
