package io.verigrid.ledger.tx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Canonical little-endian writer for Verigrid's binary formats (transactions, ledger state, snapshots).
 * Strings are UTF-8 behind a u16 length; byte strings and lists sit behind a u32 count.
 */
public final class ByteWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public ByteWriter u8(int v) {
        out.write(v & 0xff);
        return this;
    }

    public ByteWriter bool(boolean v) {
        return u8(v ? 1 : 0);
    }

    public ByteWriter u16(int v) {
        return u8(v).u8(v >>> 8);
    }

    public ByteWriter i32(int v) {
        return u16(v).u16(v >>> 16);
    }

    public ByteWriter i64(long v) {
        return i32((int) v).i32((int) (v >>> 32));
    }

    /** Raw bytes with no length prefix: for fixed-size fields (keys, hashes, signatures). */
    public ByteWriter raw(byte[] bytes) {
        out.write(bytes, 0, bytes.length);
        return this;
    }

    public ByteWriter bytes(byte[] bytes) {
        i32(bytes.length);
        return raw(bytes);
    }

    public ByteWriter string(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > 0xffff) {
            throw new IllegalArgumentException("string longer than 65535 UTF-8 bytes: " + utf8.length);
        }
        u16(utf8.length);
        return raw(utf8);
    }

    public ByteWriter byteList(List<byte[]> list) {
        i32(list.size());
        list.forEach(this::bytes);
        return this;
    }

    public byte[] toBytes() {
        return out.toByteArray();
    }
}
