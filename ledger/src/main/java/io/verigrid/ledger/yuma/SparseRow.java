package io.verigrid.ledger.yuma;

import java.util.Arrays;

/**
 * One row of a sparse matrix: strictly ascending column indices and their values. Values are u16 for
 * stored weights and bonds, raw I32F32 bits for the epoch's real-valued matrices.
 */
public record SparseRow(int[] columns, long[] values) {
    public static final SparseRow EMPTY = new SparseRow(new int[0], new long[0]);

    public SparseRow {
        if (columns == null || values == null) throw new IllegalArgumentException("sparse row: columns and values must not be null");
        if (columns.length != values.length) {
            throw new IllegalArgumentException("sparse row: " + columns.length + " columns but " + values.length + " values");
        }
        for (int k = 0; k < columns.length; k++) {
            if (columns[k] < 0) throw new IllegalArgumentException("sparse row: negative column " + columns[k]);
            if (k > 0 && columns[k] <= columns[k - 1]) {
                throw new IllegalArgumentException("sparse row: columns must be strictly ascending, got " + columns[k - 1] + " then " + columns[k]);
            }
        }
    }

    /** A row from {@code column, value} pairs in any column order: {@code of(3, 65535, 4, 0)}. */
    public static SparseRow of(long... columnValuePairs) {
        if (columnValuePairs.length % 2 != 0) throw new IllegalArgumentException("sparse row: odd number of column/value items");
        int size = columnValuePairs.length / 2;
        long[][] pairs = new long[size][];
        for (int k = 0; k < size; k++) {
            long column = columnValuePairs[2 * k];
            if (column < 0 || column > Integer.MAX_VALUE) throw new IllegalArgumentException("sparse row: bad column " + column);
            pairs[k] = new long[] {column, columnValuePairs[2 * k + 1]};
        }
        Arrays.sort(pairs, (a, b) -> Long.compare(a[0], b[0]));
        int[] columns = new int[size];
        long[] values = new long[size];
        for (int k = 0; k < size; k++) {
            columns[k] = (int) pairs[k][0];
            values[k] = pairs[k][1];
        }
        return new SparseRow(columns, values);
    }

    public int size() {
        return columns.length;
    }

    /** The value at {@code column}, 0 where the row has no entry. */
    public long get(int column) {
        int k = Arrays.binarySearch(columns, column);
        return k >= 0 ? values[k] : 0;
    }

    /** The same row without its zero entries. */
    public SparseRow withoutZeros() {
        int kept = 0;
        for (long v : values) if (v != 0) kept++;
        if (kept == values.length) return this;
        int[] c = new int[kept];
        long[] v = new long[kept];
        int k = 0;
        for (int i = 0; i < values.length; i++) {
            if (values[i] != 0) {
                c[k] = columns[i];
                v[k++] = values[i];
            }
        }
        return new SparseRow(c, v);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SparseRow row && Arrays.equals(columns, row.columns) && Arrays.equals(values, row.values);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(columns) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("[");
        for (int k = 0; k < columns.length; k++) {
            if (k > 0) s.append(", ");
            s.append('(').append(columns[k]).append(", ").append(values[k]).append(')');
        }
        return s.append(']').toString();
    }
}
