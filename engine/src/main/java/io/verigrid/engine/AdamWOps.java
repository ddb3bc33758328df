package io.verigrid.engine;

import java.util.Arrays;
import java.util.List;

/**
 * AdamW as three elementwise operators per parameter, the order PyTorch's AdamW uses:
 * <pre>
 *   m' = adam_m(m, g)        attrs [beta1]:  fma(beta1, m, (1 − beta1)·g)
 *   v' = adam_v(v, g)        attrs [beta2]:  fma(beta2, v, ((1 − beta2)·g)·g)
 *   w' = adamw_apply(w, m', v') attrs [lr, beta1, beta2, eps, weightDecay (float bits), step]:
 *        decay = (float) (1 − lr·wd), stepSize = (float) (lr / (1 − beta1^step)),
 *        bc2 = (float) √(1 − beta2^step)   (double, StrictMath.pow, rounded once)
 *        w' = fma(−stepSize, m' / (√v' / bc2 + eps), w·decay)
 * </pre>
 * Constants (1 − beta) are float subtractions. Every element is a fixed sequence of IEEE operations, so
 * there is no reduction order; threads split elements. Gradient clipping by global norm uses
 * {@code sum_squares} (a {@link CanonicalSum} of x·x) per gradient, chained with {@code add} in parameter
 * name order, and {@code clip_coefficient}.
 */
final class AdamWOps {
    private AdamWOps() {
    }

    private static void requireSameShape(BaseOperator op, List<Tensor> inputs) {
        for (int i = 1; i < inputs.size(); i++) {
            if (!Arrays.equals(inputs.get(0).shape(), inputs.get(i).shape())) {
                throw op.bad(i, "has shape " + Arrays.toString(inputs.get(i).shape()) + " but input 0 has shape "
                        + Arrays.toString(inputs.get(0).shape()));
            }
        }
    }

    private static float beta(BaseOperator op, long[] attrs, int index) {
        float beta = Ops.floatAttr(op.kind(), attrs, index);
        if (!(beta >= 0f && beta < 1f)) {
            throw new IllegalArgumentException(op.kind() + ": attr " + index + " (beta) must be in [0, 1), got " + beta);
        }
        return beta;
    }

    /** {@code adam_m} (second moment false) and {@code adam_v} (true). */
    static final class Moment extends BaseOperator {
        private final boolean second;

        Moment(boolean second) {
            super(second ? "adam_v" : "adam_m", 2, 1);
            this.second = second;
        }

        @Override
        public Tensor forward(long[] attrs, List<Tensor> inputs, Parallelism par) {
            requireSameShape(this, inputs);
            float beta = beta(this, attrs, 0);
            float rest = 1f - beta;
            float[] moment = inputs.get(0).data();
            float[] g = inputs.get(1).data();
            float[] out = new float[g.length];
            par.forRange(out.length, out.length,
                    (from, to) -> ElementLoops.moment(second, beta, rest, moment, g, out, from, to));
            return Tensor.wrap(inputs.get(0).shape(), out);
        }
    }

    static final class Apply extends BaseOperator {
        Apply() {
            super("adamw_apply", 3, 6);
        }

        @Override
        public Tensor forward(long[] attrs, List<Tensor> inputs, Parallelism par) {
            requireSameShape(this, inputs);
            float lr = Ops.floatAttr(kind(), attrs, 0);
            float beta1 = beta(this, attrs, 1);
            float beta2 = beta(this, attrs, 2);
            float eps = Ops.floatAttr(kind(), attrs, 3);
            float weightDecay = Ops.floatAttr(kind(), attrs, 4);
            int step = intAttr(attrs, 5, "step", 1, Integer.MAX_VALUE);
            if (lr < 0f || !(eps > 0f) || weightDecay < 0f) {
                throw new IllegalArgumentException(kind() + ": lr and weightDecay must be >= 0 and eps > 0, got lr " + lr
                        + ", eps " + eps + ", weightDecay " + weightDecay);
            }
            float decay = (float) (1.0 - (double) lr * weightDecay);
            float stepSize = (float) (lr / (1.0 - StrictMath.pow(beta1, step)));
            float bc2 = (float) StrictMath.sqrt(1.0 - StrictMath.pow(beta2, step));
            float[] w = inputs.get(0).data();
            float[] m = inputs.get(1).data();
            float[] v = inputs.get(2).data();
            float[] out = new float[w.length];
            par.forRange(out.length, out.length,
                    (from, to) -> ElementLoops.adamw(-stepSize, bc2, eps, decay, w, m, v, out, from, to));
            return Tensor.wrap(inputs.get(0).shape(), out);
        }
    }

    /** {@code sum_squares}: x → scalar Σ x_i², the squares summed with {@link CanonicalSum}. */
    static final class SumSquares extends BaseOperator {
        SumSquares() {
            super("sum_squares", 1, 0);
        }

        @Override
        public Tensor forward(long[] attrs, List<Tensor> inputs, Parallelism par) {
            return Tensor.scalar(CanonicalSum.sumOfSquares(inputs.get(0).data(), 0, inputs.get(0).size()));
        }
    }

    /**
     * {@code clip_coefficient}, input [total sum of squares (scalar)], attrs [maxNorm]: the scalar
     * min(1, maxNorm / (√total + 1e-6)) by which every gradient is multiplied ({@code bcast_mul}).
     */
    static final class ClipCoefficient extends BaseOperator {
        ClipCoefficient() {
            super("clip_coefficient", 1, 1);
        }

        @Override
        public Tensor forward(long[] attrs, List<Tensor> inputs, Parallelism par) {
            Tensor total = inputs.get(0);
            if (total.size() != 1 || total.data()[0] < 0f) {
                throw bad(0, "must be one non-negative sum of squares, got " + total);
            }
            float maxNorm = Ops.floatAttr(kind(), attrs, 0);
            if (!(maxNorm > 0f)) {
                throw new IllegalArgumentException(kind() + ": attr 0 (maxNorm) must be > 0, got " + maxNorm);
            }
            float norm = (float) Math.sqrt(total.data()[0]);
            return Tensor.scalar(Math.min(1f, maxNorm / (norm + 1e-6f)));
        }
    }
}
