package io.verigrid.engine;

import java.util.List;

/**
 * {@code sum_rows}: m×n → n, the sum of each column over the rows (the bias gradient). Canonical order:
 * {@link CanonicalSum} over the m rows of each column. Threads split the n output columns.
 */
final class SumRows implements Operator {
    @Override
    public String kind() {
        return "sum_rows";
    }

    @Override
    public int inputCount() {
        return 1;
    }

    @Override
    public int attrCount() {
        return 0;
    }

    @Override
    public Tensor forward(long[] attrs, List<Tensor> inputs, Parallelism par) {
        Tensor x = inputs.get(0);
        Ops.requireRank(kind(), 0, x, 2);
        int m = x.dim(0);
        int n = x.dim(1);
        float[] xv = x.data();
        float[] out = new float[n];
        par.forRange(n, (long) m * n, (from, to) -> ElementLoops.columnSums(xv, 0, m, n, out, 0, from, to));
        return Tensor.wrap(new int[] {n}, out);
    }
}
