package io.verigrid.engine.tokenizer;

import java.io.ByteArrayOutputStream;

/**
 * GPT-2's reversible byte-to-character mapping. Byte-level BPE vocabularies are written over characters,
 * not bytes: the 188 printable bytes ({@code !}…{@code ~}, {@code ¡}…{@code ¬}, {@code ®}…{@code ÿ}) stand
 * for themselves and the other 68 (controls, space, soft hyphen…) are shifted to U+0100 onwards in byte
 * order, so a space becomes {@code Ġ} and a newline {@code Ċ}.
 */
final class ByteLevel {
    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[0x100 + 68];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int shifted = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
            char c = printable ? (char) b : (char) (0x100 + shifted++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteLevel() {
    }

    /** The character standing for byte {@code b} (0–255). */
    static char charOf(int b) {
        return BYTE_TO_CHAR[b & 0xff];
    }

    /** Each byte as its character. */
    static String toChars(byte[] bytes) {
        char[] chars = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            chars[i] = BYTE_TO_CHAR[bytes[i] & 0xff];
        }
        return new String(chars);
    }

    /**
     * Appends the bytes {@code token} stands for. A token with a character outside the mapping (an added
     * token such as {@code "<| a |>"}) contributes its own UTF-8 bytes instead, as Hugging Face's ByteLevel
     * decoder does.
     */
    static void appendBytes(String token, ByteArrayOutputStream out) {
        byte[] mapped = new byte[token.length()];
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            int b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
            if (b < 0) {
                out.writeBytes(token.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                return;
            }
            mapped[i] = (byte) b;
        }
        out.writeBytes(mapped);
    }
}
