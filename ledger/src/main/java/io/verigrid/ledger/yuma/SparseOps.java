package io.verigrid.ledger.yuma;

import java.util.Arrays;
import java.util.List;

/**
 * The sparse-matrix steps of the epoch over rows of I32F32 bits ({@code SparseRow[]}, one row per UID, all
 * columns below {@code n}). Each returns a new matrix and keeps entry order. Sums are exact integer adds of
 * the bits, so their order does not matter; every product is one {@link I32F32#mul} (floored).
 */
final class SparseOps {
    private SparseOps() {}

    /** Stored u16 rows as integer-valued I32F32 ({@code u16_to_fixed}). */
    static SparseRow[] fromU16(List<SparseRow> rows) {
        SparseRow[] out = new SparseRow[rows.size()];
        for (int i = 0; i < out.length; i++) {
            SparseRow row = rows.get(i);
            long[] values = new long[row.size()];
            for (int k = 0; k < values.length; k++) values[k] = I32F32.fromInt(row.values()[k]);
            out[i] = new SparseRow(row.columns(), values);
        }
        return out;
    }

    /** Stored u16 rows as proportions {@code u16 / 65535} (Yuma3's absolute bonds). */
    static SparseRow[] fromU16Proportion(List<SparseRow> rows) {
        SparseRow[] out = new SparseRow[rows.size()];
        for (int i = 0; i < out.length; i++) {
            SparseRow row = rows.get(i);
            long[] values = new long[row.size()];
            for (int k = 0; k < values.length; k++) values[k] = I32F32.fromU16Proportion((int) row.values()[k]);
            out[i] = new SparseRow(row.columns(), values);
        }
        return out;
    }

    /** Empties every row {@code i} with {@code drop[i]}. */
    static SparseRow[] maskRows(SparseRow[] m, boolean[] drop) {
        SparseRow[] out = m.clone();
        for (int i = 0; i < out.length; i++) if (drop[i]) out[i] = SparseRow.EMPTY;
        return out;
    }

    /** Drops the diagonal entries {@code (i, i)} except at {@code keptIndex} (−1 keeps none). */
    static SparseRow[] maskDiagonal(SparseRow[] m, int keptIndex) {
        SparseRow[] out = new SparseRow[m.length];
        for (int i = 0; i < m.length; i++) {
            final int row = i;
            out[i] = (i == keptIndex) ? m[i] : filter(m[i], j -> j != row);
        }
        return out;
    }

    /** Drops entries {@code (i, j)} with {@code rowKey[i] <= colKey[j]} (weights set before j registered). */
    static SparseRow[] maskRowNotAfterColumn(SparseRow[] m, long[] rowKey, long[] colKey) {
        SparseRow[] out = new SparseRow[m.length];
        for (int i = 0; i < m.length; i++) {
            long key = rowKey[i];
            out[i] = filter(m[i], j -> !(key <= colKey[j]));
        }
        return out;
    }

    /** Drops entries {@code (i, j)} with {@code rowKey[i] < colKey[j]} (commit made before j registered). */
    static SparseRow[] maskRowBeforeColumn(SparseRow[] m, long[] rowKey, long[] colKey) {
        SparseRow[] out = new SparseRow[m.length];
        for (int i = 0; i < m.length; i++) {
            long key = rowKey[i];
            out[i] = filter(m[i], j -> !(key < colKey[j]));
        }
        return out;
    }

    /** Drops every entry in a column {@code j} with {@code dropColumn[j]}. */
    static SparseRow[] maskColumns(SparseRow[] m, boolean[] dropColumn) {
        SparseRow[] out = new SparseRow[m.length];
        for (int i = 0; i < m.length; i++) out[i] = filter(m[i], j -> !dropColumn[j]);
        return out;
    }

    private interface ColumnTest {
        boolean keep(int column);
    }

    private static SparseRow filter(SparseRow row, ColumnTest test) {
        int[] columns = row.columns();
        int kept = 0;
        for (int column : columns) if (test.keep(column)) kept++;
        if (kept == columns.length) return row;
        int[] c = new int[kept];
        long[] v = new long[kept];
        int k = 0;
        for (int e = 0; e < columns.length; e++) {
            if (test.keep(columns[e])) {
                c[k] = columns[e];
                v[k++] = row.values()[e];
            }
        }
        return new SparseRow(c, v);
    }

