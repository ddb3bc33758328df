package io.verigrid.engine;

import java.util.Arrays;
import java.util.List;

/**
 * Normalisation over the last axis (length d) of any tensor, attrs [eps bits]:
 * {@code layer_norm} inputs [x, weight d, bias d] and {@code rms_norm} inputs [x, weight d], with
 * {@code layer_norm_backward} / {@code rms_norm_backward} (inputs [grad, x, weight] → dx) and
 * {@code layer_norm_grad_weight} / {@code rms_norm_grad_weight} (inputs [grad, x] → dweight). The bias
 * gradient is {@code sum_to_like(grad, bias)}.
 *
 * <p>Canonical order, per row: layer norm — mean = {@link CanonicalSum}(x)/d, c_j = x_j − mean,
 * var = {@link CanonicalSum}(c_j·c_j)/d, rstd = (float) (1 / sqrt((double) (var + eps))), x̂_j = c_j·rstd,
 * y_j = fma(x̂_j, w_j, b_j). RMS norm — ms = {@link CanonicalSum}(x_j·x_j)/d, rstd as above from ms,
 * x̂_j = x_j·rstd, y_j = w_j·x̂_j. Backward, with ĝ_j = g_j·w_j: layer norm dx_j =
 * rstd·((ĝ_j − mean(ĝ)) − x̂_j·mean(ĝ·x̂)); RMS norm dx_j = rstd·(ĝ_j − x̂_j·mean(ĝ·x̂)); the means are
 * CanonicalSums divided by d. dweight_j = {@link CanonicalSum} over rows of g·x̂ (per column, rows in
 * order). Threads split rows (column for dweight).
 */
final class Norms {
    private Norms() {
    }

    /** Row length d after checking that {@code x} has a non-empty last axis matching {@code weight}. */
    private static int width(BaseOperator op, Tensor x, Tensor weight, int weightInput) {
        if (x.rank() < 1 || x.dim(x.rank() - 1) < 1) {
            throw op.bad(0, "needs a non-empty last axis, got shape " + Arrays.toString(x.shape()));
        }
        int d = x.dim(x.rank() - 1);
        if (weight.rank() != 1 || weight.dim(0) != d) {
            throw op.bad(weightInput, "must have shape [" + d + "], got " + Arrays.toString(weight.shape()));
        }
        return d;
    }

    private static float eps(BaseOperator op, long[] attrs) {
        float eps = Ops.floatAttr(op.kind(), attrs, 0);
        if (!(eps > 0f)) {
            throw new IllegalArgumentException(op.kind() + ": attr 0 (eps) must be > 0, got " + eps);
        }
        return eps;
    }

    /** Writes x̂ of one row into {@code xhat} and returns rstd. */
    static float normalizeRow(float[] x, int offset, int d, float eps, boolean rms, float[] xhat) {
        float mean = 0f;
        if (!rms) {
            mean = CanonicalSum.sum(x, offset, 1, d) / d;
        }
        for (int j = 0; j < d; j++) {
            xhat[j] = x[offset + j] - mean;
        }
        float variance = CanonicalSum.sumOfSquares(xhat, 0, d) / d;
        float rstd = (float) (1.0 / StrictMath.sqrt((double) (variance + eps)));
        for (int j = 0; j < d; j++) {
            xhat[j] = xhat[j] * rstd;
        }
        return rstd;
    }

    static final class Forward extends BaseOperator {
        private final boolean rms;

        Forward(boolean rms) {
            super(rms ? "rms_norm" : "layer_norm", rms ? 2 : 3, 1);
            this.rms = rms;
        }

        @Override
        public Tensor forward(long[] attrs, List<Tensor> inputs, Parallelism par) {
            Tensor x = inputs.get(0);
            int d = width(this, x, inputs.get(1), 1);
            float eps = eps(this, attrs);
            float[] w = inputs.get(1).data();
            float[] b = rms ? null : inputs.get(2).data();
            if (!rms && (inputs.get(2).rank() != 1 || b.length != d)) {
                throw bad(2, "must have shape [" + d + "], got " + Arrays.toString(inputs.get(2).shape()));
            }
            float[] xv = x.data();
            float[] out = new float[xv.length];
            par.forRange(xv.length / d, (from, to) -> {
                float[] xhat = new float[d];
                for (int r = from; r < to; r++) {
                    normalizeRow(xv, r * d, d, eps, rms, xhat);
                    for (int j = 0; j < d; j++) {
                        out[r * d + j] = rms ? w[j] * xhat[j] : Math.fma(xhat[j], w[j], b[j]);
                    }
                }
            });
            return Tensor.wrap(x.shape(), out);
        }

