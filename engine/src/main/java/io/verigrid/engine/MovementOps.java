package io.verigrid.engine;

import java.util.Arrays;
import java.util.List;

/**
 * Operators that move elements without arithmetic: {@code reshape} (attrs: a shape, see {@link Shapes}),
 * {@code reshape_like} [x, like], {@code permute} (attrs: an axis order in the shape slots, e.g. a
 * transpose), {@code slice} [axis, start, length] with {@code slice_backward} [grad, like] (zeros with grad
 * placed at the slice), {@code concat} [a, b] along attr [axis] with {@code concat_backward} [grad, a, b]
 * attrs [axis, which], and {@code causal_mask} [scores], attrs [fill bits]: element (…, i, j) of the last
 * two axes (t, s) becomes fill where j &gt; s − t + i (the fill must be finite, e.g. −3.4e38; the mask
 * with fill 0 is its own gradient rule).
 */
final class MovementOps {
    private MovementOps() {
    }

    private static Tensor reshapeTo(BaseOperator op, Tensor x, int[] shape) {
        if (Shapes.size(shape) != x.size()) {
            throw op.bad(0, "has shape " + Arrays.toString(x.shape()) + " (" + x.size()
                    + " elements) which cannot be reshaped to " + Arrays.toString(shape));
        }
        return Tensor.of(shape, x.data());
    }

    static final class Reshape extends BaseOperator {
        Reshape() {
            super("reshape", 1, Shapes.ATTR_SLOTS);
        }

        @Override
        public Tensor forward(long[] attrs, List<Tensor> inputs, Parallelism par) {
            return reshapeTo(this, inputs.get(0), Shapes.fromAttrs(kind(), attrs, 0));
        }

        @Override
        public List<Graph.Node> backward(Graph graph, long[] attrs, List<Graph.Node> inputs, Graph.Node grad) {
            return List.of(graph.apply("reshape_like", Graph.attrs(), grad, inputs.get(0)));
        }
    }

    /** {@code reshape_like}, inputs [x, like]: x with like's shape. Backward: reshape_like(grad, x). */
    static final class ReshapeLike extends BaseOperator {
        ReshapeLike() {
            super("reshape_like", 2, 0);
        }

        @Override
        public Tensor forward(long[] attrs, List<Tensor> inputs, Parallelism par) {
            return reshapeTo(this, inputs.get(0), inputs.get(1).shape());
        }

        @Override
        public List<Graph.Node> backward(Graph graph, long[] attrs, List<Graph.Node> inputs, Graph.Node grad) {
            return Arrays.asList(graph.apply(kind(), Graph.attrs(), grad, inputs.get(0)), null);
        }
    }

    /** {@code permute}: out axis a is input axis perm[a]. Backward: permute by the inverse order. */
    static final class Permute extends BaseOperator {
        Permute() {
            super("permute", 1, Shapes.ATTR_SLOTS);
        }

        private int[] order(long[] attrs, int rank) {
            int[] perm = Shapes.fromAttrs(kind(), attrs, 0);
            boolean[] seen = new boolean[rank];
            if (perm.length != rank) {
                throw new IllegalArgumentException(kind() + ": the axis order has " + perm.length
                        + " entries but input 0 has rank " + rank);
            }
            for (int axis : perm) {
                if (axis >= rank || seen[axis]) {
                    throw new IllegalArgumentException(kind() + ": attrs " + Arrays.toString(perm)
                            + " are not a permutation of the " + rank + " axes");
                }
                seen[axis] = true;
            }
            return perm;
        }

        @Override
        public Tensor forward(long[] attrs, List<Tensor> inputs, Parallelism par) {
            Tensor x = inputs.get(0);
            int[] in = x.shape();
            int[] perm = order(attrs, in.length);
            int[] shape = new int[in.length];
            int[] inStrides = Shapes.strides(in);
            int[] readStrides = new int[in.length];
            for (int a = 0; a < in.length; a++) {
                shape[a] = in[perm[a]];
                readStrides[a] = inStrides[perm[a]];
            }
            float[] xv = x.data();
            float[] out = new float[xv.length];
            par.forRange(out.length, 4L * out.length, (from, to) -> {
                for (int i = from; i < to; i++) {
                    out[i] = xv[Shapes.offset(i, shape, readStrides)];
                }
            });
            return Tensor.wrap(shape, out);
        }

