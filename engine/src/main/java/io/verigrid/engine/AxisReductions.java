package io.verigrid.engine;

import java.util.Arrays;
import java.util.List;

/**
 * Reductions over one axis, attrs [axis, keepdim (0/1)]: {@code sum_axis}, {@code mean_axis},
 * {@code max_axis}, and their backward operators {@code sum_axis_backward} (also for the mean, attr
 * [axis, keepdim, mean]) and {@code max_axis_backward}.
 *
 * <p>Canonical order: the n elements along the axis of one output are summed with {@link CanonicalSum}
 * in index order; the mean divides that float sum by n (one rounding). The max is exact in any order; its
 * gradient goes to the first index holding the max. Threads split the outputs.
 */
final class AxisReductions {
    private AxisReductions() {
    }

    enum Kind { SUM, MEAN, MAX }

    private static int[] reducedShape(int[] shape, int axis, boolean keepdim) {
        if (keepdim) {
            int[] out = shape.clone();
            out[axis] = 1;
            return out;
        }
        int[] out = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (i != axis) {
                out[j++] = shape[i];
            }
        }
        return out;
    }

    static final class Forward extends BaseOperator {
        private final Kind reduction;

        Forward(Kind reduction) {
            super(reduction.name().toLowerCase() + "_axis", 1, 2);
            this.reduction = reduction;
        }

        @Override
        public Tensor forward(long[] attrs, List<Tensor> inputs, Parallelism par) {
            Tensor x = inputs.get(0);
            int[] shape = x.shape();
            int axis = Shapes.axis(kind(), attrs, 0, shape.length);
            boolean keepdim = Ops.flagAttr(kind(), attrs, 1);
            int n = shape[axis];
            if (n == 0) {
                throw bad(0, "has an empty axis " + axis);
            }
            int inner = Shapes.inner(shape, axis);
            float[] xv = x.data();
            float[] out = new float[Shapes.outer(shape, axis) * inner];
            par.forRange(out.length, (from, to) -> {
                for (int o = from; o < to; o++) {
                    int base = (o / inner) * n * inner + o % inner;
                    out[o] = switch (reduction) {
                        case SUM -> CanonicalSum.sum(xv, base, inner, n);
                        case MEAN -> CanonicalSum.sum(xv, base, inner, n) / n;
                        case MAX -> max(xv, base, inner, n);
                    };
                }
            });
            return Tensor.wrap(reducedShape(shape, axis, keepdim), out);
        }

        @Override
        public List<Graph.Node> backward(Graph graph, long[] attrs, List<Graph.Node> inputs, Graph.Node grad) {
            Graph.Node x = inputs.get(0);
            return List.of(reduction == Kind.MAX
                    ? graph.apply("max_axis_backward", Graph.attrs(attrs[0], attrs[1]), grad, x)
                    : graph.apply("sum_axis_backward", Graph.attrs(attrs[0], attrs[1], reduction == Kind.MEAN ? 1 : 0),
                            grad, x));
        }
    }

    private static float max(float[] values, int base, int stride, int n) {
        float max = values[base];
        for (int i = 1; i < n; i++) {
            max = Math.max(max, values[base + i * stride]);
        }
        return max;
    }

    /** Checks that grad has the reduced shape of x and returns [axis, n, inner]. */
    private static int[] checkGrad(BaseOperator op, long[] attrs, Tensor grad, Tensor x) {
        int[] shape = x.shape();
        int axis = Shapes.axis(op.kind(), attrs, 0, shape.length);
        boolean keepdim = Ops.flagAttr(op.kind(), attrs, 1);
        int[] expected = reducedShape(shape, axis, keepdim);
        if (!Arrays.equals(expected, grad.shape())) {
            throw op.bad(0, "has shape " + Arrays.toString(grad.shape()) + " but the reduced shape of input 1 is "
                    + Arrays.toString(expected));
        }
        return new int[] {axis, shape[axis], Shapes.inner(shape, axis)};
    }

    /**
     * {@code sum_axis_backward}, inputs [grad, x], attrs [axis, keepdim, mean]: grad spread back along the
     * axis to x's shape, divided by n when mean is 1. No arithmetic order to fix.
     */
    static final class SumBackward extends BaseOperator {
        SumBackward() {
            super("sum_axis_backward", 2, 3);
        }

        @Override
        public Tensor forward(long[] attrs, List<Tensor> inputs, Parallelism par) {
            Tensor grad = inputs.get(0);
            Tensor x = inputs.get(1);
            int[] geometry = checkGrad(this, attrs, grad, x);
            boolean mean = Ops.flagAttr(kind(), attrs, 2);
            int n = geometry[1];
            int inner = geometry[2];
            float[] g = grad.data();
            float[] out = new float[x.size()];
            par.forRange(out.length, (from, to) -> {
                for (int i = from; i < to; i++) {
                    float value = g[(i / (n * inner)) * inner + i % inner];
                    out[i] = mean ? value / n : value;
                }
            });
            return Tensor.wrap(x.shape(), out);
        }
    }

    /** {@code max_axis_backward}, inputs [grad, x], attrs [axis, keepdim]: grad at the first argmax, 0 elsewhere. */
    static final class MaxBackward extends BaseOperator {
        MaxBackward() {
            super("max_axis_backward", 2, 2);
        }

        @Override
        public Tensor forward(long[] attrs, List<Tensor> inputs, Parallelism par) {
            Tensor grad = inputs.get(0);
            Tensor x = inputs.get(1);
            int[] geometry = checkGrad(this, attrs, grad, x);
            int n = geometry[1];
            int inner = geometry[2];
            float[] g = grad.data();
            float[] xv = x.data();
            float[] out = new float[x.size()];
            par.forRange(g.length, (from, to) -> {
                for (int o = from; o < to; o++) {
                    int base = (o / inner) * n * inner + o % inner;
                    float max = max(xv, base, inner, n);
                    for (int i = 0; i < n; i++) {
                        if (xv[base + i * inner] == max) {
                            out[base + i * inner] = g[o];
                            break;
                        }
                    }
                }
            });
            return Tensor.wrap(x.shape(), out);
        }
    }
}
