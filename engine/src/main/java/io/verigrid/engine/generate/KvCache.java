package io.verigrid.engine.generate;

import java.util.Arrays;

/**
 * One sequence's keys and values, per layer, rows = positions: (length, kvHeads·headDim). The decoder writes a
 * step's rows past {@link #length()} in every layer, then {@link #advance}s once: until then the cache reads as
 * unchanged. Not thread-safe: one sequence is decoded by one caller at a time.
 */
public final class KvCache {
    private final int width;
    private final float[][] keys; // (layer) → (capacity, width)
    private final float[][] values; // (layer) → (capacity, width)
    private int length;

    KvCache(int layers, int width) {
        this.width = width;
        this.keys = new float[layers][width * 16];
        this.values = new float[layers][width * 16];
    }

    public int length() {
        return length;
    }

    /** Grows every layer to hold at least {@code positions} rows, keeping the rows written so far. */
    void reserve(int positions) {
        int needed = Math.multiplyExact(positions, width);
        for (int layer = 0; layer < keys.length; layer++) {
            if (keys[layer].length < needed) {
                int size = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(needed, 2L * keys[layer].length));
                keys[layer] = Arrays.copyOf(keys[layer], size);
                values[layer] = Arrays.copyOf(values[layer], size);
            }
        }
    }

    /** A layer's key rows, (capacity, width), read and written in place; rows past {@link #length()} are scratch. */
    float[] keys(int layer) {
        return keys[layer];
    }

    float[] values(int layer) {
        return values[layer];
    }

    /** Commits {@code rows} positions written into every layer. */
    void advance(int rows) {
        length += rows;
    }
}