        @Override
        public List<Graph.Node> backward(Graph graph, long[] attrs, List<Graph.Node> inputs, Graph.Node grad) {
            int[] perm = Shapes.fromAttrs(kind(), attrs, 0);
            int[] inverse = new int[perm.length];
            for (int a = 0; a < perm.length; a++) {
                inverse[perm[a]] = a;
            }
            return List.of(graph.apply(kind(), Shapes.toAttrs(inverse), grad));
        }
    }

    /** Copies a block: for each outer index, {@code length·inner} elements between two layouts. */
    private static void copyAlongAxis(float[] from, int fromAxisLen, int fromStart, float[] to, int toAxisLen,
            int toStart, int outer, int length, int inner) {
        for (int o = 0; o < outer; o++) {
            System.arraycopy(from, (o * fromAxisLen + fromStart) * inner, to, (o * toAxisLen + toStart) * inner,
                    length * inner);
        }
    }

    /** {@code slice}, attrs [axis, start, length]. Backward: {@code slice_backward(grad, x)} with the same attrs. */
    static final class Slice extends BaseOperator {
        Slice() {
            super("slice", 1, 3);
        }

        static int[] range(BaseOperator op, long[] attrs, int[] shape) {
            int axis = Shapes.axis(op.kind(), attrs, 0, shape.length);
            int start = op.intAttr(attrs, 1, "start", 0, shape[axis]);
            int length = op.intAttr(attrs, 2, "length", 0, shape[axis] - start);
            return new int[] {axis, start, length};
        }

        @Override
        public Tensor forward(long[] attrs, List<Tensor> inputs, Parallelism par) {
            Tensor x = inputs.get(0);
            int[] shape = x.shape();
            int[] range = range(this, attrs, shape);
            int axis = range[0];
            int[] outShape = shape.clone();
            outShape[axis] = range[2];
            float[] out = new float[Shapes.size(outShape)];
            copyAlongAxis(x.data(), shape[axis], range[1], out, range[2], 0, Shapes.outer(shape, axis), range[2],
                    Shapes.inner(shape, axis));
            return Tensor.wrap(outShape, out);
        }

        @Override
        public List<Graph.Node> backward(Graph graph, long[] attrs, List<Graph.Node> inputs, Graph.Node grad) {
            return List.of(graph.apply("slice_backward", attrs, grad, inputs.get(0)));
        }
    }

    /** {@code slice_backward}, inputs [grad, like], attrs [axis, start, length]: zeros of like's shape, grad at the slice. */
    static final class SliceBackward extends BaseOperator {
        SliceBackward() {
            super("slice_backward", 2, 3);
        }

        @Override
        public Tensor forward(long[] attrs, List<Tensor> inputs, Parallelism par) {
            Tensor grad = inputs.get(0);
            int[] shape = inputs.get(1).shape();
            int[] range = Slice.range(this, attrs, shape);
            int axis = range[0];
            int[] sliceShape = shape.clone();
            sliceShape[axis] = range[2];
            if (!Arrays.equals(grad.shape(), sliceShape)) {
                throw bad(0, "has shape " + Arrays.toString(grad.shape()) + " but the slice has shape "
                        + Arrays.toString(sliceShape));
            }
            float[] out = new float[Shapes.size(shape)];
            copyAlongAxis(grad.data(), range[2], 0, out, shape[axis], range[1], Shapes.outer(shape, axis), range[2],
                    Shapes.inner(shape, axis));
            return Tensor.wrap(shape, out);
        }
    }

    /** Checks that a and b agree on every axis but {@code axis}; returns the concatenated shape. */
    private static int[] concatShape(BaseOperator op, Tensor a, Tensor b, int axis, int bInput) {
        int[] as = a.shape();
        int[] bs = b.shape();
        int[] sameA = as.clone();
        int[] sameB = bs.clone();
        if (as.length == bs.length) {
            sameA[axis] = 0;
            sameB[axis] = 0;
        }
        if (!Arrays.equals(sameA, sameB)) {
            throw op.bad(bInput, "has shape " + Arrays.toString(bs) + " which does not match shape " + Arrays.toString(as)
                    + " except along axis " + axis);
        }
        int[] out = as.clone();
        out[axis] = as[axis] + bs[axis];
        return out;
    }

