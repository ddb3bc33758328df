package io.verigrid.engine;

import java.util.List;

/**
 * {@code dropout}, attrs [seed, stream, p bits]: element i is dropped (0) when
 * {@link CounterRng#uniform}(seed, stream, i) &lt; p, else multiplied by (float) (1 / (1 − p)). The mask is
 * a pure function of (seed, stream, element index) — trainers pass the step's seed and the operator's
 * program index as the stream — so it never depends on threads or iteration order. The backward rule
 * applies the same operator (same mask, same scale) to the gradient.
 */
final class Dropout extends BaseOperator {
    Dropout() {
        super("dropout", 1, 3);
    }

    @Override
    public Tensor forward(long[] attrs, List<Tensor> inputs, Parallelism par) {
        long seed = attrs[0];
        long stream = attrs[1];
        float p = Ops.floatAttr(kind(), attrs, 2);
        if (!(p >= 0f && p < 1f)) {
            throw new IllegalArgumentException(kind() + ": attr 2 (p) must be in [0, 1), got " + p);
        }
        float scale = (float) (1.0 / (1.0 - p));
        float[] x = inputs.get(0).data();
        float[] out = new float[x.length];
        par.forRange(x.length, 4L * x.length, (from, to) -> {
            for (int i = from; i < to; i++) {
                out[i] = CounterRng.uniform(seed, stream, i) < p ? 0f : x[i] * scale;
            }
        });
        return Tensor.wrap(inputs.get(0).shape(), out);
    }

    @Override
    public List<Graph.Node> backward(Graph graph, long[] attrs, List<Graph.Node> inputs, Graph.Node grad) {
        return List.of(graph.apply(kind(), attrs, grad));
    }
}
