package io.verigrid.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The operator half of {@link DeterminismProbe}: one SHA-256 per registered operator kind over the outputs of
 * every instance of it in a fixed set of small programs, forward and backward. The programs are one training
 * step of the demo MLP, of a tiny GPT and of a tiny Llama (which exercise most kinds in the places models use
 * them), each remaining kind on seeded inputs with its backward rule, and matmuls in all four transposition
 * layouts on shapes that take every path of the {@link Gemm} kernel: K blocks, edge tiles, column- and
 * row-split threads, a B packed once for all threads (outside {@code --small}), the few-row streaming and
 * dot-product paths. Every input is a function of fixed seeds.
 *
 * <p>A kind registered in {@link Ops} that no program reaches makes {@link #digests} throw: a new operator
 * cannot join the operator set without joining the gate.
 */
final class OperatorProbe {
    private static final long[] NONE = {};
    /** (m, k, n): above Matmul's vector threshold, across K blocks of 1 024, edge tiles, few rows, one column. */
    private static final int[][] MATMUL_SHAPES = {
        {37, 300, 45}, {130, 20, 33}, {16, 8, 260}, {3, 290, 70}, {1, 64, 200}, {2, 513, 9}, {9, 600, 1},
        {64, 64, 64}, {20, 1300, 40}};
    /**
     * Outside {@code --small} (too slow for the interpreter): with 14-row tiles, B packed once for all threads on 2
     * or 3 of them and by each thread itself on 1 or 4, through four K blocks.
     */
    private static final int[][] LARGE_MATMUL_SHAPES = {{98, 4096, 64}};

    private OperatorProbe() {
    }

    /** Kind → SHA-256 over (shape, little-endian float32 bytes) of each of its outputs, in {@link Ops#kinds()} order. */
    static Map<String, byte[]> digests(Parallelism par, boolean small) {
        Map<String, MessageDigest> byKind = new LinkedHashMap<>();
        for (String kind : Ops.kinds()) {
            byKind.put(kind, sha256());
        }
        List<OpRecord> records = new ArrayList<>();
        MlpJob mlp = MlpJob.demo();
        records.addAll(MlpTrainer.step(mlp, mlp.dataset(), mlp.initialState(), par, null).trace().ops());
        for (LmJob job : List.of(DeterminismProbe.tinyJob(DeterminismProbe.tinyGpt(), 2),
                DeterminismProbe.tinyJob(DeterminismProbe.tinyLlama(), 2))) {
            records.addAll(LmTrainer.step(job, DeterminismProbe.tinyData(job), job.initialState(), par, null).trace().ops());
        }
        seededCases(records, par, small);
        for (OpRecord record : records) {
            MessageDigest digest = byKind.get(record.spec().kind());
            ByteBuffer shape = ByteBuffer.allocate(4 + 4 * record.output().rank()).order(ByteOrder.LITTLE_ENDIAN);
            shape.putInt(record.output().rank());
            for (int dim : record.output().shape()) {
                shape.putInt(dim);
            }
            digest.update(shape.array());
            digest.update(record.output().toBytes());
        }
        Map<String, byte[]> result = new LinkedHashMap<>();
        for (Map.Entry<String, MessageDigest> entry : byKind.entrySet()) {
            boolean reached = records.stream().anyMatch(r -> r.spec().kind().equals(entry.getKey()));
            if (!reached) {
                throw new IllegalStateException("the determinism probe has no case for operator kind " + entry.getKey());
            }
            result.put(entry.getKey(), entry.getValue().digest());
        }
        return result;
    }

    /** The kinds the three training steps do not reach, and the matmul layouts, each with its backward rule. */
    private static void seededCases(List<OpRecord> records, Parallelism par, boolean small) {
        Tensor a = random(1, -1f, 1f, 2, 3, 4);
        Tensor row = random(2, 0.5f, 2f, 4);
        Tensor column = random(3, 0.5f, 2f, 3, 1);
        run(records, par, "bcast_sub", NONE, List.of(column, a), true, true);
        run(records, par, "bcast_div", NONE, List.of(a, row), true, true);
        Tensor x = random(4, -3f, 3f, 3, 5);
        for (String kind : List.of("exp", "tanh", "sigmoid", "silu", "gelu", "neg")) {
            run(records, par, kind, NONE, List.of(x), true);
        }
        run(records, par, "log", NONE, List.of(random(5, 0.5f, 4f, 3, 5)), true);
        Tensor cube = random(6, -2f, 2f, 2, 3, 4);
        run(records, par, "sum_axis", new long[] {1, 0}, List.of(cube), true);
        run(records, par, "mean_axis", new long[] {2, 1}, List.of(cube), true);
        run(records, par, "max_axis", new long[] {0, 0}, List.of(cube), true);
        Tensor logits = random(7, -4f, 4f, 3, 70);
        run(records, par, "softmax", NONE, List.of(logits), true);
        run(records, par, "log_softmax", NONE, List.of(logits), true);
        run(records, par, "dropout", new long[] {42, 7, Float.floatToRawIntBits(0.25f)},
                List.of(random(23, -1f, 1f, 4, 50)), true);
        run(records, par, "permute", Shapes.toAttrs(2, 0, 1), List.of(cube), true);
        run(records, par, "concat", new long[] {2}, List.of(cube, random(25, -1f, 1f, 2, 3, 2)), true, true);
        run(records, par, "causal_mask", new long[] {Float.floatToRawIntBits(-1e9f)},
                List.of(random(26, -1f, 1f, 2, 3, 4)), true);
        List<int[]> shapes = new ArrayList<>(List.of(MATMUL_SHAPES));
        if (!small) {
            shapes.addAll(List.of(LARGE_MATMUL_SHAPES));
        }
        for (int[] shape : shapes) {
            int m = shape[0];
            int k = shape[1];
            int n = shape[2];
            for (int transA = 0; transA < 2; transA++) {
                for (int transB = 0; transB < 2; transB++) {
                    long seed = 100L * m + 10L * transA + transB;
                    Tensor left = transA == 1 ? random(seed, -1f, 1f, k, m) : random(seed, -1f, 1f, m, k);
                    Tensor right = transB == 1 ? random(seed + 1, -1f, 1f, n, k) : random(seed + 1, -1f, 1f, k, n);
                    run(records, par, "matmul", new long[] {transA, transB}, List.of(left, right), true, true);
                }
            }
        }
    }

    /** Runs {@code kind} and its backward rule under a seeded upstream gradient as one program, recording both. */
    private static void run(List<OpRecord> records, Parallelism par, String kind, long[] attrs, List<Tensor> inputs,
            boolean... differentiable) {
        Graph graph = new Graph();
        Map<String, Tensor> state = new LinkedHashMap<>();
        List<Graph.Node> nodes = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            state.put("in" + i, inputs.get(i));
            nodes.add(differentiable[i] ? graph.parameter("in" + i) : graph.state("in" + i));
        }
        graph.apply(kind, attrs, nodes.toArray(new Graph.Node[0]));
        Tensor output = Ops.execute(kind, attrs, inputs, par);
        Ops.operator(kind).backward(graph, attrs, nodes, graph.data("upstream"));
        Map<String, Tensor> data = Map.of("upstream", random(kind.length() * 31L + inputs.size(), -1f, 1f, output.shape()));
        ProgramRunner.run(graph.specs(), state::get, data::get, par, 1, null, records);
    }

    /** Uniform values in [lo, hi) from the counter RNG. */
    private static Tensor random(long seed, float lo, float hi, int... shape) {
        float[] values = new float[Shapes.size(shape)];
        for (int i = 0; i < values.length; i++) {
            values[i] = lo + (hi - lo) * CounterRng.uniform(seed, 77, i);
        }
        return Tensor.of(shape, values);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