    /** {@code concat}, inputs [a, b], attrs [axis]. Backward: {@code concat_backward(grad, a, b)} per input. */
    static final class Concat extends BaseOperator {
        Concat() {
            super("concat", 2, 1);
        }

        @Override
        public Tensor forward(long[] attrs, List<Tensor> inputs, Parallelism par) {
            Tensor a = inputs.get(0);
            Tensor b = inputs.get(1);
            int axis = Shapes.axis(kind(), attrs, 0, a.rank());
            int[] shape = concatShape(this, a, b, axis, 1);
            float[] out = new float[Shapes.size(shape)];
            int outer = Shapes.outer(shape, axis);
            int inner = Shapes.inner(shape, axis);
            copyAlongAxis(a.data(), a.dim(axis), 0, out, shape[axis], 0, outer, a.dim(axis), inner);
            copyAlongAxis(b.data(), b.dim(axis), 0, out, shape[axis], a.dim(axis), outer, b.dim(axis), inner);
            return Tensor.wrap(shape, out);
        }

        @Override
        public List<Graph.Node> backward(Graph graph, long[] attrs, List<Graph.Node> inputs, Graph.Node grad) {
            Graph.Node[] grads = new Graph.Node[2];
            for (int which = 0; which < 2; which++) {
                if (inputs.get(which).requiresGrad()) {
                    grads[which] = graph.apply("concat_backward", Graph.attrs(attrs[0], which), grad, inputs.get(0),
                            inputs.get(1));
                }
            }
            return Arrays.asList(grads);
        }
    }

    /** {@code concat_backward}, inputs [grad, a, b], attrs [axis, which]: grad's part belonging to a (0) or b (1). */
    static final class ConcatBackward extends BaseOperator {
        ConcatBackward() {
            super("concat_backward", 3, 2);
        }

        @Override
        public Tensor forward(long[] attrs, List<Tensor> inputs, Parallelism par) {
            Tensor grad = inputs.get(0);
            Tensor a = inputs.get(1);
            Tensor b = inputs.get(2);
            int axis = Shapes.axis(kind(), attrs, 0, a.rank());
            int which = intAttr(attrs, 1, "which", 0, 1);
            int[] shape = concatShape(this, a, b, axis, 2);
            if (!Arrays.equals(shape, grad.shape())) {
                throw bad(0, "has shape " + Arrays.toString(grad.shape()) + " but the concatenation has shape "
                        + Arrays.toString(shape));
            }
            Tensor part = which == 0 ? a : b;
            float[] out = new float[part.size()];
            copyAlongAxis(grad.data(), shape[axis], which == 0 ? 0 : a.dim(axis), out, part.dim(axis), 0,
                    Shapes.outer(shape, axis), part.dim(axis), Shapes.inner(shape, axis));
            return Tensor.wrap(part.shape(), out);
        }
    }

    static final class CausalMask extends BaseOperator {
        CausalMask() {
            super("causal_mask", 1, 1);
        }

        @Override
        public Tensor forward(long[] attrs, List<Tensor> inputs, Parallelism par) {
            Tensor x = inputs.get(0);
            float fill = Ops.floatAttr(kind(), attrs, 0);
            if (x.rank() < 2 || x.dim(x.rank() - 2) > x.dim(x.rank() - 1)) {
                throw bad(0, "must end in axes (t, s) with t <= s, got " + Arrays.toString(x.shape()));
            }
            int t = x.dim(x.rank() - 2);
            int s = x.dim(x.rank() - 1);
            float[] xv = x.data();
            float[] out = new float[xv.length];
            par.forRange(xv.length, xv.length, (from, to) -> {
                for (int e = from; e < to; e++) {
                    int j = e % s;
                    int i = (e / s) % t;
                    out[e] = j > s - t + i ? fill : xv[e];
                }
            });
            return Tensor.wrap(x.shape(), out);
        }

        @Override
        public List<Graph.Node> backward(Graph graph, long[] attrs, List<Graph.Node> inputs, Graph.Node grad) {
            return List.of(graph.apply(kind(), Graph.attrs(Float.floatToRawIntBits(0f)), grad));
        }
    }
}
