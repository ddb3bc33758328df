package io.verigrid.engine;

import java.util.Arrays;
import java.util.List;

/**
 * Elementwise operators. Each output element depends on the same-index input elements only, through one
 * correctly rounded IEEE operation (or one {@link Math#fma}), so there is no summation order to fix;
 * threads split the output range.
 */
final class ElementwiseOps {
    private ElementwiseOps() {
    }

    /** The element function of a binary elementwise operator. */
    @FunctionalInterface
    private interface Binary {
        float apply(float left, float right);
    }

    private static void requireSameShape(String kind, Tensor first, Tensor other, int otherIndex) {
        if (!Arrays.equals(first.shape(), other.shape())) {
            throw Ops.bad(kind, otherIndex, "has shape " + Arrays.toString(other.shape())
                    + " but input 0 has shape " + Arrays.toString(first.shape()));
        }
    }

    private static Tensor map(String kind, List<Tensor> inputs, Parallelism par, Binary f) {
        Tensor left = inputs.get(0);
        Tensor right = inputs.get(1);
        requireSameShape(kind, left, right, 1);
        float[] l = left.data();
        float[] r = right.data();
        float[] out = new float[l.length];
        par.forRange(out.length, out.length, (from, to) -> {
            for (int i = from; i < to; i++) {
                out[i] = f.apply(l[i], r[i]);
            }
        });
        return Tensor.wrap(left.shape(), out);
    }

    /** {@code add}: a + b, same shapes. Used to accumulate gradients. d/da = d/db = grad. */
    static final class Add extends BaseOperator {
        Add() {
            super("add", 2, 0);
        }

        @Override
        public Tensor forward(long[] attrs, List<Tensor> inputs, Parallelism par) {
            Tensor left = inputs.get(0);
            requireSameShape(kind(), left, inputs.get(1), 1);
            float[] l = left.data();
            float[] r = inputs.get(1).data();
            float[] out = new float[l.length];
            par.forRange(out.length, out.length,
                    (from, to) -> ElementLoops.binary(ElementLoops.Op.ADD, l, from, false, r, from, false, out, from, to - from));
            return Tensor.wrap(left.shape(), out);
        }

        @Override
        public List<Graph.Node> backward(Graph graph, long[] attrs, List<Graph.Node> inputs, Graph.Node grad) {
            return Arrays.asList(grad, grad);
        }
    }

    /**
     * {@code add_bias}: x (m×n) + b (n) broadcast over rows. d/dx = grad; d/db = {@code sum_rows(grad)}.
     */
    static final class AddBias extends BaseOperator {
        AddBias() {
            super("add_bias", 2, 0);
        }

        @Override
        public Tensor forward(long[] attrs, List<Tensor> inputs, Parallelism par) {
            Tensor x = inputs.get(0);
            Tensor bias = inputs.get(1);
            Ops.requireRank(kind(), 0, x, 2);
            Ops.requireRank(kind(), 1, bias, 1);
            int n = x.dim(1);
            if (bias.dim(0) != n) {
                throw Ops.bad(kind(), 1, "has length " + bias.dim(0) + " but input 0 has " + n + " columns");
            }
            float[] xv = x.data();
            float[] bv = bias.data();
            float[] out = new float[xv.length];
            par.forRange(x.dim(0), xv.length,
                    (from, to) -> ElementLoops.periodic(ElementLoops.Op.ADD, xv, xv.length, bv, n, out, from * n, to * n));
            return Tensor.wrap(x.shape(), out);
        }

        @Override
        public List<Graph.Node> backward(Graph graph, long[] attrs, List<Graph.Node> inputs, Graph.Node grad) {
            Graph.Node gradBias = inputs.get(1).requiresGrad() ? graph.apply("sum_rows", Graph.attrs(), grad) : null;
            return Arrays.asList(grad, gradBias);
        }
    }

    /** {@code relu}: x &gt; 0 ? x : 0 (so −0 becomes +0). d/dx = {@code relu_backward(grad, x)}. */
    static final class Relu extends BaseOperator {
        Relu() {
            super("relu", 1, 0);
        }

        @Override
        public Tensor forward(long[] attrs, List<Tensor> inputs, Parallelism par) {
            float[] x = inputs.get(0).data();
            float[] out = new float[x.length];
            par.forRange(out.length, out.length, (from, to) -> {
                for (int i = from; i < to; i++) {
                    out[i] = x[i] > 0f ? x[i] : 0f;
                }
            });
            return Tensor.wrap(inputs.get(0).shape(), out);
        }

        @Override
        public List<Graph.Node> backward(Graph graph, long[] attrs, List<Graph.Node> inputs, Graph.Node grad) {
            return List.of(graph.apply("relu_backward", Graph.attrs(), grad, inputs.get(0)));
        }
    }

    /** {@code relu_backward}, inputs [grad, preActivation]: pre &gt; 0 ? grad : 0. */
    static final class ReluBackward extends BaseOperator {
        ReluBackward() {
            super("relu_backward", 2, 0);
        }

        @Override
        public Tensor forward(long[] attrs, List<Tensor> inputs, Parallelism par) {
            return map(kind(), inputs, par, (grad, pre) -> pre > 0f ? grad : 0f);
        }
    }

    /** {@code momentum_update}, inputs [v, g], attrs [mu bits]: fma(mu, v, g) = mu·v + g, rounded once. */
    static final class MomentumUpdate extends BaseOperator {
        MomentumUpdate() {
            super("momentum_update", 2, 1);
        }

        @Override
        public Tensor forward(long[] attrs, List<Tensor> inputs, Parallelism par) {
            float mu = Ops.floatAttr(kind(), attrs, 0);
            return map(kind(), inputs, par, (v, g) -> Math.fma(mu, v, g));
        }
    }

    /** {@code sgd_apply}, inputs [w, v], attrs [lr bits]: fma(−lr, v, w) = w − lr·v, rounded once. */
    static final class SgdApply extends BaseOperator {
        SgdApply() {
            super("sgd_apply", 2, 1);
        }

        @Override
        public Tensor forward(long[] attrs, List<Tensor> inputs, Parallelism par) {
            float negativeLr = -Ops.floatAttr(kind(), attrs, 0);
            return map(kind(), inputs, par, (w, v) -> Math.fma(negativeLr, v, w));
        }
    }
}
