package io.verigrid.engine.data;

import java.util.Arrays;

/** A record of token ids (what {@link Tokenize} writes). */
public record TokenRecord(int origin, int[] ids) implements DataRecord {
    public TokenRecord {
        if (origin < 0) {
            throw new IllegalArgumentException("origin must be >= 0, got " + origin);
        }
        if (ids == null) {
            throw new IllegalArgumentException("ids of record " + origin + " must not be null");
        }
        ids = ids.clone();
    }

    /** A copy of the ids. */
    @Override
    public int[] ids() {
        return ids.clone();
    }

    public int length() {
        return ids.length;
    }

    @Override
    public RecordType type() {
        return RecordType.TOKENS;
    }

    @Override
    public DataRecord withOrigin(int newOrigin) {
        return new TokenRecord(newOrigin, ids);
    }

    @Override
    public void write(DataWriter out) {
        out.u8(2).u32(origin).u32(ids.length);
        for (int id : ids) {
            out.i32(id);
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TokenRecord that && that.origin == origin && Arrays.equals(that.ids, ids);
    }

    @Override
    public int hashCode() {
        return 31 * origin + Arrays.hashCode(ids);
    }

    @Override
    public String toString() {
        return "TokenRecord[origin=" + origin + ", ids=" + Arrays.toString(ids) + "]";
    }
}
