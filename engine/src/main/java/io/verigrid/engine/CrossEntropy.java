package io.verigrid.engine;

import java.util.Arrays;
import java.util.List;

/**
 * {@code cross_entropy}, inputs [logits m×c, targets m], attrs [ignoreIndex] → scalar: the mean over the
 * rows whose target is not ignoreIndex of {@code log Σ_j exp(z_j − max) − (z_target − max)}; 0 when every
 * row is ignored. Targets are class ids stored as floats.
 *
 * <p>Canonical order: per row exactly as {@code softmax_xent}; the rows' losses (0 for ignored rows) are
 * summed with {@link CanonicalSum} over all m rows and divided by the float count of counted rows.
 * Backward (the loss is the root): {@code cross_entropy_backward(logits, targets)} = (softmax − onehot) /
 * count on counted rows, 0 on ignored rows.
 */
final class CrossEntropy extends BaseOperator {
    CrossEntropy() {
        super("cross_entropy", 2, 1);
    }

    /** Validated target ids; ignored rows hold −1. */
    static int[] targets(BaseOperator op, long[] attrs, Tensor logits, Tensor targets) {
        Ops.requireRank(op.kind(), 0, logits, 2);
        Ops.requireRank(op.kind(), 1, targets, 1);
        int m = logits.dim(0);
        int c = logits.dim(1);
        if (m < 1 || c < 1) {
            throw op.bad(0, "must have at least one row and one class, got " + Arrays.toString(logits.shape()));
        }
        if (targets.dim(0) != m) {
            throw op.bad(1, "has " + targets.dim(0) + " targets but input 0 has " + m + " rows");
        }
        long ignore = attrs[0];
        int[] ids = new int[m];
        for (int i = 0; i < m; i++) {
            float target = targets.data()[i];
            if (target == ignore) {
                ids[i] = -1;
            } else if (target != (int) target || target < 0 || target >= c) {
                throw op.bad(1, "element " + i + " is neither a class id in [0, " + c + ") nor the ignore index "
                        + ignore + ": " + target);
            } else {
                ids[i] = (int) target;
            }
        }
        return ids;
    }

    static int counted(int[] ids) {
        int count = 0;
        for (int id : ids) {
            count += id >= 0 ? 1 : 0;
        }
        return count;
    }

    @Override
    public Tensor forward(long[] attrs, List<Tensor> inputs, Parallelism par) {
        Tensor logits = inputs.get(0);
        int[] ids = targets(this, attrs, logits, inputs.get(1));
        int m = logits.dim(0);
        int c = logits.dim(1);
        int count = counted(ids);
        float[] z = logits.data();
        float[] rowLoss = new float[m];
        par.forRange(m, (from, to) -> {
            float[] e = new float[c];
            for (int i = from; i < to; i++) {
                if (ids[i] < 0) {
                    continue;
                }
                float max = SoftmaxXent.rowExp(z, i * c, c, e);
                float logSum = (float) StrictMath.log(CanonicalSum.sum(e, 0, 1, c));
                rowLoss[i] = logSum - (z[i * c + ids[i]] - max);
            }
        });
        return Tensor.scalar(count == 0 ? 0f : CanonicalSum.sum(rowLoss, 0, 1, m) / count);
    }

    @Override
    public boolean isLoss() {
        return true;
    }

    @Override
    public List<Graph.Node> backward(Graph graph, long[] attrs, List<Graph.Node> inputs, Graph.Node grad) {
        if (grad != null) {
            throw new IllegalStateException(kind() + " must be the loss: its upstream gradient is implicitly 1");
        }
        return Arrays.asList(graph.apply("cross_entropy_backward", attrs, inputs.get(0), inputs.get(1)), null);
    }

    /** {@code cross_entropy_backward}, inputs [logits, targets], attrs [ignoreIndex] → m×c. */
    static final class Backward extends BaseOperator {
        Backward() {
            super("cross_entropy_backward", 2, 1);
        }

        @Override
        public Tensor forward(long[] attrs, List<Tensor> inputs, Parallelism par) {
            Tensor logits = inputs.get(0);
            int[] ids = targets(this, attrs, logits, inputs.get(1));
            int m = logits.dim(0);
            int c = logits.dim(1);
            float count = counted(ids);
            float[] z = logits.data();
            float[] out = new float[m * c];
            par.forRange(m, (from, to) -> {
                for (int i = from; i < to; i++) {
                    if (ids[i] < 0) {
                        continue;
                    }
                    // e is computed in the output row, then divided in place: e/sum − 0 is e/sum, so only the
                    // target's element needs the subtraction.
                    int row = i * c;
                    SoftmaxXent.rowExp(z, row, c, out, row);
                    float sum = CanonicalSum.sum(out, row, 1, c);
                    float target = out[row + ids[i]];
                    ElementLoops.divideTwice(out, sum, count, out, row, c);
                    out[row + ids[i]] = (target / sum - 1f) / count;
                }
            });
            return Tensor.wrap(logits.shape(), out);
        }
    }
}
