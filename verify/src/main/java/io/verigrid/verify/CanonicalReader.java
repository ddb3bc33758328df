package io.verigrid.verify;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.Arrays;

/** Reads what {@link CanonicalWriter} wrote; any truncation or out-of-range value is an IllegalArgumentException. */
public final class CanonicalReader {
    private final byte[] data;
    private int position;

    public CanonicalReader(byte[] data) {
        if (data == null) throw new IllegalArgumentException("data: null");
        this.data = data;
    }

    public int u8() {
        need(1, "u8");
        return data[position++] & 0xFF;
    }

    public int u16() {
        need(2, "u16");
        int value = (data[position] & 0xFF) | (data[position + 1] & 0xFF) << 8;
        position += 2;
        return value;
    }

    /** A u32 that must fit a non-negative Java int. */
    public int u32() {
        need(4, "u32");
        long value = 0;
        for (int i = 0; i < 4; i++) value |= (long) (data[position + i] & 0xFF) << (8 * i);
        position += 4;
        if (value > Integer.MAX_VALUE) throw new IllegalArgumentException("u32 too large: " + value);
        return (int) value;
    }

    /** A float from its raw IEEE-754 bits ({@link CanonicalWriter#f32}). */
    public float f32() {
        need(4, "f32");
        int bits = 0;
        for (int i = 0; i < 4; i++) bits |= (data[position + i] & 0xFF) << (8 * i);
        position += 4;
        return Float.intBitsToFloat(bits);
    }

    public long i64() {
        need(8, "i64");
        long value = 0;
        for (int i = 0; i < 8; i++) value |= (long) (data[position + i] & 0xFF) << (8 * i);
        position += 8;
        return value;
    }

    public String string() {
        int length = u16();
        need(length, "string");
        try {
            String value = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(data, position, length)).toString();
            position += length;
            return value;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("string: invalid UTF-8 at offset " + position, e);
        }
    }

    public byte[] raw(int length) {
        need(length, "raw");
        byte[] value = Arrays.copyOfRange(data, position, position + length);
        position += length;
        return value;
    }

    public byte[] bytes() {
        return raw(u32());
    }

    /** True when every byte has been read (an encoding with an optional tail checks this). */
    public boolean atEnd() {
        return position == data.length;
    }

    /** Decoders call this last so that trailing garbage is rejected, keeping encodings one-to-one. */
    public void expectEnd() {
        if (position != data.length) {
            throw new IllegalArgumentException("trailing bytes: " + (data.length - position) + " after offset " + position);
        }
    }

    private void need(int count, String what) {
        if (count < 0 || data.length - position < count) {
            throw new IllegalArgumentException("truncated input: " + what + " needs " + count + " bytes at offset " + position);
        }
    }
}
