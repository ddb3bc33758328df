package io.verigrid.engine.generate;

import java.util.Arrays;

/**
 * One sequence's keys and values, per layer, rows = positions: (length, kvHeads·headDim). Grows by
 * appending; {@link #length()} counts the positions every layer holds. Not thread-safe: one sequence is
 * decoded by one caller at a time.
 */
public final class KvCache {
    private final int width;
    private final float[][] keys;
    private final float[][] values;
    private int length;

    KvCache(int layers, int width) {
        this.width = width;
        this.keys = new float[layers][width * 16];
        this.values = new float[layers][width * 16];
    }

    public int length() {
        return length;
    }

    /** Appends rows to one layer; the last layer's append advances {@link #length()}. */
    void append(int layer, float[] newKeys, float[] newValues) {
        int needed = length * width + newKeys.length;
        if (keys[layer].length < needed) {
            keys[layer] = Arrays.copyOf(keys[layer], Math.max(needed, keys[layer].length * 2));
            values[layer] = Arrays.copyOf(values[layer], Math.max(needed, values[layer].length * 2));
        }
        System.arraycopy(newKeys, 0, keys[layer], length * width, newKeys.length);
        System.arraycopy(newValues, 0, values[layer], length * width, newValues.length);
        if (layer == keys.length - 1) {
            length += newKeys.length / width;
        }
    }

    /** The first {@code rows} key rows of a layer (a copy). */
    float[] keys(int layer, int rows) {
        return Arrays.copyOf(keys[layer], rows * width);
    }

    float[] values(int layer, int rows) {
        return Arrays.copyOf(values[layer], rows * width);
    }
}
