package io.verigrid.engine;

import java.util.Arrays;
import java.util.List;

/**
 * {@code rope}: rotary position embedding, Llama / Hugging Face convention (rotate_half: element i of a
 * head pairs with element i + half). Input x is (batch·seq, heads·headDim), rows ordered batch-major;
 * attrs [batch, heads, theta bits, positionOffset, inverse (0/1)]. Row r has position
 * {@code offset + r mod seq}. For pair i: inv_freq_i = (float) (1 / theta^(2i / headDim)), angle =
 * (float) position · inv_freq_i (one float multiply, as Hugging Face computes it in float32), cos and sin
 * from {@link StrictMath} in double rounded to float;
 * out_i = x_i·cos − x_{i+half}·sin and out_{i+half} = x_{i+half}·cos + x_i·sin, each evaluated in double
 * from the float values and rounded once. inverse = 1 rotates by −angle, which is the backward rule (the
 * rotation's transpose), so {@code rope} is its own gradient operator.
 */
final class Rope extends BaseOperator {
    Rope() {
        super("rope", 1, 5);
    }

    @Override
    public Tensor forward(long[] attrs, List<Tensor> inputs, Parallelism par) {
        Tensor x = inputs.get(0);
        Ops.requireRank(kind(), 0, x, 2);
        int batch = intAttr(attrs, 0, "batch", 1, Integer.MAX_VALUE);
        int heads = intAttr(attrs, 1, "heads", 1, Integer.MAX_VALUE);
        float theta = Ops.floatAttr(kind(), attrs, 2);
        int offset = intAttr(attrs, 3, "positionOffset", 0, Integer.MAX_VALUE);
        boolean inverse = Ops.flagAttr(kind(), attrs, 4);
        int rows = x.dim(0);
        int width = x.dim(1);
        if (rows % batch != 0 || width % heads != 0 || (width / heads) % 2 != 0) {
            throw bad(0, "has shape " + Arrays.toString(x.shape()) + " which is not (batch·seq, heads·headDim) with "
                    + "batch " + batch + ", heads " + heads + " and an even headDim");
        }
        if (!(theta > 1f)) {
            throw new IllegalArgumentException(kind() + ": attr 2 (theta) must be > 1, got " + theta);
        }
        int seq = rows / batch;
        int headDim = width / heads;
        int half = headDim / 2;
        float[] invFreq = new float[half];
        for (int i = 0; i < half; i++) {
            invFreq[i] = (float) (1.0 / StrictMath.pow(theta, (2.0 * i) / headDim));
        }
        float[] xv = x.data();
        float[] out = new float[xv.length];
        par.forRange(rows, (from, to) -> {
            double[] cos = new double[half];
            double[] sin = new double[half];
            for (int r = from; r < to; r++) {
                float position = offset + r % seq;
                for (int i = 0; i < half; i++) {
                    float angle = position * invFreq[i];
                    cos[i] = (float) StrictMath.cos(angle);
                    float s = (float) StrictMath.sin(angle);
                    sin[i] = inverse ? -s : s;
                }
                for (int h = 0; h < heads; h++) {
                    int base = r * width + h * headDim;
                    for (int i = 0; i < half; i++) {
                        double a = xv[base + i];
                        double b = xv[base + i + half];
                        out[base + i] = (float) (a * cos[i] - b * sin[i]);
                        out[base + i + half] = (float) (b * cos[i] + a * sin[i]);
                    }
                }
            }
        });
        return Tensor.wrap(x.shape(), out);
    }

    @Override
    public List<Graph.Node> backward(Graph graph, long[] attrs, List<Graph.Node> inputs, Graph.Node grad) {
        long[] inverse = attrs.clone();
        inverse[4] = 1 - attrs[4];
        return List.of(graph.apply(kind(), inverse, grad));
    }
}
