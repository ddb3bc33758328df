package io.verigrid.engine.data;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Reads what {@link DataWriter} wrote; truncation, bad UTF-8 or trailing bytes are IllegalArgumentExceptions naming {@code what}. */
public final class DataReader {
    private final byte[] data;
    private final String what;
    private int position;

    public DataReader(byte[] data, String what) {
        if (data == null) {
            throw new IllegalArgumentException(what + ": null bytes");
        }
        this.data = data;
        this.what = what;
    }

    public int u8() {
        need(1, "u8");
        return data[position++] & 0xFF;
    }

    public int i32() {
        need(4, "i32");
        int value = 0;
        for (int i = 0; i < 4; i++) {
            value |= (data[position + i] & 0xFF) << (8 * i);
        }
        position += 4;
        return value;
    }

    public int u32() {
        int value = i32();
        if (value < 0) {
            throw new IllegalArgumentException(what + ": u32 " + Integer.toUnsignedString(value)
                    + " too large at offset " + (position - 4));
        }
        return value;
    }

    public long i64() {
        need(8, "i64");
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value |= (long) (data[position + i] & 0xFF) << (8 * i);
        }
        position += 8;
        return value;
    }

    public float f32() {
        return Float.intBitsToFloat(i32());
    }

    public boolean bool() {
        int value = u8();
        if (value > 1) {
            throw new IllegalArgumentException(what + ": boolean byte " + value + " at offset " + (position - 1));
        }
        return value == 1;
    }

    public String string() {
        int length = u32();
        need(length, "string");
        try {
            String value = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(data, position, length)).toString();
            position += length;
            return value;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(what + ": invalid UTF-8 at offset " + position, e);
        }
    }

    public byte[] bytes() {
        return raw(u32());
    }

    public byte[] raw(int length) {
        need(length, "bytes");
        byte[] value = Arrays.copyOfRange(data, position, position + length);
        position += length;
        return value;
    }

    /** Bytes not read yet: decoders bound a declared count by it before allocating. */
    public int remaining() {
        return data.length - position;
    }

    public void expectEnd() {
        if (position != data.length) {
            throw new IllegalArgumentException(what + ": " + (data.length - position) + " trailing bytes after offset "
                    + position);
        }
    }

    private void need(int count, String field) {
        if (count < 0 || data.length - position < count) {
            throw new IllegalArgumentException(what + ": truncated, " + field + " needs " + count + " bytes at offset "
                    + position);
        }
    }
}
