package io.verigrid.engine.generate;

import java.util.Arrays;

/**
 * One sequence's keys and values, per layer. Values are rows = positions, (capacity, kvHeads·headDim); keys are
 * stored transposed, (kvHeads·headDim, capacity), so that one query's scores against consecutive positions are
 * vector lanes. The decoder writes a step's positions past {@link #length()} in every layer, then
 * {@link #advance}s once: until then the cache reads as unchanged. Not thread-safe: one sequence is decoded by
 * one caller at a time (whose step team writes disjoint key/value heads of a layer from several threads).
 */
public final class KvCache {
    private static final int INITIAL_CAPACITY = 16;

    private final int width;
    private final float[][] keys; // (layer) → (width, capacity)
    private final float[][] values; // (layer) → (capacity, width)
    private int capacity = INITIAL_CAPACITY;
    private int length;

    KvCache(int layers, int width) {
        this.width = width;
        this.keys = new float[layers][width * INITIAL_CAPACITY];
        this.values = new float[layers][width * INITIAL_CAPACITY];
    }

    public int length() {
        return length;
    }

    /** Positions every layer can hold before {@link #reserve} must grow it; the row stride of the keys. */
    int capacity() {
        return capacity;
    }

    /** Grows every layer to hold at least {@code positions} positions, keeping what was written. */
    void reserve(int positions) {
        if (positions <= capacity) {
            return;
        }
        int grown = (int) Math.min(Integer.MAX_VALUE / Math.max(1, width), Math.max(positions, 2L * capacity));
        for (int layer = 0; layer < keys.length; layer++) {
            float[] moved = new float[Math.multiplyExact(width, grown)];
            for (int column = 0; column < width; column++) {
                System.arraycopy(keys[layer], column * capacity, moved, column * grown, capacity);
            }
            keys[layer] = moved;
            values[layer] = Arrays.copyOf(values[layer], width * grown);
        }
        capacity = grown;
    }

    /**
     * Writes columns {@code [from, from + count)} of one position's key row into a layer, column c read from
     * {@code src[offset + c]}.
     */
    void writeKey(int layer, int position, float[] src, int offset, int from, int count) {
        float[] k = keys[layer];
        for (int column = from; column < from + count; column++) {
            k[column * capacity + position] = src[offset + column];
        }
    }

    /** Writes columns {@code [from, from + count)} of one position's value row into a layer. */
    void writeValue(int layer, int position, float[] src, int offset, int from, int count) {
        System.arraycopy(src, offset + from, values[layer], position * width + from, count);
    }

    /** A layer's keys, (width, capacity), read in place. */
    float[] keys(int layer) {
        return keys[layer];
    }

    /** A layer's values, (capacity, width), read in place. */
    float[] values(int layer) {
        return values[layer];
    }

    /** Commits {@code rows} positions written into every layer. */
    void advance(int rows) {
        length += rows;
    }
}
