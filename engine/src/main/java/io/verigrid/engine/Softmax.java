package io.verigrid.engine;

import java.util.Arrays;
import java.util.List;

/**
 * {@code softmax} and {@code log_softmax} over the last axis, with {@code softmax_backward} and
 * {@code log_softmax_backward} (inputs [grad, x]; they recompute the forward values bit for bit).
 *
 * <p>Canonical order, per row of n: {@code max} (exact in any order); {@code e_j = exp(x_j − max)} with
 * {@link StrictMath#exp} in double rounded to float; the denominator {@code s} = {@link CanonicalSum} of
 * the e_j. softmax = e_j / s; log_softmax = (x_j − max) − (float) log(s). The backward dot products
 * Σ grad·y (softmax) and Σ grad (log_softmax) are {@link CanonicalSum}s too. Threads split rows.
 */
final class Softmax {
    private Softmax() {
    }

    /** Fills {@code y} with the softmax (or log-softmax) of one row. */
    static void row(float[] x, int offset, int n, boolean log, float[] y) {
        float[] e = new float[n];
        float max = SoftmaxXent.rowExp(x, offset, n, e);
        float sum = CanonicalSum.sum(e, 0, 1, n);
        if (log) {
            float logSum = (float) StrictMath.log(sum);
            for (int j = 0; j < n; j++) {
                y[j] = (x[offset + j] - max) - logSum;
            }
        } else {
            for (int j = 0; j < n; j++) {
                y[j] = e[j] / sum;
            }
        }
    }

    private static int lastDim(BaseOperator op, Tensor x) {
        if (x.rank() < 1 || x.dim(x.rank() - 1) < 1) {
            throw op.bad(0, "needs a non-empty last axis, got shape " + Arrays.toString(x.shape()));
        }
        return x.dim(x.rank() - 1);
    }

    static final class Forward extends BaseOperator {
        private final boolean log;

        Forward(boolean log) {
            super(log ? "log_softmax" : "softmax", 1, 0);
            this.log = log;
        }

        @Override
        public Tensor forward(long[] attrs, List<Tensor> inputs, Parallelism par) {
            Tensor x = inputs.get(0);
            int n = lastDim(this, x);
            float[] xv = x.data();
            float[] out = new float[xv.length];
            par.forRange(xv.length / n, (from, to) -> {
                float[] y = new float[n];
                for (int r = from; r < to; r++) {
                    row(xv, r * n, n, log, y);
                    System.arraycopy(y, 0, out, r * n, n);
                }
            });
            return Tensor.wrap(x.shape(), out);
        }

        @Override
        public List<Graph.Node> backward(Graph graph, long[] attrs, List<Graph.Node> inputs, Graph.Node grad) {
            return List.of(graph.apply(kind() + "_backward", Graph.attrs(), grad, inputs.get(0)));
        }
    }

    /**
     * softmax: dx_j = y_j · (g_j − Σ_k g_k y_k); log_softmax: dx_j = g_j − softmax_j · Σ_k g_k.
     */
    static final class Backward extends BaseOperator {
        private final boolean log;

        Backward(boolean log) {
            super(log ? "log_softmax_backward" : "softmax_backward", 2, 0);
            this.log = log;
        }

        @Override
        public Tensor forward(long[] attrs, List<Tensor> inputs, Parallelism par) {
            Tensor grad = inputs.get(0);
            Tensor x = inputs.get(1);
            if (!Arrays.equals(grad.shape(), x.shape())) {
                throw bad(0, "has shape " + Arrays.toString(grad.shape()) + " but input 1 has shape "
                        + Arrays.toString(x.shape()));
            }
            int n = lastDim(this, x);
            float[] g = grad.data();
            float[] xv = x.data();
            float[] out = new float[xv.length];
            par.forRange(xv.length / n, (from, to) -> {
                float[] y = new float[n];
                float[] terms = new float[n];
                for (int r = from; r < to; r++) {
                    int offset = r * n;
                    row(xv, offset, n, false, y);
                    if (log) {
                        float total = CanonicalSum.sum(g, offset, 1, n);
                        for (int j = 0; j < n; j++) {
                            out[offset + j] = g[offset + j] - y[j] * total;
                        }
                    } else {
                        for (int j = 0; j < n; j++) {
                            terms[j] = g[offset + j] * y[j];
                        }
                        float dot = CanonicalSum.sum(terms, 0, 1, n);
                        for (int j = 0; j < n; j++) {
                            out[offset + j] = y[j] * (g[offset + j] - dot);
                        }
                    }
                }
            });
            return Tensor.wrap(x.shape(), out);
        }
    }
}