        @Override
        public List<Graph.Node> backward(Graph graph, long[] attrs, List<Graph.Node> inputs, Graph.Node grad) {
            Graph.Node x = inputs.get(0);
            Graph.Node w = inputs.get(1);
            Graph.Node dx = x.requiresGrad() ? graph.apply(kind() + "_backward", attrs, grad, x, w) : null;
            Graph.Node dw = w.requiresGrad() ? graph.apply(kind() + "_grad_weight", attrs, grad, x) : null;
            if (rms) {
                return Arrays.asList(dx, dw);
            }
            Graph.Node bias = inputs.get(2);
            Graph.Node db = bias.requiresGrad() ? graph.apply("sum_to_like", Graph.attrs(), grad, bias) : null;
            return Arrays.asList(dx, dw, db);
        }
    }

    private static void requireSameShape(BaseOperator op, Tensor grad, Tensor x) {
        if (!Arrays.equals(grad.shape(), x.shape())) {
            throw op.bad(0, "has shape " + Arrays.toString(grad.shape()) + " but input 1 has shape "
                    + Arrays.toString(x.shape()));
        }
    }

    /** dx, inputs [grad, x, weight]. */
    static final class Backward extends BaseOperator {
        private final boolean rms;

        Backward(boolean rms) {
            super(rms ? "rms_norm_backward" : "layer_norm_backward", 3, 1);
            this.rms = rms;
        }

        @Override
        public Tensor forward(long[] attrs, List<Tensor> inputs, Parallelism par) {
            Tensor grad = inputs.get(0);
            Tensor x = inputs.get(1);
            requireSameShape(this, grad, x);
            int d = width(this, x, inputs.get(2), 2);
            float eps = eps(this, attrs);
            float[] g = grad.data();
            float[] xv = x.data();
            float[] w = inputs.get(2).data();
            float[] out = new float[xv.length];
            par.forRange(xv.length / d, (from, to) -> {
                float[] xhat = new float[d];
                float[] ghat = new float[d];
                float[] products = new float[d];
                for (int r = from; r < to; r++) {
                    int offset = r * d;
                    float rstd = normalizeRow(xv, offset, d, eps, rms, xhat);
                    for (int j = 0; j < d; j++) {
                        ghat[j] = g[offset + j] * w[j];
                        products[j] = ghat[j] * xhat[j];
                    }
                    float meanProduct = CanonicalSum.sum(products, 0, 1, d) / d;
                    float meanGhat = rms ? 0f : CanonicalSum.sum(ghat, 0, 1, d) / d;
                    for (int j = 0; j < d; j++) {
                        out[offset + j] = rstd * ((ghat[j] - meanGhat) - xhat[j] * meanProduct);
                    }
                }
            });
            return Tensor.wrap(x.shape(), out);
        }
    }

    /** dweight, inputs [grad, x]: per column, the CanonicalSum over rows of g·x̂. */
    static final class GradWeight extends BaseOperator {
        private final boolean rms;

        GradWeight(boolean rms) {
            super(rms ? "rms_norm_grad_weight" : "layer_norm_grad_weight", 2, 1);
            this.rms = rms;
        }

        @Override
        public Tensor forward(long[] attrs, List<Tensor> inputs, Parallelism par) {
            Tensor grad = inputs.get(0);
            Tensor x = inputs.get(1);
            requireSameShape(this, grad, x);
            if (x.rank() < 1 || x.dim(x.rank() - 1) < 1) {
                throw bad(1, "needs a non-empty last axis, got shape " + Arrays.toString(x.shape()));
            }
            int d = x.dim(x.rank() - 1);
            int rows = x.size() / d;
            float eps = eps(this, attrs);
            float[] g = grad.data();
            float[] xv = x.data();
            // g·x̂ for every element, rows split across threads; then each column summed whole by one thread.
            float[] products = new float[xv.length];
            par.forRange(rows, (from, to) -> {
                float[] xhat = new float[d];
                for (int r = from; r < to; r++) {
                    normalizeRow(xv, r * d, d, eps, rms, xhat);
                    for (int j = 0; j < d; j++) {
                        products[r * d + j] = g[r * d + j] * xhat[j];
                    }
                }
            });
            float[] out = new float[d];
            par.forRange(d, products.length, (from, to) -> ElementLoops.columnSums(products, 0, rows, d, out, 0, from, to));
            return Tensor.wrap(new int[] {d}, out);
        }
    }
}
