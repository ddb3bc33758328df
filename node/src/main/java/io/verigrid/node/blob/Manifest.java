package io.verigrid.node.blob;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * What a blob is made of: its kind, chunk size, total size and the SHA-256 of every chunk in order. A blob's id is
 * the SHA-256 of this manifest's canonical bytes (docs/protocol.md, "Blobs (node)"), so the id pins every chunk
 * and a chunk can be checked on arrival, alone, against {@link #chunkHash(int)}.
 */
public record Manifest(Kind kind, int chunkSize, long size, List<String> chunkHashes) {
    public static final int MAX_CHUNK_SIZE = 16 << 20;
    static final byte[] MAGIC = "VGBLOB01".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER = MAGIC.length + 1 + 4 + 8 + 4;

    /** FILE: the bytes of one file; DIRECTORY: a {@link DirArchive} of a directory tree. */
    public enum Kind { FILE, DIRECTORY }

    public Manifest {
        if (kind == null) throw new IllegalArgumentException("kind must not be null");
        if (chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) {
            throw new IllegalArgumentException("chunkSize must be in 1.." + MAX_CHUNK_SIZE + ", got " + chunkSize);
        }
        if (size < 0) throw new IllegalArgumentException("size must not be negative, got " + size);
        long expected = (size + chunkSize - 1) / chunkSize;
        if (chunkHashes == null || chunkHashes.size() != expected) {
            throw new IllegalArgumentException("a blob of " + size + " bytes in chunks of " + chunkSize + " has " + expected
                    + " chunks, the manifest lists " + (chunkHashes == null ? "none" : chunkHashes.size()));
        }
        for (String h : chunkHashes) {
            if (!BlobStore.isHash(h)) throw new IllegalArgumentException("chunk hash '" + h + "' is not 64 lowercase hex characters");
        }
        chunkHashes = List.copyOf(chunkHashes);
    }

    public int chunkCount() {
        return chunkHashes.size();
    }

    public String chunkHash(int index) {
        if (index < 0 || index >= chunkHashes.size()) {
            throw new IllegalArgumentException("chunk index " + index + " is outside 0.." + (chunkHashes.size() - 1));
        }
        return chunkHashes.get(index);
    }

    /** Length of chunk {@code index}: the chunk size, except for a shorter last chunk. */
    public int chunkLength(int index) {
        chunkHash(index);
        return (int) Math.min(chunkSize, size - (long) index * chunkSize);
    }

    /** The blob id: lowercase hex SHA-256 of {@link #encode()}. */
    public String id() {
        return BlobStore.sha256Hex(encode());
    }

    /** "VGBLOB01" ‖ u8 kind ‖ u32 chunkSize ‖ u64 size ‖ u32 count ‖ count × 32-byte chunk hash, little-endian. */
    public byte[] encode() {
        ByteBuffer out = ByteBuffer.allocate(HEADER + 32 * chunkHashes.size()).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) kind.ordinal()).putInt(chunkSize).putLong(size).putInt(chunkHashes.size());
        for (String h : chunkHashes) out.put(HexFormat.of().parseHex(h));
        return out.array();
    }

    public static Manifest decode(byte[] bytes) {
        if (bytes == null || bytes.length < HEADER || !Arrays.equals(Arrays.copyOf(bytes, MAGIC.length), MAGIC)) {
            throw new IllegalArgumentException("not a blob manifest: it must start with VGBLOB01 and hold at least " + HEADER + " bytes");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).position(MAGIC.length);
        int kind = in.get();
        if (kind < 0 || kind >= Kind.values().length) throw new IllegalArgumentException("manifest kind " + kind + " is unknown");
        int chunkSize = in.getInt();
        long size = in.getLong();
        int count = in.getInt();
        if (count < 0 || bytes.length != HEADER + 32L * count) {
            throw new IllegalArgumentException("manifest lists " + count + " chunks but holds " + bytes.length + " bytes");
        }
        List<String> hashes = new ArrayList<>(count);
        byte[] hash = new byte[32];
        for (int i = 0; i < count; i++) {
            in.get(hash);
            hashes.add(HexFormat.of().formatHex(hash));
        }
        return new Manifest(Kind.values()[kind], chunkSize, size, hashes);
    }
}