    /** Divides each row with a positive sum by that sum. */
    static SparseRow[] rowNormalize(SparseRow[] m) {
        SparseRow[] out = new SparseRow[m.length];
        for (int i = 0; i < m.length; i++) {
            long sum = 0;
            for (long v : m[i].values()) sum += v;
            if (sum > 0) {
                long[] values = m[i].values().clone();
                for (int k = 0; k < values.length; k++) values[k] = I32F32.div(values[k], sum);
                out[i] = new SparseRow(m[i].columns(), values);
            } else {
                out[i] = m[i];
            }
        }
        return out;
    }

    static long[] rowSums(SparseRow[] m) {
        long[] sums = new long[m.length];
        for (int i = 0; i < m.length; i++) {
            long sum = 0;
            for (long v : m[i].values()) sum += v;
            sums[i] = sum;
        }
        return sums;
    }

    /** Divides each entry by its column's (saturating) sum where that sum is not 0. */
    static SparseRow[] colNormalize(SparseRow[] m, int n) {
        long[] sums = new long[n];
        for (SparseRow row : m) {
            for (int k = 0; k < row.size(); k++) sums[row.columns()[k]] = I32F32.add(sums[row.columns()[k]], row.values()[k]);
        }
        return divideByColumn(m, sums);
    }

    /** Divides each entry by its column's maximum where that maximum is not 0 (so the column max becomes 1). */
    static SparseRow[] colMaxUpscale(SparseRow[] m, int n) {
        long[] max = new long[n];
        for (SparseRow row : m) {
            for (int k = 0; k < row.size(); k++) {
                int j = row.columns()[k];
                if (max[j] < row.values()[k]) max[j] = row.values()[k];
            }
        }
        return divideByColumn(m, max);
    }

    private static SparseRow[] divideByColumn(SparseRow[] m, long[] divisor) {
        SparseRow[] out = new SparseRow[m.length];
        for (int i = 0; i < m.length; i++) {
            long[] values = m[i].values().clone();
            int[] columns = m[i].columns();
            for (int k = 0; k < values.length; k++) {
                long d = divisor[columns[k]];
                if (d != 0) values[k] = I32F32.div(values[k], d);
            }
            out[i] = new SparseRow(columns, values);
        }
        return out;
    }

    /** {@code min(W_ij, C_j)}; an entry above a consensus of 0 (or below) is dropped instead of clipped. */
    static SparseRow[] colClip(SparseRow[] m, long[] threshold) {
        SparseRow[] out = new SparseRow[m.length];
        for (int i = 0; i < m.length; i++) {
            int[] columns = m[i].columns();
            long[] values = m[i].values();
            int[] c = new int[columns.length];
            long[] v = new long[columns.length];
            int k = 0;
            for (int e = 0; e < columns.length; e++) {
                long th = threshold[columns[e]];
                if (th < values[e]) {
                    if (th > 0) {
                        c[k] = columns[e];
                        v[k++] = th;
                    }
                } else {
                    c[k] = columns[e];
                    v[k++] = values[e];
                }
            }
            out[i] = new SparseRow(Arrays.copyOf(c, k), Arrays.copyOf(v, k));
        }
        return out;
    }

    /** {@code r_j = Σ_i vector_i · m_ij} (each product floored). */
    static long[] matmul(SparseRow[] m, long[] vector, int n) {
        long[] result = new long[n];
        for (int i = 0; i < m.length; i++) {
            long scale = vector[i];
            SparseRow row = m[i];
            for (int k = 0; k < row.size(); k++) {
                int j = row.columns()[k];
                result[j] = I32F32.add(result[j], I32F32.mul(scale, row.values()[k]));
            }
        }
        return result;
    }

    /** {@code r_i = Σ_j vector_j · m_ij} (each product floored). */
    static long[] matmulTranspose(SparseRow[] m, long[] vector) {
        long[] result = new long[m.length];
        for (int i = 0; i < m.length; i++) {
            long acc = 0;
            SparseRow row = m[i];
            for (int k = 0; k < row.size(); k++) acc = I32F32.add(acc, I32F32.mul(vector[row.columns()[k]], row.values()[k]));
            result[i] = acc;
        }
        return result;
    }

