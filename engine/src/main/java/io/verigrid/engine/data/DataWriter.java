package io.verigrid.engine.data;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The data package's canonical bytes: little-endian fixed-width integers, IEEE float bits, u32-length-prefixed
 * UTF-8 strings and byte strings. Records, specs, plans and shards are written with it.
 */
public final class DataWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public DataWriter u8(int value) {
        if (value < 0 || value > 0xFF) {
            throw new IllegalArgumentException("u8 out of range: " + value);
        }
        out.write(value);
        return this;
    }

    public DataWriter u32(int value) {
        if (value < 0) {
            throw new IllegalArgumentException("u32 out of range: " + value);
        }
        return i32(value);
    }

    public DataWriter i32(int value) {
        for (int i = 0; i < 4; i++) {
            out.write((value >>> (8 * i)) & 0xFF);
        }
        return this;
    }

    public DataWriter i64(long value) {
        for (int i = 0; i < 8; i++) {
            out.write((int) (value >>> (8 * i)) & 0xFF);
        }
        return this;
    }

    public DataWriter f32(float value) {
        return i32(Float.floatToRawIntBits(value));
    }

    public DataWriter bool(boolean value) {
        return u8(value ? 1 : 0);
    }

    /** u32 byte length, then the UTF-8 bytes. */
    public DataWriter string(String value) {
        return bytes(value.getBytes(StandardCharsets.UTF_8));
    }

    /** u32 length, then the bytes. */
    public DataWriter bytes(byte[] value) {
        u32(value.length);
        out.writeBytes(value);
        return this;
    }

    public DataWriter raw(byte[] value) {
        out.writeBytes(value);
        return this;
    }

    public byte[] toByteArray() {
        return out.toByteArray();
    }
}
