package io.verigrid.verify;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 over canonical bytes, and the hex form hashes travel in. */
public final class Hashes {
    public static final int LENGTH = 32;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Hashes() {}

    /** SHA-256 of the concatenation of {@code parts}; no parts gives the hash of the empty string. */
    public static byte[] sha256(byte[]... parts) {
        MessageDigest digest = newDigest();
        for (byte[] part : parts) {
            if (part == null) throw new IllegalArgumentException("parts: null element");
            digest.update(part);
        }
        return digest.digest();
    }

    /** Lower-case hex. */
    public static String hex(byte[] bytes) {
        if (bytes == null) throw new IllegalArgumentException("bytes: null");
        char[] out = new char[bytes.length * 2];
        for (int i = 0; i < bytes.length; i++) {
            out[2 * i] = HEX[(bytes[i] >> 4) & 0xF];
            out[2 * i + 1] = HEX[bytes[i] & 0xF];
        }
        return new String(out);
    }

    /** Inverse of {@link #hex}; accepts either case, rejects odd lengths and non-hex characters. */
    public static byte[] unhex(String text) {
        if (text == null) throw new IllegalArgumentException("text: null");
        if (text.length() % 2 != 0) throw new IllegalArgumentException("text: odd hex length " + text.length());
        byte[] out = new byte[text.length() / 2];
        for (int i = 0; i < out.length; i++) {
            int hi = Character.digit(text.charAt(2 * i), 16);
            int lo = Character.digit(text.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0) throw new IllegalArgumentException("text: not hex at position " + 2 * i);
            out[i] = (byte) ((hi << 4) | lo);
        }
        return out;
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required on every JVM", e);
        }
    }
}
