package io.verigrid.engine;

import java.util.Arrays;
import java.util.List;

/**
 * Binary elementwise operators with numpy broadcasting (shapes aligned at the right, a dimension of 1
 * stretches): {@code bcast_add}, {@code bcast_sub}, {@code bcast_mul}, {@code bcast_div}, plus
 * {@code div_backward_right} and the reduction that undoes a broadcast, {@code sum_to_like}. Each output
 * element of the binary operators is one correctly rounded IEEE operation, so no order needs fixing.
 */
final class BroadcastOps {
    private BroadcastOps() {
    }

    private static Tensor map(String kind, Tensor a, Tensor b, Parallelism par, ElementLoops.Op op) {
        int[] shape = Shapes.broadcast(kind, a.shape(), b.shape());
        float[] av = a.data();
        float[] bv = b.data();
        float[] out = new float[Shapes.size(shape)];
        int aPeriod = period(a.shape(), shape);
        int bPeriod = period(b.shape(), shape);
        if (aPeriod > 0 && bPeriod > 0) {
            par.forRange(out.length, out.length,
                    (from, to) -> ElementLoops.periodic(op, av, aPeriod, bv, bPeriod, out, from, to));
            return Tensor.wrap(shape, out);
        }
        int[] aStrides = Shapes.broadcastStrides(a.shape(), shape);
        int[] bStrides = Shapes.broadcastStrides(b.shape(), shape);
        par.forRange(out.length, 4L * out.length, (from, to) -> {
            for (int i = from; i < to; i++) {
                out[i] = op.apply(av[Shapes.offset(i, shape, aStrides)], bv[Shapes.offset(i, shape, bStrides)]);
            }
        });
        return Tensor.wrap(shape, out);
    }

    /**
     * How often an operand repeats along the flattened output: its size when, leading 1s aside, its shape is the
     * output's trailing dimensions (so element i reads index i mod size; a scalar repeats every element);
     * 0 when it stretches inside.
     */
    private static int period(int[] operand, int[] output) {
        int first = 0;
        while (first < operand.length && operand[first] == 1) {
            first++;
        }
        int kept = operand.length - first;
        for (int k = 0; k < kept; k++) {
            if (operand[first + k] != output[output.length - kept + k]) {
                return 0;
            }
        }
        return Math.max(1, Shapes.size(operand));
    }

    /** The operator family: kind, element function and backward rule. */
    private abstract static class BinaryOp extends BaseOperator {
        private final ElementLoops.Op function;

        BinaryOp(String kind, ElementLoops.Op function) {
            super(kind, 2, 0);
            this.function = function;
        }

        @Override
        public Tensor forward(long[] attrs, List<Tensor> inputs, Parallelism par) {
            return map(kind(), inputs.get(0), inputs.get(1), par, function);
        }

        /** The gradient of each input before any broadcast is summed away. */
        abstract Graph.Node[] fullGradients(Graph graph, Graph.Node a, Graph.Node b, Graph.Node grad);

        @Override
        public List<Graph.Node> backward(Graph graph, long[] attrs, List<Graph.Node> inputs, Graph.Node grad) {
            Graph.Node a = inputs.get(0);
            Graph.Node b = inputs.get(1);
            Graph.Node[] full = fullGradients(graph, a, b, grad);
            Graph.Node gradA = a.requiresGrad() ? graph.apply("sum_to_like", Graph.attrs(), full[0], a) : null;
            Graph.Node gradB = b.requiresGrad() ? graph.apply("sum_to_like", Graph.attrs(), full[1], b) : null;
            return Arrays.asList(gradA, gradB);
        }
    }

    /** {@code bcast_add}: a + b. d/da = d/db = grad (summed to each input's shape). */
    static final class Add extends BinaryOp {
        Add() {
            super("bcast_add", ElementLoops.Op.ADD);
        }

        @Override
        Graph.Node[] fullGradients(Graph graph, Graph.Node a, Graph.Node b, Graph.Node grad) {
            return new Graph.Node[] {grad, grad};
        }
    }

    /** {@code bcast_sub}: a − b. d/da = grad, d/db = −grad. */
    static final class Sub extends BinaryOp {
        Sub() {
            super("bcast_sub", ElementLoops.Op.SUB);
        }

        @Override
        Graph.Node[] fullGradients(Graph graph, Graph.Node a, Graph.Node b, Graph.Node grad) {
            return new Graph.Node[] {grad, b.requiresGrad() ? graph.apply("neg", Graph.attrs(), grad) : null};
        }
    }

    /** {@code bcast_mul}: a · b. d/da = grad · b, d/db = grad · a. */
    static final class Mul extends BinaryOp {
        Mul() {
            super("bcast_mul", ElementLoops.Op.MUL);
        }

        @Override
        Graph.Node[] fullGradients(Graph graph, Graph.Node a, Graph.Node b, Graph.Node grad) {
            return new Graph.Node[] {
                a.requiresGrad() ? graph.apply("bcast_mul", Graph.attrs(), grad, b) : null,
                b.requiresGrad() ? graph.apply("bcast_mul", Graph.attrs(), grad, a) : null};
        }
    }

