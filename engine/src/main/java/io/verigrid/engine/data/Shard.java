package io.verigrid.engine.data;

import java.util.ArrayList;
import java.util.List;

/**
 * One output shard: the unit a verifier recomputes. Canonical bytes ({@link #encode()}): u8 version (1) ‖
 * u32 index ‖ u32 count ‖ per record u32 length ‖ {@link DataRecord#encode()}. {@link #sha256()} hashes them.
 */
public record Shard(int index, List<DataRecord> records) {
    public static final int VERSION = 1;

    public Shard {
        if (index < 0) {
            throw new IllegalArgumentException("index must be >= 0, got " + index);
        }
        if (records == null) {
            throw new IllegalArgumentException("records: null");
        }
        records = List.copyOf(records);
    }

    public int size() {
        return records.size();
    }

    /** Token ids in the shard (0 when its records are not token records). */
    public long tokenCount() {
        long tokens = 0;
        for (DataRecord record : records) {
            if (record instanceof TokenRecord tokenRecord) {
                tokens += tokenRecord.length();
            }
        }
        return tokens;
    }

    public int[] origins() {
        return records.stream().mapToInt(DataRecord::origin).toArray();
    }

    public byte[] encode() {
        DataWriter out = new DataWriter().u8(VERSION).u32(index).u32(records.size());
        for (DataRecord record : records) {
            out.bytes(record.encode());
        }
        return out.toByteArray();
    }

    public static Shard decode(byte[] bytes) {
        DataReader in = new DataReader(bytes, "shard");
        int version = in.u8();
        if (version != VERSION) {
            throw new IllegalArgumentException("shard: version " + version + " is not " + VERSION);
        }
        int index = in.u32();
        int count = in.u32();
        List<DataRecord> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            records.add(DataRecord.decode(in.bytes()));
        }
        in.expectEnd();
        return new Shard(index, records);
    }

    public byte[] sha256() {
        return Sha256.of(encode());
    }
}
