package io.verigrid.engine.data;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Canonical little-endian bytes for the data package: fixed-width integers, u32-length-prefixed byte strings. */
final class DataWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    DataWriter u8(int value) {
        if (value < 0 || value > 0xFF) {
            throw new IllegalArgumentException("u8 out of range: " + value);
        }
        out.write(value);
        return this;
    }

    DataWriter u32(int value) {
        if (value < 0) {
            throw new IllegalArgumentException("u32 out of range: " + value);
        }
        return i32(value);
    }

    DataWriter i32(int value) {
        for (int i = 0; i < 4; i++) {
            out.write((value >>> (8 * i)) & 0xFF);
        }
        return this;
    }

    DataWriter i64(long value) {
        for (int i = 0; i < 8; i++) {
            out.write((int) (value >>> (8 * i)) & 0xFF);
        }
        return this;
    }

    DataWriter f32(float value) {
        return i32(Float.floatToRawIntBits(value));
    }

    DataWriter bool(boolean value) {
        return u8(value ? 1 : 0);
    }

    /** u32 byte length, then the UTF-8 bytes. */
    DataWriter string(String value) {
        return bytes(value.getBytes(StandardCharsets.UTF_8));
    }

    /** u32 length, then the bytes. */
    DataWriter bytes(byte[] value) {
        u32(value.length);
        out.writeBytes(value);
        return this;
    }

    DataWriter raw(byte[] value) {
        out.writeBytes(value);
        return this;
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }
}
