package io.verigrid.ledger.tx;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Reader for {@link ByteWriter}'s format. Every read checks the remaining length first, so truncated or
 * hostile input ends in {@link MalformedTxException}, never in an out-of-memory or index error.
 */
public final class ByteReader {
    private final byte[] buf;
    private int pos;

    public ByteReader(byte[] buf) {
        this.buf = buf;
    }

    private void need(int n, String what) {
        if (n < 0 || buf.length - pos < n) {
            throw new MalformedTxException("truncated input: " + what + " needs " + n + " bytes, "
                    + (buf.length - pos) + " left at offset " + pos);
        }
    }

    public int u8(String what) {
        need(1, what);
        return buf[pos++] & 0xff;
    }

    public boolean bool(String what) {
        int v = u8(what);
        if (v > 1) {
            throw new MalformedTxException(what + " must be 0 or 1, got " + v);
        }
        return v == 1;
    }

    public int u16(String what) {
        need(2, what);
        int v = (buf[pos] & 0xff) | (buf[pos + 1] & 0xff) << 8;
        pos += 2;
        return v;
    }

    public int i32(String what) {
        need(4, what);
        int v = (buf[pos] & 0xff) | (buf[pos + 1] & 0xff) << 8 | (buf[pos + 2] & 0xff) << 16 | (buf[pos + 3] & 0xff) << 24;
        pos += 4;
        return v;
    }

    public long i64(String what) {
        long lo = i32(what) & 0xffffffffL;
        long hi = i32(what) & 0xffffffffL;
        return lo | hi << 32;
    }

    public byte[] raw(int n, String what) {
        need(n, what);
        byte[] out = new byte[n];
        System.arraycopy(buf, pos, out, 0, n);
        pos += n;
        return out;
    }

    public byte[] bytes(String what) {
        int n = i32(what + " length");
        if (n < 0) {
            throw new MalformedTxException(what + " has negative length " + n);
        }
        return raw(n, what);
    }

    public String string(String what) {
        byte[] utf8 = raw(u16(what + " length"), what);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(utf8)).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedTxException(what + " is not valid UTF-8", e);
        }
    }

    /** A u32 element count, bounded by the bytes left so a forged count cannot allocate gigabytes. */
    public int count(String what, int minBytesPerElement) {
        int n = i32(what + " count");
        if (n < 0 || (long) n * Math.max(1, minBytesPerElement) > buf.length - pos) {
            throw new MalformedTxException(what + " count " + n + " exceeds the " + (buf.length - pos) + " bytes left");
        }
        return n;
    }

    public List<byte[]> byteList(String what) {
        int n = count(what, 4);
        List<byte[]> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(bytes(what + "[" + i + "]"));
        }
        return out;
    }

    public boolean atEnd() {
        return pos == buf.length;
    }

    public void expectEnd(String what) {
        if (!atEnd()) {
            throw new MalformedTxException(what + " has " + (buf.length - pos) + " trailing bytes");
        }
    }
}