    /** {@code bcast_div}: a / b. d/da = grad / b, d/db = {@code div_backward_right(grad, a, b)}. */
    static final class Div extends BinaryOp {
        Div() {
            super("bcast_div", ElementLoops.Op.DIV);
        }

        @Override
        Graph.Node[] fullGradients(Graph graph, Graph.Node a, Graph.Node b, Graph.Node grad) {
            return new Graph.Node[] {
                a.requiresGrad() ? graph.apply("bcast_div", Graph.attrs(), grad, b) : null,
                b.requiresGrad() ? graph.apply("div_backward_right", Graph.attrs(), grad, a, b) : null};
        }
    }

    /**
     * {@code div_backward_right}, inputs [grad, a, b] broadcast together: −grad · a / (b · b), evaluated
     * as {@code −((grad · a) / b) / b}, each step rounded to float.
     */
    static final class DivBackwardRight extends BaseOperator {
        DivBackwardRight() {
            super("div_backward_right", 3, 0);
        }

        @Override
        public Tensor forward(long[] attrs, List<Tensor> inputs, Parallelism par) {
            Tensor grad = inputs.get(0);
            Tensor a = inputs.get(1);
            Tensor b = inputs.get(2);
            int[] shape = Shapes.broadcast(kind(), Shapes.broadcast(kind(), grad.shape(), a.shape()), b.shape());
            int[] gs = Shapes.broadcastStrides(grad.shape(), shape);
            int[] as = Shapes.broadcastStrides(a.shape(), shape);
            int[] bs = Shapes.broadcastStrides(b.shape(), shape);
            float[] out = new float[Shapes.size(shape)];
            par.forRange(out.length, 4L * out.length, (from, to) -> {
                for (int i = from; i < to; i++) {
                    float bi = b.data()[Shapes.offset(i, shape, bs)];
                    out[i] = -((grad.data()[Shapes.offset(i, shape, gs)] * a.data()[Shapes.offset(i, shape, as)]) / bi)
                            / bi;
                }
            });
            return Tensor.wrap(shape, out);
        }
    }

    /**
     * {@code sum_to_like}, inputs [x, like]: sums x down to like's shape, which must broadcast to x's shape
     * (the gradient of a broadcast). Canonical order: for each output element, the contributing elements of x
     * are enumerated in increasing flat index and summed with {@link CanonicalSum}. Threads split outputs.
     * When the shapes are equal it is a copy. No gradient (it only appears in backward passes).
     */
    static final class SumToLike extends BaseOperator {
        SumToLike() {
            super("sum_to_like", 2, 0);
        }

        @Override
        public Tensor forward(long[] attrs, List<Tensor> inputs, Parallelism par) {
            Tensor x = inputs.get(0);
            int[] target = inputs.get(1).shape();
            int[] shape = x.shape();
            if (target.length > shape.length
                    || !Arrays.equals(Shapes.broadcast(kind(), shape, target), shape)) {
                throw bad(1, "has shape " + Arrays.toString(target) + " which does not broadcast to input 0 shape "
                        + Arrays.toString(shape));
            }
            int rank = shape.length;
            int shift = rank - target.length;
            // Reduced axes: those where the target has (or implies) 1 and x does not.
            int[] reducedShape = new int[rank];
            int[] keptShape = new int[rank];
            for (int axis = 0; axis < rank; axis++) {
                boolean reduced = axis < shift || (target[axis - shift] == 1 && shape[axis] != 1);
                reducedShape[axis] = reduced ? shape[axis] : 1;
                keptShape[axis] = reduced ? 1 : shape[axis];
            }
            int[] strides = Shapes.strides(shape);
            int count = Shapes.size(reducedShape);
            float[] xv = x.data();
            float[] out = new float[Shapes.size(target)];
            if (leadingOnly(reducedShape, keptShape)) {
                // x is count rows of out.length: each output is its column's canonical sum, rows in order (one
                // row: 0 + x + 0, a copy that turns −0 into +0 as the sum does).
                par.forRange(out.length, (long) count * out.length,
                        (from, to) -> ElementLoops.columnSums(xv, 0, count, out.length, out, 0, from, to));
                return Tensor.wrap(target, out);
            }
            par.forRange(out.length, (long) count * out.length, (from, to) -> {
                float[] gathered = new float[count];
                for (int o = from; o < to; o++) {
                    int base = Shapes.offset(o, keptShape, strides);
                    for (int r = 0; r < count; r++) {
                        gathered[r] = xv[base + Shapes.offset(r, reducedShape, strides)];
                    }
                    out[o] = CanonicalSum.sum(gathered, 0, 1, count);
                }
            });
            return Tensor.wrap(target, out);
        }

        /** Whether every reduced axis (size above 1) comes before every kept axis of size above 1. */
        private static boolean leadingOnly(int[] reducedShape, int[] keptShape) {
            boolean keptSeen = false;
            for (int axis = 0; axis < reducedShape.length; axis++) {
                if (reducedShape[axis] > 1 && keptSeen) {
                    return false;
                }
                keptSeen |= keptShape[axis] > 1;
            }
            return true;
        }
    }
}
