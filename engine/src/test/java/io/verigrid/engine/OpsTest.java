package io.verigrid.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Every operator on small hand-checked inputs: its values, the golden SHA-256 of its output bits (any change
 * to an operator's arithmetic must fail here and raise {@link OpSet#VERSION}) and the same bits on 3 threads.
 */
class OpsTest {
    private static final Parallelism THREE = Parallelism.of(3);

    @AfterAll
    static void closePool() {
        THREE.close();
    }

    private static Tensor t(int[] shape, float... data) {
        return Tensor.of(shape, data);
    }

    private static int[] s(int... shape) {
        return shape;
    }

    private static long bits(float value) {
        return Float.floatToRawIntBits(value);
    }

    /** Runs one operator: checks values within {@code tolerance}, the golden hash, and thread invariance. */
    private static void check(String kind, long[] attrs, List<Tensor> inputs, float[] expected, float tolerance,
            String golden) {
        Tensor out = Ops.execute(kind, attrs, inputs, Parallelism.single());
        assertEquals(expected.length, out.size(), kind + " output size");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], out.data()[i], tolerance, kind + " element " + i);
        }
        assertEquals(golden, sha256Hex(out.toBytes()), kind + " golden hash");
        assertTrue(out.bitEquals(Ops.execute(kind, attrs, inputs, THREE)), kind + " on 3 threads");
    }

    static String sha256Hex(byte[] bytes) {
        try {
            return DeterminismProbe.hex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theOperatorSetIsVersionTwoWithItsProtocolKinds() {
        assertEquals(2, OpSet.VERSION, "version 2: GELU through sigmoid(2u)");
        assertTrue(Ops.kinds().containsAll(Set.of("slice_rows", "matmul", "add", "add_bias", "relu", "relu_backward",
                "sum_rows", "softmax_xent", "softmax_xent_backward", "momentum_update", "sgd_apply")), "MLP kinds");
        assertEquals(11 + TransformerOps.operators().size(), Ops.kinds().size(), "MLP kinds plus the language-model kinds");
    }

    @Test
    void sliceRowsWrapsAroundTheRows() {
        check("slice_rows", new long[] {2, 2}, List.of(t(s(3, 2), 1, 2, 3, 4, 5, 6)),
                new float[] {5, 6, 1, 2}, 0, "069937a197e498e7d99b543d8a5e6a47eb517a3cebe0b77d7df58fd097e62572");
        check("slice_rows", new long[] {1, 4}, List.of(t(s(3), 7, 8, 9)), new float[] {8, 9, 7, 8}, 0,
                "daa7e6ef021aa31e433fc28ac360abc75da3df92434d8c34307183224876e43f");
    }

    @Test
    void matmulCoversAllFourTransposeCombinations() {
        Tensor a = t(s(2, 2), 1, 2, 3, 4);
        Tensor b = t(s(2, 2), 5, 6, 7, 8);
        check("matmul", new long[] {0, 0}, List.of(a, b), new float[] {19, 22, 43, 50}, 0,
                "52b8d99475b6e4e8072ba9d54090a02f7ffb4f46b7d29a383883a087414e9fa4");
        check("matmul", new long[] {1, 0}, List.of(a, b), new float[] {26, 30, 38, 44}, 0,
                "1ad8fbdce4d39e8d1a0dfe335354dece1400d4bc7eae2fd8bee9955325f1a29e");
        check("matmul", new long[] {0, 1}, List.of(a, b), new float[] {17, 23, 39, 53}, 0,
                "8baef420eed58dab8f74f886c7b195bf3d9cb276cc4708c870213fdc261d53a3");
        check("matmul", new long[] {1, 1}, List.of(a, b), new float[] {23, 31, 34, 46}, 0,
                "b6890ecccb32e42232f2cf693f05ea1825418f0f0bde974c00b9d8082b45d98f");
    }

    @Test
    void matmulHandlesRectangularShapes() {
        check("matmul", new long[] {0, 0}, List.of(t(s(2, 3), 1, 2, 3, 4, 5, 6), t(s(3, 1), 0.5f, -1, 2)),
                new float[] {4.5f, 9}, 0, "5d02f50cd1caa059001970bdbcf9644e988ed460c232637682146068416b5cab");
    }

    @Test
    void matmulAccumulatesInOrderWithFusedMultiplyAdd() {
        // −1 + 0.1f·10f is 0 if the product were rounded first; one FMA per term keeps the exact product.
        check("matmul", new long[] {0, 0}, List.of(t(s(1, 2), -1f, 0.1f), t(s(2, 1), 1f, 10f)),
                new float[] {1.4901161E-8f}, 0, "fe64b95bb3582000fb205fb8a82a012ade27aa1f8573ca2ee25e172bac47ff57");
    }

    @Test
    void addAddBiasAndReluComputeElementwise() {
        check("add", new long[0], List.of(t(s(2), 1, 2), t(s(2), 0.5f, -3)), new float[] {1.5f, -1}, 0,
                "1d448a65179245cdf391f59119ff40da20184f72bf4885bd9be09f3b63cd09fe");
        check("add_bias", new long[0], List.of(t(s(2, 2), 1, 2, 3, 4), t(s(2), 10, 20)),
                new float[] {11, 22, 13, 24}, 0, "b207767be0ae36781628acd3459cec3b3da3f9e126c0c43ff891bdfe36b5071a");
        check("relu", new long[0], List.of(t(s(4), -1, 0, 2, -0f)), new float[] {0, 0, 2, 0}, 0,
                "94a50d691eb71f62133d2cec179f18c8054b1c52ba62e8aae2cd1352b5a32f94");
        check("relu_backward", new long[0], List.of(t(s(3), 1, 2, 3), t(s(3), -1, 0, 5)), new float[] {0, 0, 3},
                0, "b7a8754e79cbe76b4773d705c65f9912d1e762e1742dbb3b32946c7847930956");
    }

    @Test
    void reluTurnsNegativeZeroIntoPositiveZero() {
        Tensor out = Ops.execute("relu", new long[0], List.of(t(s(1), -0f)), Parallelism.single());
        assertEquals(0, Float.floatToRawIntBits(out.data()[0]));
    }

    @Test
    void sumRowsAddsEachColumn() {
        check("sum_rows", new long[0], List.of(t(s(3, 2), 1, 2, 3, 4, 5, 6)), new float[] {9, 12}, 0,
                "cc66d9f729aebbcb04ece0b30eba79a9fc21b8b952f1a4b4e6051541a0fcff6c");
    }

    @Test
    void sumRowsUsesSixteenInterleavedPartialsAndAPairwiseTree() {
        // 2^24 then sixteen ones: a left-to-right sum stays at 2^24 (each +1 rounds away); the canonical
        // split keeps fifteen ones apart from 2^24 and loses only the two that share its partial.
        float[] column = new float[17];
        column[0] = 16777216f;
        java.util.Arrays.fill(column, 1, 17, 1f);
        check("sum_rows", new long[0], List.of(t(s(17, 1), column)), new float[] {16777230f}, 0,
                "aa86efdc0279b29b31eeaf96e88eb8f6bccf70fe96702242a7f45a8ae0e8322a");
    }

    @Test
    void softmaxCrossEntropyIsTheMeanRowLoss() {
        double row2 = StrictMath.log(StrictMath.exp(-2) + StrictMath.exp(-1) + 1);
        check("softmax_xent", new long[0], List.of(t(s(2, 3), 0, 0, 0, 1, 2, 3), t(s(2), 1, 2)),
                new float[] {(float) ((StrictMath.log(3) + row2) / 2)}, 1e-6f,
                "7f6466324954431330634b3b158f05a03f1292145b38708239f6f26ee6829a09");
    }

    @Test
    void softmaxCrossEntropyBackwardIsSoftmaxMinusOneHotOverRows() {
        check("softmax_xent_backward", new long[0], List.of(t(s(2, 2), 0, 0, 0, 0), t(s(2), 0, 1)),
                new float[] {-0.25f, 0.25f, 0.25f, -0.25f}, 0,
                "86e6393b2600578060ad5eddb07ce3218866a31dec6647998ab7139481ec69a2");
        double e1 = StrictMath.exp(-1);
        check("softmax_xent_backward", new long[0], List.of(t(s(1, 2), 1, 2), t(s(1), 1)),
                new float[] {(float) (e1 / (1 + e1)), (float) (1 / (1 + e1) - 1)}, 1e-7f,
                "01df40c691be6a5d2cd9fb0843108c6de014d1af8263314a1cc3e0f637cc110f");
    }

    @Test
    void momentumUpdateAndSgdApplyUseOneRoundingEach() {
        check("momentum_update", new long[] {bits(0.9f)}, List.of(t(s(2), 1, 2), t(s(2), 0.5f, -1)),
                new float[] {Math.fma(0.9f, 1f, 0.5f), Math.fma(0.9f, 2f, -1f)}, 0,
                "3d8f6aef98c67428254cf77879dd28b67f6478d34c97faa0ead5aa9941eedf13");
        check("sgd_apply", new long[] {bits(0.5f)}, List.of(t(s(2), 1, 2), t(s(2), 2, -5)),
                new float[] {0, 4.5f}, 0, "4c85a80f52a87b11ab9c9a5194576df8f10e448a91c73e73684a9cdbd960703c");
    }

    @Test
    void matmulEqualsTheCanonicalScalarLoopForEveryTransposeAndBlockRemainder() {
        int m = 7;
        int k = 5;
        int n = 6;
        for (int transA = 0; transA <= 1; transA++) {
            for (int transB = 0; transB <= 1; transB++) {
                Tensor a = transA == 1 ? random(6, k, m) : random(6, m, k);
                Tensor b = transB == 1 ? random(7, n, k) : random(7, k, n);
                Tensor out = Ops.execute("matmul", new long[] {transA, transB}, List.of(a, b), Parallelism.single());
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        float acc = 0f;
                        for (int p = 0; p < k; p++) {
                            float aip = transA == 1 ? a.data()[p * m + i] : a.data()[i * k + p];
                            float bpj = transB == 1 ? b.data()[j * k + p] : b.data()[p * n + j];
                            acc = Math.fma(aip, bpj, acc);
                        }
                        assertEquals(Float.floatToRawIntBits(acc), Float.floatToRawIntBits(out.data()[i * n + j]),
                                "transA " + transA + " transB " + transB + " at " + i + "," + j);
                    }
                }
            }
        }
    }

    @Test
    void matmulIntoOverwritesAReusedBufferWithExecutesBits() {
        // 3×5·5×4 runs the scalar loops, the others the vector kernel (with ragged edges and several K blocks).
        int[][] shapes = {{3, 5, 4}, {37, 29, 23}, {70, 300, 45}};
        for (int[] mkn : shapes) {
            Tensor a = random(8, mkn[0], mkn[1]);
            Tensor b = random(9, mkn[1], mkn[2]);
            Tensor expected = Ops.execute("matmul", new long[] {0, 0}, List.of(a, b), Parallelism.single());
            float[] out = new float[mkn[0] * mkn[2]];
            for (Parallelism par : List.of(Parallelism.single(), THREE)) {
                java.util.Arrays.fill(out, Float.NaN);
                Ops.matmulInto(a, b, out, par);
                assertTrue(expected.bitEquals(Tensor.of(s(mkn[0], mkn[2]), out)),
                        java.util.Arrays.toString(mkn) + " on " + par.threads() + " threads");
            }
        }
    }

    @Test
    void matmulIntoRejectsABadOutputOrInputAndLeavesTheBufferAlone() {
        Tensor a = random(10, 4, 3);
        Tensor b = random(11, 3, 5);
        float[] out = new float[20];
        java.util.Arrays.fill(out, 7f);
        assertMessage("the output must hold 4×5 = 20 floats, got 19",
                () -> Ops.matmulInto(a, b, new float[19], Parallelism.single()));
        assertMessage("got null", () -> Ops.matmulInto(a, b, null, Parallelism.single()));
        assertMessage("must not be an input's array", () -> Ops.matmulInto(a, Tensor.zeros(3, 3), a.data(),
                Parallelism.single()));
        assertMessage("matmul: input 1 has shape [4, 5]", () -> Ops.matmulInto(a, random(12, 4, 5), out,
                Parallelism.single()));
        assertMessage("matmul: input 0 element 2 is not finite", () -> Ops.matmulInto(
                t(s(1, 3), 1, 2, Float.NaN), Tensor.zeros(3, 5), new float[5], Parallelism.single()));
        assertMessage("parallelism must not be null", () -> Ops.matmulInto(a, b, out, null));
        for (float value : out) {
            assertEquals(7f, value);
        }
    }

    @Test
    void largerRandomInputsGiveTheSameBitsOnOneTwoAndFourThreads() {
        Tensor a = random(1, 37, 29);
        Tensor b = random(2, 29, 23);
        Tensor labels = Tensor.of(s(37), labels(37, 29));
        List<Object[]> cases = List.of(
                new Object[] {"matmul", new long[] {0, 0}, List.of(a, b)},
                new Object[] {"matmul", new long[] {1, 0}, List.of(a, random(3, 37, 11))},
                new Object[] {"matmul", new long[] {0, 1}, List.of(a, random(4, 13, 29))},
                new Object[] {"sum_rows", new long[0], List.of(a)},
                new Object[] {"softmax_xent", new long[0], List.of(a, labels)},
                new Object[] {"softmax_xent_backward", new long[0], List.of(a, labels)},
                new Object[] {"relu", new long[0], List.of(a)});
        try (Parallelism two = Parallelism.of(2); Parallelism four = Parallelism.of(4)) {
            for (Object[] c : cases) {
                String kind = (String) c[0];
                long[] attrs = (long[]) c[1];
                @SuppressWarnings("unchecked")
                List<Tensor> inputs = (List<Tensor>) c[2];
                Tensor one = Ops.execute(kind, attrs, inputs, Parallelism.single());
                assertTrue(one.bitEquals(Ops.execute(kind, attrs, inputs, two)), kind + " on 2 threads");
                assertTrue(one.bitEquals(Ops.execute(kind, attrs, inputs, four)), kind + " on 4 threads");
            }
        }
    }

    private static Tensor random(long stream, int rows, int cols) {
        float[] values = new float[rows * cols];
        for (int i = 0; i < values.length; i++) {
            values[i] = 4f * CounterRng.uniform(99, stream, i) - 2f;
        }
        return Tensor.of(s(rows, cols), values);
    }

    private static float[] labels(int rows, int classes) {
        float[] values = new float[rows];
        for (int i = 0; i < rows; i++) {
            values[i] = CounterRng.below(99, 5, i, classes);
        }
        return values;
    }

    @Test
    void anUnknownKindIsRejectedByName() {
        assertMessage("transpose", () -> Ops.execute("transpose", new long[0], List.of(Tensor.zeros(1)),
                Parallelism.single()));
    }

    @Test
    void aWrongInputOrAttributeCountIsRejected() {
        assertMessage("add: expected 2 inputs", () -> Ops.execute("add", new long[0], List.of(Tensor.zeros(1)),
                Parallelism.single()));
        assertMessage("matmul: expected 2 attrs", () -> Ops.execute("matmul", new long[0],
                List.of(Tensor.zeros(1, 1), Tensor.zeros(1, 1)), Parallelism.single()));
    }

    @Test
    void aShapeMismatchNamesTheKindAndTheInput() {
        assertMessage("matmul: input 1", () -> Ops.execute("matmul", new long[] {0, 0},
                List.of(Tensor.zeros(2, 3), Tensor.zeros(2, 3)), Parallelism.single()));
        assertMessage("add: input 1", () -> Ops.execute("add", new long[0],
                List.of(Tensor.zeros(2), Tensor.zeros(3)), Parallelism.single()));
        assertMessage("add_bias: input 1", () -> Ops.execute("add_bias", new long[0],
                List.of(Tensor.zeros(2, 3), Tensor.zeros(2)), Parallelism.single()));
        assertMessage("sum_rows: input 0", () -> Ops.execute("sum_rows", new long[0],
                List.of(Tensor.zeros(3)), Parallelism.single()));
    }

    @Test
    void aNonFiniteInputNamesTheKindAndTheInput() {
        assertMessage("relu: input 0 element 1", () -> Ops.execute("relu", new long[0],
                List.of(t(s(2), 1, Float.NaN)), Parallelism.single()));
        assertMessage("add: input 1", () -> Ops.execute("add", new long[0],
                List.of(t(s(1), 1), t(s(1), Float.POSITIVE_INFINITY)), Parallelism.single()));
    }

    @Test
    void badLabelsAndAttributesAreRejected() {
        assertMessage("softmax_xent: input 1", () -> Ops.execute("softmax_xent", new long[0],
                List.of(Tensor.zeros(1, 2), t(s(1), 2)), Parallelism.single()));
        assertMessage("softmax_xent: input 1", () -> Ops.execute("softmax_xent", new long[0],
                List.of(Tensor.zeros(1, 2), t(s(1), 0.5f)), Parallelism.single()));
        assertMessage("matmul: attr 0", () -> Ops.execute("matmul", new long[] {2, 0},
                List.of(Tensor.zeros(1, 1), Tensor.zeros(1, 1)), Parallelism.single()));
        assertMessage("sgd_apply: attr 0", () -> Ops.execute("sgd_apply", new long[] {bits(Float.NaN)},
                List.of(Tensor.zeros(1), Tensor.zeros(1)), Parallelism.single()));
        assertMessage("slice_rows: attr 0", () -> Ops.execute("slice_rows", new long[] {3, 1},
                List.of(Tensor.zeros(3)), Parallelism.single()));
    }

    private static void assertMessage(String fragment, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().contains(fragment), "message should contain '" + fragment + "': " + e.getMessage());
    }
}
