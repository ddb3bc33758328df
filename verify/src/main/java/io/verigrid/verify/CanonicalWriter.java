package io.verigrid.verify;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Builds canonical bytes: little-endian integers, strings as u16 length + UTF-8, byte strings as u32 length + bytes. */
public final class CanonicalWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public CanonicalWriter u8(int value) {
        if (value < 0 || value > 0xFF) throw new IllegalArgumentException("u8 out of range: " + value);
        out.write(value);
        return this;
    }

    public CanonicalWriter u16(int value) {
        if (value < 0 || value > 0xFFFF) throw new IllegalArgumentException("u16 out of range: " + value);
        out.write(value & 0xFF);
        out.write(value >>> 8);
        return this;
    }

    /** A non-negative int as u32 (Java ints are the protocol's indices and counts). */
    public CanonicalWriter u32(int value) {
        if (value < 0) throw new IllegalArgumentException("u32 out of range: " + value);
        for (int i = 0; i < 4; i++) out.write((value >>> (8 * i)) & 0xFF);
        return this;
    }

    /** A float's raw IEEE-754 bits, 4 bytes little-endian (any sign). */
    public CanonicalWriter f32(float value) {
        int bits = Float.floatToRawIntBits(value);
        for (int i = 0; i < 4; i++) out.write((bits >>> (8 * i)) & 0xFF);
        return this;
    }

    public CanonicalWriter i64(long value) {
        for (int i = 0; i < 8; i++) out.write((int) (value >>> (8 * i)) & 0xFF);
        return this;
    }

    public CanonicalWriter string(String value) {
        if (value == null) throw new IllegalArgumentException("string: null");
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        u16(utf8.length);
        out.writeBytes(utf8);
        return this;
    }

    /** Bytes written as they are, without a length: only for fixed-length fields such as hashes. */
    public CanonicalWriter raw(byte[] bytes) {
        if (bytes == null) throw new IllegalArgumentException("raw: null");
        out.writeBytes(bytes);
        return this;
    }

    /** A variable-length byte string: u32 length, then the bytes. */
    public CanonicalWriter bytes(byte[] bytes) {
        if (bytes == null) throw new IllegalArgumentException("bytes: null");
        u32(bytes.length);
        out.writeBytes(bytes);
        return this;
    }

    public byte[] toByteArray() {
        return out.toByteArray();
    }
}
