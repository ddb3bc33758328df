package io.verigrid.engine.data;

import io.verigrid.engine.Tensor;

/**
 * One record flowing through a pipeline. {@link #origin()} is the record's index in the input dataset; it never
 * changes, keys every random choice made for the record, and names the record in plans and traces.
 *
 * <p>Canonical bytes ({@link #encode()}): u8 type (1 text, 2 tokens, 3 image) ‖ u32 origin ‖ payload, where a text
 * payload is u32 length ‖ UTF-8, a token payload is u32 count ‖ i32 ids, and an image payload is two tensors
 * (image, then label), each u32 rank ‖ u32 dims ‖ little-endian float32 elements.
 */
public sealed interface DataRecord permits TextRecord, TokenRecord, ImageRecord {
    int origin();

    RecordType type();

    /** The same record under a different origin: only for datasets built from records. */
    DataRecord withOrigin(int origin);

    default byte[] encode() {
        DataWriter out = new DataWriter();
        write(out);
        return out.toByteArray();
    }

    void write(DataWriter out);

    static DataRecord decode(byte[] bytes) {
        DataReader in = new DataReader(bytes, "record");
        DataRecord record = read(in);
        in.expectEnd();
        return record;
    }

    static DataRecord read(DataReader in) {
        int type = in.u8();
        int origin = in.u32();
        return switch (type) {
            case 1 -> new TextRecord(origin, in.string());
            case 2 -> {
                int count = in.u32();
                if (count > in.remaining() / Integer.BYTES) {
                    throw new IllegalArgumentException("record: token count " + count + " exceeds the bytes left");
                }
                int[] ids = new int[count];
                for (int i = 0; i < count; i++) {
                    ids[i] = in.i32();
                }
                yield new TokenRecord(origin, ids);
            }
            case 3 -> new ImageRecord(origin, readTensor(in), readTensor(in));
            default -> throw new IllegalArgumentException("record: unknown type byte " + type);
        };
    }

    static void writeTensor(DataWriter out, Tensor tensor) {
        out.u32(tensor.rank());
        for (int dim : tensor.shape()) {
            out.u32(dim);
        }
        out.raw(tensor.toBytes());
    }

    private static Tensor readTensor(DataReader in) {
        int rank = in.u32();
        if (rank > 8) {
            throw new IllegalArgumentException("record: tensor rank " + rank + " > 8");
        }
        int[] shape = new int[rank];
        long size = 1;
        for (int i = 0; i < rank; i++) {
            shape[i] = in.u32();
            size *= shape[i];
            if (size > Integer.MAX_VALUE / Float.BYTES) {
                throw new IllegalArgumentException("record: tensor too large");
            }
        }
        return Tensor.fromBytes(shape, in.raw((int) size * Float.BYTES));
    }
}