    /** {@code m_ij · vector_i}. */
    static SparseRow[] rowHadamard(SparseRow[] m, long[] vector) {
        SparseRow[] out = new SparseRow[m.length];
        for (int i = 0; i < m.length; i++) {
            long[] values = m[i].values().clone();
            for (int k = 0; k < values.length; k++) values[k] = I32F32.mul(values[k], vector[i]);
            out[i] = new SparseRow(m[i].columns(), values);
        }
        return out;
    }

    /** {@code m_ij · vector_j}, dropping products equal to 0. */
    static SparseRow[] columnHadamardNonZero(SparseRow[] m, long[] vector) {
        SparseRow[] out = new SparseRow[m.length];
        for (int i = 0; i < m.length; i++) {
            long[] values = m[i].values().clone();
            for (int k = 0; k < values.length; k++) values[k] = I32F32.mul(values[k], vector[m[i].columns()[k]]);
            out[i] = new SparseRow(m[i].columns(), values).withoutZeros();
        }
        return out;
    }

    /**
     * {@code a + ratio·(b − a)} entry by entry over the union of both rows' columns, keeping results
     * above 0; {@code ratio} 0 returns {@code a} and 1 returns {@code b} unchanged (zero entries included).
     */
    static SparseRow[] interpolate(SparseRow[] a, SparseRow[] b, long ratio) {
        if (ratio == 0) return a.clone();
        if (ratio == I32F32.ONE) return b.clone();
        SparseRow[] out = new SparseRow[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = merge(a[i], b[i], (va, vb) -> I32F32.add(va, I32F32.mul(ratio, I32F32.sub(vb, va))));
        }
        return out;
    }

    /**
     * {@code alpha·new + (1−alpha)·old} (each product floored, an absent entry adds nothing), keeping
     * results above 0.
     */
    static SparseRow[] ema(SparseRow[] next, SparseRow[] old, long alpha) {
        long oneMinusAlpha = I32F32.sub(I32F32.ONE, alpha);
        SparseRow[] out = new SparseRow[next.length];
        for (int i = 0; i < next.length; i++) {
            out[i] = mergePresent(next[i], old[i], alpha, oneMinusAlpha);
        }
        return out;
    }

    private interface Combine {
        long apply(long a, long b);
    }

    /** Union of two rows' columns, {@code f(a_j, b_j)} with 0 for an absent entry, keeping results > 0. */
    private static SparseRow merge(SparseRow a, SparseRow b, Combine f) {
        int[] c = new int[a.size() + b.size()];
        long[] v = new long[c.length];
        int x = 0, y = 0, k = 0;
        while (x < a.size() || y < b.size()) {
            int ja = x < a.size() ? a.columns()[x] : Integer.MAX_VALUE;
            int jb = y < b.size() ? b.columns()[y] : Integer.MAX_VALUE;
            int j = Math.min(ja, jb);
            long va = (ja == j) ? a.values()[x++] : 0;
            long vb = (jb == j) ? b.values()[y++] : 0;
            long r = f.apply(va, vb);
            if (r > 0) {
                c[k] = j;
                v[k++] = r;
            }
        }
        return new SparseRow(Arrays.copyOf(c, k), Arrays.copyOf(v, k));
    }

    private static SparseRow mergePresent(SparseRow next, SparseRow old, long alpha, long oneMinusAlpha) {
        int[] c = new int[next.size() + old.size()];
        long[] v = new long[c.length];
        int x = 0, y = 0, k = 0;
        while (x < next.size() || y < old.size()) {
            int jn = x < next.size() ? next.columns()[x] : Integer.MAX_VALUE;
            int jo = y < old.size() ? old.columns()[y] : Integer.MAX_VALUE;
            int j = Math.min(jn, jo);
            long r = 0;
            if (jn == j) r = I32F32.add(r, I32F32.mul(alpha, next.values()[x++]));
            if (jo == j) r = I32F32.add(r, I32F32.mul(oneMinusAlpha, old.values()[y++]));
            if (r > 0) {
                c[k] = j;
                v[k++] = r;
            }
        }
        return new SparseRow(Arrays.copyOf(c, k), Arrays.copyOf(v, k));
    }
}
