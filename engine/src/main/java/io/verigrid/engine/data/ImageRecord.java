package io.verigrid.engine.data;

import io.verigrid.engine.Tensor;

import java.util.Arrays;

/** An image record: {@code image} is float32 C×H×W, {@code label} a rank-1 vector (one-hot or soft; may be empty). */
public record ImageRecord(int origin, Tensor image, Tensor label) implements DataRecord {
    public ImageRecord {
        if (origin < 0) {
            throw new IllegalArgumentException("origin must be >= 0, got " + origin);
        }
        if (image == null || image.rank() != 3) {
            throw new IllegalArgumentException("image of record " + origin + " must be a C×H×W tensor, got "
                    + (image == null ? "null" : Arrays.toString(image.shape())));
        }
        if (label == null || label.rank() != 1) {
            throw new IllegalArgumentException("label of record " + origin + " must be a rank-1 tensor, got "
                    + (label == null ? "null" : Arrays.toString(label.shape())));
        }
    }

    public int channels() {
        return image.dim(0);
    }

    public int height() {
        return image.dim(1);
    }

    public int width() {
        return image.dim(2);
    }

    @Override
    public RecordType type() {
        return RecordType.IMAGE;
    }

    @Override
    public DataRecord withOrigin(int newOrigin) {
        return new ImageRecord(newOrigin, image, label);
    }

    @Override
    public void write(DataWriter out) {
        out.u8(3).u32(origin);
        DataRecord.writeTensor(out, image);
        DataRecord.writeTensor(out, label);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ImageRecord that && that.origin == origin && that.image.bitEquals(image)
                && that.label.bitEquals(label);
    }

    @Override
    public int hashCode() {
        return 31 * origin + Arrays.hashCode(image.toBytes());
    }
}
