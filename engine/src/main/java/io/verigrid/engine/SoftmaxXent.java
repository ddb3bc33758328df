package io.verigrid.engine;

import java.util.Arrays;
import java.util.List;

/**
 * {@code softmax_xent}, inputs [logits m×c, labels m] → scalar: the mean over rows of
 * {@code log(Σ_j exp(z_j − max)) − (z_label − max)}. Labels are class ids stored as floats.
 *
 * <p>Canonical order: per row, {@code max} (exact in any order), {@code e_j = exp(z_j − max)}, the
 * denominator {@link CanonicalSum} over j; the mean is {@link CanonicalSum} over the row losses divided by m.
 * Transcendentals: {@code exp} and {@code log} are {@link StrictMath} (fdlibm, specified bit for bit) on the
 * float argument widened to double, rounded back to float once ({@link VectorExp} computes the same exp in
 * lanes). Threads split rows; the mean is serial.
 *
 * <p>Backward (root only): d/dlogits = {@code softmax_xent_backward(logits, labels)}; labels take no gradient.
 */
final class SoftmaxXent implements Operator {
    @Override
    public String kind() {
        return "softmax_xent";
    }

    @Override
    public int inputCount() {
        return 2;
    }

    @Override
    public int attrCount() {
        return 0;
    }

    @Override
    public Tensor forward(long[] attrs, List<Tensor> inputs, Parallelism par) {
        Tensor logits = inputs.get(0);
        int[] labels = checkedLabels(kind(), logits, inputs.get(1));
        int m = logits.dim(0);
        int c = logits.dim(1);
        float[] z = logits.data();
        float[] rowLoss = new float[m];
        par.forRange(m, 8L * m * c, (from, to) -> {
            float[] e = new float[c];
            for (int i = from; i < to; i++) {
                float max = rowExp(z, i * c, c, e);
                float logSum = (float) StrictMath.log(CanonicalSum.sum(e, 0, 1, c));
                rowLoss[i] = logSum - (z[i * c + labels[i]] - max);
            }
        });
        return Tensor.scalar(CanonicalSum.sum(rowLoss, 0, 1, m) / m);
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
        return Arrays.asList(graph.apply("softmax_xent_backward", Graph.attrs(), inputs.get(0), inputs.get(1)), null);
    }

    /** Fills {@code e} with exp(z − max) for one row and returns the row's max. */
    static float rowExp(float[] z, int offset, int c, float[] e) {
        return rowExp(z, offset, c, e, 0);
    }

    /** Fills {@code e[eOffset …]} with exp(z − max) for one row and returns the row's max (lanes: {@link ElementLoops}). */
    static float rowExp(float[] z, int offset, int c, float[] e, int eOffset) {
        float max = ElementLoops.max(z, offset, c);
        ElementLoops.expShifted(z, offset, max, e, eOffset, c);
        return max;
    }

    /** Validates logits (m×c, m ≥ 1) and labels (m integral class ids in [0, c)). */
    static int[] checkedLabels(String kind, Tensor logits, Tensor labels) {
        Ops.requireRank(kind, 0, logits, 2);
        Ops.requireRank(kind, 1, labels, 1);
        int m = logits.dim(0);
        int c = logits.dim(1);
        if (m < 1 || c < 1) {
            throw Ops.bad(kind, 0, "must have at least one row and one class, got " + Arrays.toString(logits.shape()));
        }
        if (labels.dim(0) != m) {
            throw Ops.bad(kind, 1, "has " + labels.dim(0) + " labels but input 0 has " + m + " rows");
        }
        int[] ids = new int[m];
        float[] values = labels.data();
        for (int i = 0; i < m; i++) {
            float label = values[i];
            if (label != (int) label || label < 0 || label >= c) {
                throw Ops.bad(kind, 1, "element " + i + " is not a class id in [0, " + c + "): " + label);
            }
            ids[i] = (int) label;
        }
        return ids;
    }

    /**
     * {@code softmax_xent_backward}, inputs [logits m×c, labels m] → m×c:
     * {@code (e_j / Σe − onehot_j) / m}, with e and Σe exactly as in the forward pass. Threads split rows.
     */
    static final class Backward implements Operator {
        @Override
        public String kind() {
            return "softmax_xent_backward";
        }

        @Override
        public int inputCount() {
            return 2;
        }

        @Override
        public int attrCount() {
            return 0;
        }

        @Override
        public Tensor forward(long[] attrs, List<Tensor> inputs, Parallelism par) {
            Tensor logits = inputs.get(0);
            int[] labels = checkedLabels(kind(), logits, inputs.get(1));
            int m = logits.dim(0);
            int c = logits.dim(1);
            float rows = m;
            float[] z = logits.data();
            float[] out = new float[m * c];
            par.forRange(m, 8L * m * c, (from, to) -> {
                float[] e = new float[c];
                for (int i = from; i < to; i++) {
                    rowExp(z, i * c, c, e);
                    float sum = CanonicalSum.sum(e, 0, 1, c);
                    for (int j = 0; j < c; j++) {
                        float onehot = j == labels[i] ? 1f : 0f;
                        out[i * c + j] = (e[j] / sum - onehot) / rows;
                    }
                }
            });
            return Tensor.wrap(logits.shape(), out);
        }
    }
}
