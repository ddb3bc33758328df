package io.verigrid.engine;

import static io.verigrid.engine.OpHarness.bits;
import static io.verigrid.engine.OpHarness.check;
import static io.verigrid.engine.OpHarness.grads;
import static io.verigrid.engine.OpHarness.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every language-model operator: forward and backward against finite differences in double, the same bits
 * on three threads, and golden hashes of the bits (a change to any operator's arithmetic fails here).
 */
class TransformerOpsTest {
    private static final long[] NONE = {};
    private static final double H = 1e-2;
    private static final double TOL = 2e-3;

    @Test
    void broadcastArithmeticSumsBroadcastGradientsBackToEachShape() {
        Tensor a = random(1, -1f, 1f, 2, 3, 4);
        Tensor row = random(2, 0.5f, 2f, 4);
        Tensor column = random(3, 0.5f, 2f, 3, 1);
        check("bcast_add", "bcast_add", NONE, List.of(a, row), grads(true, true), H, TOL);
        check("bcast_sub", "bcast_sub", NONE, List.of(column, a), grads(true, true), H, TOL);
        check("bcast_mul", "bcast_mul", NONE, List.of(a, column), grads(true, true), H, TOL);
        check("bcast_div", "bcast_div", NONE, List.of(a, row), grads(true, true), H, TOL);
        Tensor sum = Ops.execute("bcast_add", NONE, List.of(Tensor.of(new int[] {2, 1}, new float[] {1, 2}),
                Tensor.of(new int[] {3}, new float[] {10, 20, 30})), Parallelism.single());
        assertArrayEquals(new int[] {2, 3}, sum.shape());
        assertArrayEquals(new float[] {11, 21, 31, 12, 22, 32}, sum.data());
    }

    @Test
    void elementwiseFunctionsAndTheirDerivatives() {
        Tensor x = random(4, -3f, 3f, 3, 5);
        for (String kind : List.of("exp", "tanh", "sigmoid", "silu", "gelu", "neg")) {
            check(kind, kind, NONE, List.of(x), grads(true), 1e-3, TOL);
        }
        check("log", "log", NONE, List.of(random(5, 0.5f, 4f, 3, 5)), grads(true), 1e-3, TOL);
    }

    @Test
    void elementwiseFunctionsAreWithinOneUlpOfTheExactFunctionOnADenseSweep() {
        int points = 200_001;
        for (UnaryOps.Function function : UnaryOps.Function.values()) {
            boolean log = function == UnaryOps.Function.LOG;
            float[] x = new float[points];
            for (int i = 0; i < points; i++) {
                x[i] = log ? 1e-3f + 100f * i / (points - 1) : -20f + 40f * i / (points - 1);
            }
            float[] out = Ops.execute(function.kind, NONE, List.of(Tensor.of(new int[] {points}, x)),
                    Parallelism.single()).data();
            for (int i = 0; i < points; i++) {
                double exact = reference(function, x[i]);
                assertTrue(Math.abs(out[i] - exact) <= Math.ulp(out[i]),
                        function.kind + "(" + x[i] + ") = " + out[i] + ", exact " + exact);
            }
        }
    }

    /** The functions in double via java.lang.Math: an independent reference for the sweep. */
    private static double reference(UnaryOps.Function function, double x) {
        return switch (function) {
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case TANH -> Math.tanh(x);
            case SIGMOID -> 1 / (1 + Math.exp(-x));
            case SILU -> x / (1 + Math.exp(-x));
            // x·(1 + tanh u)/2 = x / (1 + e^(−2u)): accurate for negative x, where 1 + tanh u cancels in double.
            case GELU -> x / (1 + Math.exp(-2 * Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
            case NEG -> -x;
        };
    }

    @Test
    void reductionsOverAnAxis() {
        Tensor x = random(6, -2f, 2f, 2, 3, 4);
        check("sum_axis", "sum_axis", new long[] {1, 0}, List.of(x), grads(true), H, TOL);
        check("mean_axis", "mean_axis", new long[] {2, 1}, List.of(x), grads(true), H, TOL);
        check("max_axis", "max_axis", new long[] {0, 0}, List.of(x), grads(true), 1e-3, TOL);
        Tensor sums = Ops.execute("sum_axis", new long[] {0, 1}, List.of(Tensor.of(new int[] {2, 2},
                new float[] {1, 2, 3, 4})), Parallelism.single());
        assertArrayEquals(new int[] {1, 2}, sums.shape());
        assertArrayEquals(new float[] {4, 6}, sums.data());
    }

    @Test
    void softmaxAndLogSoftmaxOverTheLastAxis() {
        Tensor x = random(7, -4f, 4f, 3, 6);
        Tensor soft = check("softmax", "softmax", NONE, List.of(x), grads(true), 1e-3, TOL);
        check("log_softmax", "log_softmax", NONE, List.of(x), grads(true), 1e-3, TOL);
        for (int r = 0; r < 3; r++) {
            double total = 0;
            for (int j = 0; j < 6; j++) {
                total += soft.data()[r * 6 + j];
            }
            assertEquals(1.0, total, 1e-6);
        }
    }

    @Test
    void crossEntropySkipsIgnoredTargets() {
        Tensor logits = random(8, -3f, 3f, 4, 5);
        Tensor targets = Tensor.of(new int[] {4}, new float[] {2, -100, 0, 4});
        Tensor loss = check("cross_entropy", "cross_entropy", new long[] {-100}, List.of(logits, targets),
                grads(true, false), 1e-3, TOL);
        Tensor kept = Ops.execute("cross_entropy", new long[] {-100}, List.of(
                Tensor.of(new int[] {3, 5}, new float[] {
                    logits.data()[0], logits.data()[1], logits.data()[2], logits.data()[3], logits.data()[4],
                    logits.data()[10], logits.data()[11], logits.data()[12], logits.data()[13], logits.data()[14],
                    logits.data()[15], logits.data()[16], logits.data()[17], logits.data()[18], logits.data()[19]}),
                Tensor.of(new int[] {3}, new float[] {2, 0, 4})), Parallelism.single());
        assertEquals(kept.data()[0], loss.data()[0], 1e-6f);
        assertThrows(IllegalArgumentException.class, () -> Ops.execute("cross_entropy", new long[] {-100},
                List.of(logits, Tensor.of(new int[] {4}, new float[] {2, 5, 0, 1})), Parallelism.single()));
    }

    @Test
    void layerNormAndRmsNormWithWeights() {
        Tensor x = random(9, -2f, 2f, 2, 3, 8);
        Tensor w = random(10, 0.5f, 1.5f, 8);
        Tensor b = random(11, -0.5f, 0.5f, 8);
        long[] eps = {bits(1e-5f)};
        check("layer_norm", "layer_norm", eps, List.of(x, w, b), grads(true, true, true), 1e-3, TOL);
        check("rms_norm", "rms_norm", eps, List.of(x, w), grads(true, true), 1e-3, TOL);
    }

    @Test
    void embeddingScatterAddsRepeatedIds() {
        Tensor table = random(12, -1f, 1f, 5, 3);
        Tensor ids = Tensor.of(new int[] {2, 3}, new float[] {1, 4, 1, 0, 1, 3});
        Tensor out = check("embedding", "embedding", new long[] {5}, List.of(table, ids), grads(true, false), H, TOL);
        assertArrayEquals(new int[] {2, 3, 3}, out.shape());
        List<Tensor> g = OpHarness.gradients("embedding", new long[] {5}, List.of(table, ids), grads(true, false),
                Tensor.of(out.shape(), ones(18)), Parallelism.single());
        assertEquals(3f, g.get(0).data()[3], 0f);
        assertEquals(0f, g.get(0).data()[6], 0f);
    }

    @Test
    void rotaryEmbeddingRotatesHalvesAndInvertsExactlyEnough() {
        Tensor x = random(13, -1f, 1f, 6, 8);
        long[] attrs = {2, 2, bits(10000f), 5, 0};
        check("rope", "rope", attrs, List.of(x), grads(true), 1e-3, TOL);
        Tensor rotated = Ops.execute("rope", attrs, List.of(x), Parallelism.single());
        Tensor back = Ops.execute("rope", new long[] {2, 2, bits(10000f), 5, 1}, List.of(rotated), Parallelism.single());
        for (int i = 0; i < x.size(); i++) {
            assertEquals(x.data()[i], back.data()[i], 1e-6f);
        }
        // Position 0 (offset 0, first row) is the identity.
        Tensor first = Ops.execute("rope", new long[] {1, 1, bits(10000f), 0, 0}, List.of(x), Parallelism.single());
        for (int d = 0; d < 8; d++) {
            assertEquals(x.data()[d], first.data()[d], 0f);
        }
    }

    @Test
    void causalAttentionWithGroupedQueryHeads() {
        int batch = 2;
        int t = 4;
        Tensor q = random(14, -1f, 1f, batch * t, 4 * 3);
        Tensor k = random(15, -1f, 1f, batch * t, 2 * 3);
        Tensor v = random(16, -1f, 1f, batch * t, 2 * 3);
        check("causal_attention", "causal_attention", new long[] {batch, 4, 2}, List.of(q, k, v),
                grads(true, true, true), 1e-3, TOL);
        check("causal_attention_mha", "causal_attention", new long[] {1, 2, 2}, List.of(
                random(17, -1f, 1f, 3, 4), random(18, -1f, 1f, 3, 4), random(19, -1f, 1f, 3, 4)),
                grads(true, true, true), 1e-3, TOL);
    }

    @Test
    void causalAttentionMatchesSoftmaxOfMaskedScoresBuiltFromPrimitives() {
        Tensor q = random(20, -1f, 1f, 3, 2);
        Tensor k = random(21, -1f, 1f, 3, 2);
        Tensor v = random(22, -1f, 1f, 3, 2);
        Tensor fused = Ops.execute("causal_attention", new long[] {1, 1, 1}, List.of(q, k, v), Parallelism.single());
        Tensor scores = Ops.execute("matmul", new long[] {0, 1}, List.of(q, k), Parallelism.single());
        Tensor scaled = Ops.execute("bcast_mul", NONE, List.of(scores, Tensor.scalar((float) (1 / Math.sqrt(2)))),
                Parallelism.single());
        Tensor masked = Ops.execute("causal_mask", new long[] {bits(-3.4e38f)}, List.of(scaled), Parallelism.single());
        Tensor p = Ops.execute("softmax", NONE, List.of(masked), Parallelism.single());
        Tensor out = Ops.execute("matmul", new long[] {0, 0}, List.of(p, v), Parallelism.single());
        for (int i = 0; i < out.size(); i++) {
            assertEquals(out.data()[i], fused.data()[i], 1e-6f);
        }
    }

    @Test
    void dropoutIsKeyedBySeedStreamAndIndex() {
        Tensor x = random(23, -1f, 1f, 4, 50);
        long[] attrs = {42, 7, bits(0.25f)};
        Tensor out = check("dropout", "dropout", attrs, List.of(x), grads(true), H, TOL);
        int dropped = 0;
        for (int i = 0; i < out.size(); i++) {
            if (out.data()[i] == 0f) {
                dropped++;
            } else {
                assertEquals(x.data()[i] / 0.75f, out.data()[i], 1e-6f);
            }
        }
        assertTrue(dropped > 30 && dropped < 70, "about a quarter dropped, got " + dropped);
        Tensor otherStream = Ops.execute("dropout", new long[] {42, 8, bits(0.25f)}, List.of(x), Parallelism.single());
        assertTrue(!otherStream.bitEquals(out));
    }

    @Test
    void movementOperators() {
        Tensor x = random(24, -1f, 1f, 2, 3, 4);
        check("reshape", "reshape", Shapes.toAttrs(6, 4), List.of(x), grads(true), H, TOL);
        Tensor permuted = check("permute", "permute", Shapes.toAttrs(2, 0, 1), List.of(x), grads(true), H, TOL);
        assertArrayEquals(new int[] {4, 2, 3}, permuted.shape());
        assertEquals(x.data()[1 * 12 + 2 * 4 + 3], permuted.data()[3 * 6 + 1 * 3 + 2], 0f);
        check("slice", "slice", new long[] {1, 1, 2}, List.of(x), grads(true), H, TOL);
        check("concat", "concat", new long[] {2}, List.of(x, random(25, -1f, 1f, 2, 3, 2)), grads(true, true), H, TOL);
        Tensor scores = random(26, -1f, 1f, 2, 3, 4);
        Tensor masked = check("causal_mask", "causal_mask", new long[] {bits(-1e9f)}, List.of(scores), grads(true),
                H, TOL);
        // t = 3 queries, s = 4 keys: query 0 sees keys 0..1.
        assertEquals(scores.data()[1], masked.data()[1], 0f);
        assertEquals(-1e9f, masked.data()[2], 0f);
        assertThrows(IllegalArgumentException.class,
                () -> Ops.execute("reshape", Shapes.toAttrs(5, 5), List.of(x), Parallelism.single()));
    }

    @Test
    void adamWMatchesItsDefinitionInDouble() {
        Tensor w = random(27, -1f, 1f, 10);
        Tensor g = random(28, -1f, 1f, 10);
        Tensor m0 = random(29, -0.1f, 0.1f, 10);
        Tensor v0 = random(30, 0f, 0.01f, 10);
        Tensor m = Ops.execute("adam_m", new long[] {bits(0.9f)}, List.of(m0, g), Parallelism.single());
        Tensor v = Ops.execute("adam_v", new long[] {bits(0.95f)}, List.of(v0, g), Parallelism.single());
        long[] attrs = {bits(3e-3f), bits(0.9f), bits(0.95f), bits(1e-8f), bits(0.1f), 3};
        Tensor next = Ops.execute("adamw_apply", attrs, List.of(w, m, v), Parallelism.single());
        for (int i = 0; i < 10; i++) {
            double mi = 0.9 * m0.data()[i] + 0.1 * g.data()[i];
            double vi = 0.95 * v0.data()[i] + 0.05 * g.data()[i] * g.data()[i];
            double mHat = mi / (1 - Math.pow(0.9, 3));
            double vHat = vi / (1 - Math.pow(0.95, 3));
            double expected = w.data()[i] * (1 - 3e-3 * 0.1) - 3e-3 * mHat / (Math.sqrt(vHat) + 1e-8);
            assertEquals(expected, next.data()[i], 1e-6);
        }
        String hashes = OpsTest.sha256Hex(m.toBytes()) + " " + OpsTest.sha256Hex(v.toBytes()) + " "
                + OpsTest.sha256Hex(next.toBytes());
        assertEquals(OpHarness.golden("adamw"), hashes, "adamw golden hashes");
    }

    @Test
    void gradientClippingByGlobalNorm() {
        Tensor a = Tensor.of(new int[] {2}, new float[] {3, 0});
        Tensor b = Tensor.of(new int[] {1}, new float[] {4});
        Tensor total = Ops.execute("add", NONE, List.of(
                Ops.execute("sum_squares", NONE, List.of(a), Parallelism.single()),
                Ops.execute("sum_squares", NONE, List.of(b), Parallelism.single())), Parallelism.single());
        assertEquals(25f, total.data()[0], 0f);
        Tensor coefficient = Ops.execute("clip_coefficient", new long[] {bits(1f)}, List.of(total), Parallelism.single());
        assertEquals(0.2f, coefficient.data()[0], 1e-6f);
        Tensor unclipped = Ops.execute("clip_coefficient", new long[] {bits(10f)}, List.of(total), Parallelism.single());
        assertEquals(1f, unclipped.data()[0], 0f);
    }

    @Test
    void learningRateWarmsUpThenDecaysAlongACosine() {
        LearningRate schedule = new LearningRate(1e-3f, 1e-4f, 10, 110);
        assertEquals(1e-4f, schedule.at(1), 1e-9f);
        assertEquals(1e-3f, schedule.at(10), 0f);
        assertEquals(5.5e-4f, schedule.at(60), 1e-9f);
        assertEquals(1e-4f, schedule.at(110), 1e-9f);
        assertThrows(IllegalArgumentException.class, () -> schedule.at(111));
    }

    @Test
    void badInputsNameTheOperatorAndInput() {
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () -> Ops.execute("bcast_add",
                NONE, List.of(Tensor.zeros(2, 3), Tensor.zeros(4)), Parallelism.single()));
        assertTrue(shape.getMessage().contains("bcast_add") && shape.getMessage().contains("input 1"),
                shape.getMessage());
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class, () -> Ops.execute("layer_norm",
                new long[] {bits(1e-5f)}, List.of(Tensor.of(new int[] {1, 2}, new float[] {Float.NaN, 1}),
                        Tensor.zeros(2), Tensor.zeros(2)), Parallelism.single()));
        assertTrue(nan.getMessage().contains("layer_norm: input 0"), nan.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Ops.execute("causal_attention", new long[] {1, 3, 2},
                List.of(Tensor.zeros(2, 6), Tensor.zeros(2, 4), Tensor.zeros(2, 4)), Parallelism.single()));
        assertThrows(IllegalArgumentException.class, () -> Ops.execute("embedding", new long[] {5},
                List.of(Tensor.zeros(5, 2), Tensor.of(new int[] {1}, new float[] {5})), Parallelism.single()));
    }

    private static float[] ones(int n) {
        float[] values = new float[n];
        java.util.Arrays.fill(values, 1f);
        return values;
    }
}
