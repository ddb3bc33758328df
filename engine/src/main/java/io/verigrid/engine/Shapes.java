package io.verigrid.engine;

import java.util.Arrays;

/**
 * Shape arithmetic shared by the shape-changing operators. A shape travels in an operator's attributes as
 * {@link #ATTR_SLOTS} longs: the rank, then up to {@link #MAX_RANK} dimensions, unused slots zero — so every
 * such operator has a fixed attribute count.
 */
final class Shapes {
    static final int MAX_RANK = 6;
    static final int ATTR_SLOTS = 1 + MAX_RANK;

    private Shapes() {
    }

    /** Encodes a shape (rank ≤ 6) as attribute slots. */
    static long[] toAttrs(int... shape) {
        if (shape.length > MAX_RANK) {
            throw new IllegalArgumentException("rank " + shape.length + " exceeds the maximum " + MAX_RANK);
        }
        long[] attrs = new long[ATTR_SLOTS];
        attrs[0] = shape.length;
        for (int i = 0; i < shape.length; i++) {
            attrs[1 + i] = shape[i];
        }
        return attrs;
    }

    /** Decodes attribute slots starting at {@code offset}; every dimension must be ≥ 0 and unused slots zero. */
    static int[] fromAttrs(String kind, long[] attrs, int offset) {
        long rank = attrs[offset];
        if (rank < 0 || rank > MAX_RANK) {
            throw new IllegalArgumentException(kind + ": attr " + offset + " (rank) must be in [0, " + MAX_RANK
                    + "], got " + rank);
        }
        int[] shape = new int[(int) rank];
        for (int i = 0; i < MAX_RANK; i++) {
            long dim = attrs[offset + 1 + i];
            if (i < rank && (dim < 0 || dim > Integer.MAX_VALUE)) {
                throw new IllegalArgumentException(kind + ": attr " + (offset + 1 + i) + " (dimension) must be >= 0, got "
                        + dim);
            }
            if (i >= rank && dim != 0) {
                throw new IllegalArgumentException(kind + ": attr " + (offset + 1 + i) + " beyond the rank must be 0, got "
                        + dim);
            }
            if (i < rank) {
                shape[i] = (int) dim;
            }
        }
        return shape;
    }

    static int size(int[] shape) {
        long size = 1;
        for (int dim : shape) {
            size *= dim;
            if (size > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " is too large");
            }
        }
        return (int) size;
    }

    /** Row-major strides of {@code shape}. */
    static int[] strides(int[] shape) {
        int[] strides = new int[shape.length];
        int stride = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = stride;
            stride *= shape[i];
        }
        return strides;
    }

    /** Numpy broadcasting: shapes aligned at the right, each pair of dimensions equal or one of them 1. */
    static int[] broadcast(String kind, int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw Ops.bad(kind, 1, "has shape " + Arrays.toString(b) + " which does not broadcast with input 0 shape "
                        + Arrays.toString(a));
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /**
     * The strides to read a tensor of shape {@code shape} at the indices of the (broadcast) shape
     * {@code target}: right-aligned, stride 0 along every broadcast dimension.
     */
    static int[] broadcastStrides(int[] shape, int[] target) {
        int[] own = strides(shape);
        int[] out = new int[target.length];
        int shift = target.length - shape.length;
        for (int i = shift; i < target.length; i++) {
            out[i] = shape[i - shift] == 1 ? 0 : own[i - shift];
        }
        return out;
    }

    /** The flat offset into a tensor with {@code strides} of the element at flat index {@code index} of {@code shape}. */
    static int offset(int index, int[] shape, int[] strides) {
        int offset = 0;
        for (int axis = shape.length - 1; axis >= 0; axis--) {
            int dim = shape[axis];
            offset += (index % dim) * strides[axis];
            index /= dim;
        }
        return offset;
    }

    /** Product of the dimensions before {@code axis}. */
    static int outer(int[] shape, int axis) {
        return size(Arrays.copyOfRange(shape, 0, axis));
    }

    /** Product of the dimensions after {@code axis}. */
    static int inner(int[] shape, int axis) {
        return size(Arrays.copyOfRange(shape, axis + 1, shape.length));
    }

    /** Requires 0 ≤ axis < rank. */
    static int axis(String kind, long[] attrs, int index, int rank) {
        long axis = attrs[index];
        if (axis < 0 || axis >= rank) {
            throw new IllegalArgumentException(kind + ": attr " + index + " (axis) must be in [0, " + rank + "), got "
                    + axis);
        }
        return (int) axis;
    }
}
