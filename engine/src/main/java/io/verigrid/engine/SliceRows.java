package io.verigrid.engine;

import java.util.List;

/**
 * {@code slice_rows}, attrs [start, count]: rows {@code start … start+count−1} of the input, taken modulo
 * the row count so that batches wrap around the dataset. Works on any rank ≥ 1 (a "row" is everything
 * after the first axis). Pure copying: no arithmetic. No gradient (it only ever reads data).
 */
final class SliceRows implements Operator {
    @Override
    public String kind() {
        return "slice_rows";
    }

    @Override
    public int inputCount() {
        return 1;
    }

    @Override
    public int attrCount() {
        return 2;
    }

    @Override
    public Tensor forward(long[] attrs, List<Tensor> inputs, Parallelism par) {
        Tensor source = inputs.get(0);
        if (source.rank() < 1 || source.dim(0) < 1) {
            throw Ops.bad(kind(), 0, "must have at least one row");
        }
        int rows = source.dim(0);
        if (attrs[0] < 0 || attrs[0] >= rows) {
            throw new IllegalArgumentException(kind() + ": attr 0 (start) must be in [0, " + rows + "), got "
                    + attrs[0]);
        }
        if (attrs[1] < 1 || attrs[1] > Integer.MAX_VALUE / Math.max(1, source.size() / rows)) {
            throw new IllegalArgumentException(kind() + ": attr 1 (count) must be positive and fit, got " + attrs[1]);
        }
        int start = (int) attrs[0];
        int count = (int) attrs[1];
        int rowSize = source.size() / rows;
        int[] shape = source.shape();
        shape[0] = count;
        float[] in = source.data();
        float[] out = new float[count * rowSize];
        for (int r = 0; r < count; r++) {
            System.arraycopy(in, ((start + r) % rows) * rowSize, out, r * rowSize, rowSize);
        }
        return Tensor.wrap(shape, out);
    }
}
