package io.verigrid.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * An immutable row-major float32 tensor.
 *
 * <p>The canonical bytes of a tensor ({@link #toBytes()}) are its elements as little-endian float32 in
 * row-major order; every hash and commitment in Verigrid is taken over those bytes. Two tensors are the
 * same result only if {@link #bitEquals(Tensor)} holds: same shape and the same raw bits in every element
 * (so {@code -0.0f} differs from {@code 0.0f} and every NaN payload counts).
 */
public final class Tensor {
    private final int[] shape;
    private final float[] data;

    private Tensor(int[] shape, float[] data) {
        this.shape = shape;
        this.data = data;
    }

    /** A tensor holding a copy of {@code data}; the product of {@code shape} must equal its length. */
    public static Tensor of(int[] shape, float[] data) {
        if (shape == null) {
            throw new IllegalArgumentException("shape must not be null");
        }
        if (data == null) {
            throw new IllegalArgumentException("data must not be null");
        }
        int[] checkedShape = shape.clone();
        long size = sizeOf(checkedShape);
        if (size != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + size
                    + " elements but data has " + data.length);
        }
        return new Tensor(checkedShape, data.clone());
    }

    /** A tensor of zeros with the given shape. */
    public static Tensor zeros(int... shape) {
        if (shape == null) {
            throw new IllegalArgumentException("shape must not be null");
        }
        int[] checkedShape = shape.clone();
        return new Tensor(checkedShape, new float[Math.toIntExact(sizeOf(checkedShape))]);
    }

    /** A rank-0 tensor holding one value. */
    public static Tensor scalar(float value) {
        return new Tensor(new int[0], new float[] {value});
    }

    /** Adopts {@code data} without copying; for engine code that has just filled a fresh array. */
    static Tensor wrap(int[] shape, float[] data) {
        if (sizeOf(shape) != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + sizeOf(shape)
                    + " elements but data has " + data.length);
        }
        return new Tensor(shape.clone(), data);
    }

    /** Decodes canonical bytes (little-endian float32, row-major) into a tensor of the given shape. */
    public static Tensor fromBytes(int[] shape, byte[] bytes) {
        if (shape == null) {
            throw new IllegalArgumentException("shape must not be null");
        }
        if (bytes == null) {
            throw new IllegalArgumentException("bytes must not be null");
        }
        long size = sizeOf(shape);
        if (size * Float.BYTES != bytes.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + size * Float.BYTES
                    + " bytes but got " + bytes.length);
        }
        float[] data = new float[(int) size];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data);
        return new Tensor(shape.clone(), data);
    }

    private static long sizeOf(int[] shape) {
        long size = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has negative dimension "
                        + i);
            }
            size *= shape[i];
            if (size > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " is too large");
            }
        }
        return size;
    }

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    /** The backing array, row-major. Callers must not mutate it: tensors are shared and treated as immutable. */
    public float[] data() {
        return data;
    }

    public int size() {
        return data.length;
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int axis) {
        if (axis < 0 || axis >= shape.length) {
            throw new IllegalArgumentException("axis " + axis + " out of range for rank " + shape.length);
        }
        return shape[axis];
    }

    /** The canonical bytes: little-endian float32, row-major. */
    public byte[] toBytes() {
        ByteBuffer buffer = ByteBuffer.allocate(data.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : data) {
            buffer.putInt(Float.floatToRawIntBits(value));
        }
        return buffer.array();
    }

    /** True when {@code other} has the same shape and the same raw bits in every element. */
    public boolean bitEquals(Tensor other) {
        if (other == null || !Arrays.equals(shape, other.shape)) {
            return false;
        }
        for (int i = 0; i < data.length; i++) {
            if (Float.floatToRawIntBits(data[i]) != Float.floatToRawIntBits(other.data[i])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        int shown = Math.min(data.length, 8);
        StringBuilder text = new StringBuilder("Tensor").append(Arrays.toString(shape)).append('[');
        for (int i = 0; i < shown; i++) {
            text.append(i == 0 ? "" : ", ").append(data[i]);
        }
        return text.append(data.length > shown ? ", …]" : "]").toString();
    }
}
