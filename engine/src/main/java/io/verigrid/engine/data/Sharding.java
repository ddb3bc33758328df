package io.verigrid.engine.data;

import java.util.List;

/**
 * How the final record list is cut into shards: {@code records} per shard (the last may be short), or greedily up
 * to {@code tokens} token ids per shard (a record is never split; a record longer than the budget fills a shard
 * alone). Exactly one of the two is positive.
 */
public record Sharding(int records, int tokens) {
    public Sharding {
        if ((records > 0) == (tokens > 0) || records < 0 || tokens < 0) {
            throw new IllegalArgumentException("sharding: exactly one of records, tokens must be positive, got records="
                    + records + ", tokens=" + tokens);
        }
    }

    public static Sharding byRecords(int records) {
        return new Sharding(records, 0);
    }

    public static Sharding byTokens(int tokens) {
        return new Sharding(0, tokens);
    }

    public boolean byTokenCount() {
        return tokens > 0;
    }

    /**
     * The end (exclusive) of each shard over {@code count} final records; {@code finalRecords} (token records) are
     * only read when sharding by tokens. An empty list has no shards.
     */
    int[] cut(int count, List<DataRecord> finalRecords) {
        if (!byTokenCount()) {
            int shards = (count + records - 1) / records;
            int[] ends = new int[shards];
            for (int k = 0; k < shards; k++) {
                ends[k] = Math.min(count, (k + 1) * records);
            }
            return ends;
        }
        int[] ends = new int[count];
        int shards = 0;
        long used = 0;
        for (int i = 0; i < count; i++) {
            int length = ((TokenRecord) finalRecords.get(i)).length();
            if (used > 0 && used + length > tokens) {
                ends[shards++] = i;
                used = 0;
            }
            used += length;
        }
        if (count > 0) {
            ends[shards++] = count;
        }
        return java.util.Arrays.copyOf(ends, shards);
    }

    void write(DataWriter out) {
        out.u8(byTokenCount() ? 2 : 1).u32(byTokenCount() ? tokens : records);
    }

    static Sharding read(DataReader in) {
        int mode = in.u8();
        int size = in.u32();
        return switch (mode) {
            case 1 -> byRecords(size);
            case 2 -> byTokens(size);
            default -> throw new IllegalArgumentException("sharding: unknown mode byte " + mode);
        };
    }

    static Sharding fromJson(JsonFields f) {
        boolean hasRecords = f.has("records");
        boolean hasTokens = f.has("tokens");
        if (hasRecords == hasTokens) {
            throw new IllegalArgumentException(f.path() + ": give exactly one of records, tokens");
        }
        Sharding sharding = hasRecords ? byRecords(f.integer("records", 1, Integer.MAX_VALUE))
                : byTokens(f.integer("tokens", 1, Integer.MAX_VALUE));
        f.rejectUnknown("sharding");
        return sharding;
    }
}
