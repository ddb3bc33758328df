package io.verigrid.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Test helper for one operator: its forward output and the gradients its backward rule produces (run as a
 * real program through {@link ProgramRunner}), finite differences in double, thread invariance and the
 * golden SHA-256 pinned in {@code golden/transformer_ops.properties}.
 */
final class OpHarness {
    static final Parallelism THREE = Parallelism.of(3);
    private static final Properties GOLDEN = load();

    private OpHarness() {
    }

    private static Properties load() {
        Properties properties = new Properties();
        try (InputStream in = OpHarness.class.getResourceAsStream("/golden/transformer_ops.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }

    /** The pinned hashes of test case {@code name}. */
    static String golden(String name) {
        return GOLDEN.getProperty(name);
    }

    /** Uniform values in [lo, hi) from the counter RNG. */
    static Tensor random(long seed, float lo, float hi, int... shape) {
        float[] values = new float[Shapes.size(shape)];
        for (int i = 0; i < values.length; i++) {
            values[i] = lo + (hi - lo) * CounterRng.uniform(seed, 99, i);
        }
        return Tensor.of(shape, values);
    }

    static Tensor forward(String kind, long[] attrs, List<Tensor> inputs, Parallelism par) {
        return Ops.execute(kind, attrs, inputs, par);
    }

    /**
     * The gradient of Σ upstream·output (or of the loss, when {@code upstream} is null) with respect to each
     * input marked differentiable; null for the others.
     */
    static List<Tensor> gradients(String kind, long[] attrs, List<Tensor> inputs, boolean[] differentiable,
            Tensor upstream, Parallelism par) {
        Graph graph = new Graph();
        Map<String, Tensor> state = new HashMap<>();
        List<Graph.Node> nodes = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            state.put("in" + i, inputs.get(i));
            nodes.add(differentiable[i] ? graph.parameter("in" + i) : graph.state("in" + i));
        }
        graph.apply(kind, attrs, nodes.toArray(new Graph.Node[0]));
        Graph.Node grad = upstream == null ? null : graph.data("upstream");
        List<Graph.Node> grads = Ops.operator(kind).backward(graph, attrs, nodes, grad);
        Map<String, Tensor> data = Map.of("upstream", upstream == null ? Tensor.scalar(0f) : upstream);
        Tensor[] outputs = ProgramRunner.run(graph.specs(), state::get, data::get, par, 1, null, null);
        List<Tensor> result = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            Graph.Node node = differentiable[i] ? grads.get(i) : null;
            result.add(node == null ? null : ProgramRunner.value(node, outputs, state::get, data::get));
        }
        return result;
    }

    /** Σ upstream·output in double (the output itself for a loss). */
    private static double objective(String kind, long[] attrs, List<Tensor> inputs, Tensor upstream) {
        Tensor out = forward(kind, attrs, inputs, Parallelism.single());
        if (upstream == null) {
            return out.data()[0];
        }
        double total = 0;
        for (int i = 0; i < out.size(); i++) {
            total += (double) upstream.data()[i] * out.data()[i];
        }
        return total;
    }

    /**
     * Checks the backward rule against central differences (step h, in double), the bits on one and three
     * threads, and the golden hash of the forward output and gradients under {@code name}. Returns the
     * output.
     */
    static Tensor check(String name, String kind, long[] attrs, List<Tensor> inputs, boolean[] differentiable,
            double h, double tolerance) {
        Tensor out = forward(kind, attrs, inputs, Parallelism.single());
        assertTrue(out.bitEquals(forward(kind, attrs, inputs, THREE)), name + ": forward on 3 threads");
        boolean loss = Ops.operator(kind).isLoss();
        Tensor upstream = loss ? null : random(name.hashCode(), -1f, 1f, out.shape());
        List<Tensor> grads = gradients(kind, attrs, inputs, differentiable, upstream, Parallelism.single());
        List<Tensor> gradsThree = gradients(kind, attrs, inputs, differentiable, upstream, THREE);
        StringBuilder hashes = new StringBuilder(OpsTest.sha256Hex(out.toBytes()));
        for (int i = 0; i < inputs.size(); i++) {
            if (!differentiable[i]) {
                continue;
            }
            Tensor grad = grads.get(i);
            assertTrue(grad.bitEquals(gradsThree.get(i)), name + ": gradient " + i + " on 3 threads");
            assertEquals(java.util.Arrays.toString(inputs.get(i).shape()), java.util.Arrays.toString(grad.shape()),
                    name + ": gradient " + i + " shape");
            hashes.append(' ').append(OpsTest.sha256Hex(grad.toBytes()));
            finiteDifferences(name, kind, attrs, inputs, upstream, i, grad, h, tolerance);
        }
        String golden = GOLDEN.getProperty(name);
        assertEquals(golden, hashes.toString(), name + " golden hashes (forward, then each gradient); pin as\n" + name
                + "=" + hashes);
        return out;
    }

    private static void finiteDifferences(String name, String kind, long[] attrs, List<Tensor> inputs,
            Tensor upstream, int input, Tensor grad, double h, double tolerance) {
        float[] values = inputs.get(input).data().clone();
        for (int e = 0; e < values.length; e++) {
            float saved = values[e];
            values[e] = (float) (saved + h);
            double up = objective(kind, attrs, replace(inputs, input, values), upstream);
            double actualUp = values[e] - (double) saved;
            values[e] = (float) (saved - h);
            double down = objective(kind, attrs, replace(inputs, input, values), upstream);
            double actualDown = saved - (double) values[e];
            values[e] = saved;
            double numeric = (up - down) / (actualUp + actualDown);
            double engine = grad.data()[e];
            assertTrue(Math.abs(engine - numeric) <= tolerance * (1 + Math.abs(numeric)),
                    name + ": d/d input " + input + "[" + e + "] engine " + engine + " vs finite difference " + numeric);
        }
    }

    private static List<Tensor> replace(List<Tensor> inputs, int index, float[] values) {
        List<Tensor> copy = new ArrayList<>(inputs);
        copy.set(index, Tensor.of(inputs.get(index).shape(), values));
        return copy;
    }

    static boolean[] grads(boolean... flags) {
        return flags;
    }

    static long bits(float value) {
        return Float.floatToRawIntBits(value);
    }
}
