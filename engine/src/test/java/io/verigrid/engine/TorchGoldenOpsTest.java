package io.verigrid.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each language-model operator's forward output and input gradients against PyTorch 1.13 float32, from
 * {@code golden/torch_ops.json} written by {@code scripts/torch_golden_ops.py}; tolerances per case in the
 * file (|verigrid − torch| ≤ atol + rtol·|torch|).
 */
class TorchGoldenOpsTest {
    static Stream<JsonNode> cases() throws IOException {
        try (InputStream in = TorchGoldenOpsTest.class.getResourceAsStream("/golden/torch_ops.json")) {
            List<JsonNode> cases = new ArrayList<>();
            new ObjectMapper().readTree(in).get("cases").forEach(cases::add);
            return cases.stream();
        }
    }

    private static Tensor tensor(JsonNode node) {
        int[] shape = new int[node.get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = node.get("shape").get(i).intValue();
        }
        float[] data = new float[node.get("data").size()];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) node.get("data").get(i).doubleValue();
        }
        return Tensor.of(shape, data);
    }

    private static void close(String what, Tensor expected, Tensor actual, double rtol, double atol) {
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        for (int i = 0; i < expected.size(); i++) {
            double e = expected.data()[i];
            double a = actual.data()[i];
            assertTrue(Math.abs(a - e) <= atol + rtol * Math.abs(e), what + "[" + i + "]: verigrid " + a + ", torch " + e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPyTorch(JsonNode golden) {
        String name = golden.get("name").textValue();
        String kind = golden.get("kind").textValue();
        long[] attrs = new long[golden.get("attrs").size()];
        for (int i = 0; i < attrs.length; i++) {
            attrs[i] = golden.get("attrs").get(i).longValue();
        }
        List<Tensor> inputs = new ArrayList<>();
        golden.get("inputs").forEach(node -> inputs.add(tensor(node)));
        boolean[] differentiable = new boolean[inputs.size()];
        for (int i = 0; i < differentiable.length; i++) {
            differentiable[i] = golden.get("differentiable").get(i).booleanValue();
        }
        double rtol = golden.get("rtol").doubleValue();
        double atol = golden.get("atol").doubleValue();
        Tensor out = Ops.execute(kind, attrs, inputs, Parallelism.single());
        Tensor expected = tensor(golden.get("output"));
        close(name + " output", expected, expected.rank() == 0 ? Tensor.of(new int[0], out.data()) : out, rtol, atol);
        JsonNode upstream = golden.get("upstream");
        List<Tensor> grads = OpHarness.gradients(kind, attrs, inputs, differentiable,
                upstream.isNull() ? null : tensor(upstream), Parallelism.single());
        for (int i = 0; i < inputs.size(); i++) {
            if (differentiable[i]) {
                close(name + " gradient " + i, tensor(golden.get("grads").get(i)), grads.get(i), rtol, atol);
            }
        }
    }
}
