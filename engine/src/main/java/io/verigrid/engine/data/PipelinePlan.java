package io.verigrid.engine.data;

import java.util.Arrays;

/**
 * The global part of a run, made explicit so that it can be committed and a shard recomputed alone: the origins of
 * the surviving records, in order, after every step ({@code originsAfter(0)} is the input, 0..n−1), and where the
 * final list is cut into shards. Only select steps (filter, dedup, shuffle) change the list; map steps and mixup
 * keep it.
 *
 * <p>Canonical bytes: u32 (steps + 1) ‖ per list u32 count ‖ u32 origins ‖ u32 shard count ‖ u32 shard ends.
 */
public final class PipelinePlan {
    private final int[][] origins;
    private final int[] shardEnds;

    public PipelinePlan(int[][] origins, int[] shardEnds) {
        if (origins == null || origins.length < 1 || shardEnds == null) {
            throw new IllegalArgumentException("plan: needs the input's origins and the shard ends");
        }
        this.origins = new int[origins.length][];
        for (int t = 0; t < origins.length; t++) {
            this.origins[t] = origins[t].clone();
        }
        int finalCount = this.origins[origins.length - 1].length;
        int previous = 0;
        for (int k = 0; k < shardEnds.length; k++) {
            if (shardEnds[k] <= previous || shardEnds[k] > finalCount) {
                throw new IllegalArgumentException("plan: shard end " + k + " = " + shardEnds[k]
                        + " must increase within 1.." + finalCount);
            }
            previous = shardEnds[k];
        }
        if (previous != finalCount) {
            throw new IllegalArgumentException("plan: shards cover " + previous + " of " + finalCount + " final records");
        }
        this.shardEnds = shardEnds.clone();
    }

    /** The number of steps (lists are 0..steps). */
    public int steps() {
        return origins.length - 1;
    }

    /** The origins after step {@code t} (0 = input), a copy. */
    public int[] originsAfter(int t) {
        checkStep(t);
        return origins[t].clone();
    }

    public int countAfter(int t) {
        checkStep(t);
        return origins[t].length;
    }

    public int shardCount() {
        return shardEnds.length;
    }

    /** The end (exclusive) of every shard in the final list, a copy. */
    public int[] shardEnds() {
        return shardEnds.clone();
    }

    /** The origins of shard {@code k}'s records, in order. */
    public int[] shardOrigins(int k) {
        checkShard(k);
        int start = k == 0 ? 0 : shardEnds[k - 1];
        return Arrays.copyOfRange(origins[origins.length - 1], start, shardEnds[k]);
    }

    public byte[] encode() {
        DataWriter out = new DataWriter().u32(origins.length);
        for (int[] list : origins) {
            out.u32(list.length);
            for (int origin : list) {
                out.u32(origin);
            }
        }
        out.u32(shardEnds.length);
        for (int end : shardEnds) {
            out.u32(end);
        }
        return out.toByteArray();
    }

    public static PipelinePlan decode(byte[] bytes) {
        DataReader in = new DataReader(bytes, "pipeline plan");
        int lists = in.u32();
        int[][] origins = new int[lists][];
        for (int t = 0; t < lists; t++) {
            origins[t] = readInts(in);
        }
        int[] ends = readInts(in);
        in.expectEnd();
        return new PipelinePlan(origins, ends);
    }

    public byte[] sha256() {
        return Sha256.of(encode());
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PipelinePlan that && Arrays.deepEquals(that.origins, origins)
                && Arrays.equals(that.shardEnds, shardEnds);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.deepHashCode(origins) + Arrays.hashCode(shardEnds);
    }

    private static int[] readInts(DataReader in) {
        int count = in.u32();
        if (count > in.remaining() / Integer.BYTES) {
            throw new IllegalArgumentException("pipeline plan: list of " + count + " entries exceeds the bytes left");
        }
        int[] values = new int[count];
        for (int i = 0; i < count; i++) {
            values[i] = in.u32();
        }
        return values;
    }

    private void checkStep(int t) {
        if (t < 0 || t >= origins.length) {
            throw new IllegalArgumentException("step: " + t + " outside 0.." + (origins.length - 1));
        }
    }

    private void checkShard(int k) {
        if (k < 0 || k >= shardEnds.length) {
            throw new IllegalArgumentException("shardIndex: " + k + " outside 0.." + (shardEnds.length - 1));
        }
    }
}
