package io.verigrid.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The vectorised and split operators give, bit for bit, what the plain scalar loops of their contracts give:
 * sizes with vector tails and several thread chunks, scalar and repeated broadcast operands, −0 and tiny values.
 */
class VectorLoopsTest {
    private static final long[] NONE = {};
    private static final Parallelism THREE = Parallelism.of(3);
    /** Long enough to be split across threads, odd so every vector loop has a tail. */
    private static final int N = (int) Parallelism.PARALLEL_MIN_WORK * 2 + 37;

    @AfterAll
    static void close() {
        THREE.close();
    }

    private static float[] values(long seed, int n) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            int pick = random.nextInt(20);
            out[i] = pick == 0 ? -0f : pick == 1 ? 1e-30f * (float) random.nextDouble() : (float) random.nextGaussian();
        }
        return out;
    }

    private static Tensor run(String kind, long[] attrs, Tensor... inputs) {
        Tensor one = Ops.execute(kind, attrs, List.of(inputs), Parallelism.single());
        Tensor three = Ops.execute(kind, attrs, List.of(inputs), THREE);
        assertArrayEquals(bits(one.data()), bits(three.data()), kind + " differs between 1 and 3 threads");
        return one;
    }

    private static int[] bits(float[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Float.floatToRawIntBits(values[i]);
        }
        return out;
    }

    private static void assertSameBits(float[] expected, Tensor actual, String what) {
        assertArrayEquals(bits(expected), bits(actual.data()), what);
    }

    @Test
    void broadcastArithmeticMatchesTheScalarLoopForScalarRepeatedAndFullOperands() {
        int rows = N / 288;
        float[] x = values(1, rows * 288);
        float[] y = values(2, rows * 288);
        float[] row = values(3, 288);
        Tensor full = Tensor.of(new int[] {rows, 288}, x);
        Tensor other = Tensor.of(new int[] {rows, 288}, y);
        Tensor weight = Tensor.of(new int[] {288}, row);
        Tensor scalar = Tensor.scalar(0.37f);
        float[] product = new float[x.length];
        float[] quotient = new float[x.length];
        float[] difference = new float[x.length];
        float[] sum = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            product[i] = x[i] * 0.37f;
            quotient[i] = row[i % 288] / (y[i] == 0f ? 1f : y[i]);
            difference[i] = x[i] - row[i % 288];
            sum[i] = x[i] + y[i];
        }
        float[] safe = y.clone();
        for (int i = 0; i < safe.length; i++) {
            safe[i] = safe[i] == 0f ? 1f : safe[i];
        }
        assertSameBits(product, run("bcast_mul", NONE, full, scalar), "tensor × scalar");
        assertSameBits(quotient, run("bcast_div", NONE, weight, Tensor.of(other.shape(), safe)), "row ÷ tensor");
        assertSameBits(difference, run("bcast_sub", NONE, full, weight), "tensor − row");
        assertSameBits(sum, run("bcast_add", NONE, full, other), "tensor + tensor");
        assertSameBits(sum, run("add", NONE, full, other), "add");
    }

    @Test
    void sumToLikeIsTheCanonicalSumOfEachColumnAndACopyTurnsNegativeZeroPositive() {
        int rows = 70;
        int n = 1031;
        float[] x = values(4, rows * n);
        Tensor grad = Tensor.of(new int[] {2, rows / 2, n}, x);
        float[] expected = new float[n];
        for (int o = 0; o < n; o++) {
            expected[o] = CanonicalSum.sum(x, o, n, rows);
        }
        assertSameBits(expected, run("sum_to_like", NONE, grad, Tensor.zeros(1, n)), "column sums");
        float[] copy = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            copy[i] = (0f + x[i]) + 0f;
        }
        Tensor same = run("sum_to_like", NONE, grad, grad);
        assertSameBits(copy, same, "equal shapes");
        assertTrue(IntStream.range(0, x.length).anyMatch(i -> Float.floatToRawIntBits(x[i]) == Integer.MIN_VALUE),
                "the data holds −0");
    }

    @Test
    void canonicalSumsKeepTheirSixteenPartialOrder() {
        for (int n : new int[] {1, 15, 16, 63, 64, 65, 1000, N}) {
            float[] x = values(5 + n, n);
            float[] partial = new float[CanonicalSum.PARTIALS];
            float[] squares = new float[CanonicalSum.PARTIALS];
            for (int i = 0; i < n; i++) {
                partial[i % 16] += x[i];
                squares[i % 16] += x[i] * x[i];
            }
            assertEquals(Float.floatToRawIntBits(tree(partial)), Float.floatToRawIntBits(CanonicalSum.sum(x, 0, 1, n)),
                    "sum of " + n);
            assertEquals(Float.floatToRawIntBits(tree(squares)),
                    Float.floatToRawIntBits(run("sum_squares", NONE, Tensor.of(new int[] {n}, x)).data()[0]),
                    "sum of squares of " + n);
        }
    }

    @Test
    void canonicalSumsOfEveryShortLengthOffsetAndStrideMatchTheArrayDefinition() {
        float[] x = values(21, 3000);
        for (int i = 0; i < x.length; i += 7) {
            x[i] = -0f; // a lone −0 in a partial must come out +0, as 0f + −0f does
        }
        for (int n = 0; n <= 130; n++) {
            for (int offset : new int[] {0, 1, 5, 16}) {
                for (int stride : new int[] {1, 3}) {
                    float[] partial = new float[CanonicalSum.PARTIALS];
                    float[] squares = new float[CanonicalSum.PARTIALS];
                    for (int i = 0; i < n; i++) {
                        float value = x[offset + i * stride];
                        partial[i % 16] += value;
                        squares[i % 16] += value * value;
                    }
                    String what = n + " elements from " + offset + " stride " + stride;
                    assertEquals(Float.floatToRawIntBits(tree(partial)),
                            Float.floatToRawIntBits(CanonicalSum.sum(x, offset, stride, n)), "sum of " + what);
                    if (stride == 1) {
                        assertEquals(Float.floatToRawIntBits(tree(squares)),
                                Float.floatToRawIntBits(CanonicalSum.sumOfSquares(x, offset, n)), "squares of " + what);
                    }
                }
            }
        }
        float[] negativeZeros = new float[70];
        java.util.Arrays.fill(negativeZeros, -0f);
        assertEquals(0, Float.floatToRawIntBits(CanonicalSum.sum(negativeZeros, 0, 1, 70)), "−0s sum to +0");
        assertEquals(0, Float.floatToRawIntBits(CanonicalSum.sum(negativeZeros, 0, 1, 5)), "−0s sum to +0");
    }

    private static float tree(float[] partial) {
        float[] p = partial.clone();
        for (int width = 8; width >= 1; width /= 2) {
            for (int k = 0; k < width; k++) {
                p[k] = p[2 * k] + p[2 * k + 1];
            }
        }
        return p[0];
    }

    @Test
    void expSigmoidSiluAndGeluMatchTheirDoubleFormulasIncludingLanesPastTheLaneExpRange() {
        float[] x = values(11, N);
        for (int i = 0; i < x.length; i += 97) {
            x[i] = (i / 97) % 2 == 0 ? 800f : -760f; // lanes the scalar exp recomputes
        }
        x[5] = 0f;
        float[] g = values(12, N);
        for (UnaryOps.Function f : new UnaryOps.Function[] {UnaryOps.Function.SIGMOID, UnaryOps.Function.SILU,
            UnaryOps.Function.GELU}) {
            float[] value = new float[N];
            float[] backward = new float[N];
            for (int i = 0; i < N; i++) {
                value[i] = (float) f.value(x[i]);
                backward[i] = (float) (g[i] * f.derivative(x[i]));
            }
            Tensor in = Tensor.wrap(new int[] {N}, x);
            assertSameBits(value, run(f.kind, NONE, in), f.kind);
            assertSameBits(backward, run(f.kind + "_backward", NONE, Tensor.wrap(new int[] {N}, g), in),
                    f.kind + "_backward");
        }
        float[] moderate = values(13, 1000);
        moderate[100] = -760f;
        float[] expected = new float[moderate.length];
        for (int i = 0; i < moderate.length; i++) {
            expected[i] = (float) StrictMath.exp(moderate[i]);
        }
        assertSameBits(expected, run("exp", NONE, Tensor.wrap(new int[] {moderate.length}, moderate)), "exp");
    }

    @Test
    void crossEntropyAndItsGradientMatchTheRowByRowContract() {
        int m = 37;
        int c = 1003;
        float[] z = values(14, m * c);
        for (int i = 0; i < z.length; i++) {
            z[i] *= 9f;
        }
        float[] targets = new float[m];
        for (int i = 0; i < m; i++) {
            targets[i] = i % 5 == 4 ? -1f : (i * 131) % c;
        }
        float[] rowLoss = new float[m];
        float[] grad = new float[m * c];
        int counted = 0;
        for (int i = 0; i < m; i++) {
            counted += targets[i] >= 0 ? 1 : 0;
        }
        for (int i = 0; i < m; i++) {
            if (targets[i] < 0) {
                continue;
            }
            float max = z[i * c];
            for (int j = 1; j < c; j++) {
                max = Math.max(max, z[i * c + j]);
            }
            float[] e = new float[c];
            for (int j = 0; j < c; j++) {
                e[j] = (float) StrictMath.exp(z[i * c + j] - max);
            }
            float sum = tree(partials(e));
            rowLoss[i] = (float) StrictMath.log(sum) - (z[i * c + (int) targets[i]] - max);
            for (int j = 0; j < c; j++) {
                grad[i * c + j] = (e[j] / sum - (j == (int) targets[i] ? 1f : 0f)) / counted;
            }
        }
        float loss = tree(partials(rowLoss)) / counted;
        Tensor logits = Tensor.wrap(new int[] {m, c}, z);
        Tensor ids = Tensor.wrap(new int[] {m}, targets);
        long[] ignore = {-1};
        assertSameBits(new float[] {loss}, run("cross_entropy", ignore, logits, ids), "cross_entropy");
        assertSameBits(grad, run("cross_entropy_backward", ignore, logits, ids), "cross_entropy_backward");
    }

    private static float[] partials(float[] x) {
        float[] partial = new float[CanonicalSum.PARTIALS];
        for (int i = 0; i < x.length; i++) {
            partial[i % 16] += x[i];
        }
        return partial;
    }

    @Test
    void adamWStepsMatchTheScalarFormulas() {
        float[] m = values(6, N);
        float[] g = values(7, N);
        float[] w = values(8, N);
        float[] v = new float[N];
        for (int i = 0; i < N; i++) {
            v[i] = Math.abs(g[i]) * 0.01f;
        }
        int[] shape = {N};
        float beta1 = 0.9f;
        float beta2 = 0.95f;
        float[] m1 = new float[N];
        float[] v1 = new float[N];
        for (int i = 0; i < N; i++) {
            m1[i] = Math.fma(beta1, m[i], (1f - beta1) * g[i]);
            v1[i] = Math.fma(beta2, v[i], ((1f - beta2) * g[i]) * g[i]);
        }
        assertSameBits(m1, run("adam_m", new long[] {Float.floatToRawIntBits(beta1)}, Tensor.of(shape, m),
                Tensor.of(shape, g)), "adam_m");
        assertSameBits(v1, run("adam_v", new long[] {Float.floatToRawIntBits(beta2)}, Tensor.of(shape, v),
                Tensor.of(shape, g)), "adam_v");
        float lr = 1e-3f;
        float eps = 1e-8f;
        float wd = 0.1f;
        int step = 3;
        float decay = (float) (1.0 - (double) lr * wd);
        float stepSize = (float) (lr / (1.0 - StrictMath.pow(beta1, step)));
        float bc2 = (float) StrictMath.sqrt(1.0 - StrictMath.pow(beta2, step));
        float[] w1 = new float[N];
        for (int i = 0; i < N; i++) {
            w1[i] = Math.fma(-stepSize, m1[i] / ((float) Math.sqrt(v1[i]) / bc2 + eps), w[i] * decay);
        }
        long[] attrs = {Float.floatToRawIntBits(lr), Float.floatToRawIntBits(beta1), Float.floatToRawIntBits(beta2),
            Float.floatToRawIntBits(eps), Float.floatToRawIntBits(wd), step};
        assertSameBits(w1, run("adamw_apply", attrs, Tensor.of(shape, w), Tensor.of(shape, m1), Tensor.of(shape, v1)),
                "adamw_apply");
    }

    @Test
    void attentionAndItsGradientsMatchThePairByPairContract() {
        for (int[] shape : new int[][] {{2, 4, 2, 40, 37, 37}, {1, 3, 1, 19, 20, 45}}) {
            int batch = shape[0];
            int heads = shape[1];
            int kvHeads = shape[2];
            int hd = shape[3];
            int t = shape[4];
            int s = shape[5];
            Tensor q = Tensor.of(new int[] {batch * t, heads * hd}, values(10, batch * t * heads * hd));
            Tensor k = Tensor.of(new int[] {batch * s, kvHeads * hd}, values(11, batch * s * kvHeads * hd));
            Tensor v = Tensor.of(new int[] {batch * s, kvHeads * hd}, values(12, batch * s * kvHeads * hd));
            Tensor grad = Tensor.of(q.shape(), values(13, batch * t * heads * hd));
            long[] attrs = {batch, heads, kvHeads, 0};
            CausalAttention.Geometry g = CausalAttention.geometry(new CausalAttention(), new long[] {batch, heads, kvHeads},
                    q, k, v, 0);
            assertSameBits(referenceAttention(g, q.data(), k.data(), v.data()),
                    run("causal_attention", new long[] {batch, heads, kvHeads}, q, k, v), "attention");
            for (int which = 0; which < 3; which++) {
                attrs[3] = which;
                assertSameBits(referenceGradient(g, q.data(), k.data(), v.data(), grad.data(), which),
                        run("causal_attention_backward", attrs, grad, q, k, v), "attention gradient " + which);
            }
        }
    }

    /** The forward contract of {@link CausalAttention}: each output the chain Σ_j fma(p_j, v_jd) in j order. */
    private static float[] referenceAttention(CausalAttention.Geometry g, float[] q, float[] k, float[] v) {
        float[] out = new float[q.length];
        for (int b = 0; b < g.batch(); b++) {
            for (int i = 0; i < g.t(); i++) {
                for (int h = 0; h < g.heads(); h++) {
                    float[] p = new float[g.visible(i)];
                    CausalAttention.probabilities(p, p.length, scores(g, q, k, b, i, h, p));
                    for (int d = 0; d < g.headDim(); d++) {
                        float acc = 0f;
                        for (int j = 0; j < p.length; j++) {
                            acc = Math.fma(p[j], v[g.kvIndex(b, j, h / g.group()) + d], acc);
                        }
                        out[g.qIndex(b, i, h) + d] = acc;
                    }
                }
            }
        }
        return out;
    }

    /** Scaled scores of query (b, i, h) against its visible keys, one scalar chain each; returns their max. */
    private static float scores(CausalAttention.Geometry g, float[] q, float[] k, int b, int i, int h, float[] out) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < g.visible(i); j++) {
            out[j] = dot(q, g.qIndex(b, i, h), k, g.kvIndex(b, j, h / g.group()), g.headDim()) * g.scale();
            max = Math.max(max, out[j]);
        }
        return max;
    }

    private static float dot(float[] a, int aBase, float[] b, int bBase, int n) {
        float acc = 0f;
        for (int d = 0; d < n; d++) {
            acc = Math.fma(a[aBase + d], b[bBase + d], acc);
        }
        return acc;
    }

    /** The backward contract of {@link CausalAttention}, one (query, key) pair at a time. */
    private static float[] referenceGradient(CausalAttention.Geometry g, float[] q, float[] k, float[] v, float[] grad,
            int which) {
        int rows = g.batch() * g.t() * g.heads();
        float[][] p = new float[rows][];
        float[][] dS = new float[rows][];
        for (int row = 0; row < rows; row++) {
            int h = row % g.heads();
            int i = (row / g.heads()) % g.t();
            int b = row / (g.heads() * g.t());
            int count = g.visible(i);
            p[row] = new float[count];
            float max = scores(g, q, k, b, i, h, p[row]);
            CausalAttention.probabilities(p[row], count, max);
            float[] dP = new float[count];
            float[] terms = new float[count];
            for (int j = 0; j < count; j++) {
                dP[j] = dot(grad, g.qIndex(b, i, h), v, g.kvIndex(b, j, h / g.group()), g.headDim());
                terms[j] = p[row][j] * dP[j];
            }
            float rowD = CanonicalSum.sum(terms, 0, 1, count);
            dS[row] = new float[count];
            for (int j = 0; j < count; j++) {
                dS[row][j] = p[row][j] * (dP[j] - rowD);
            }
        }
        float[] out = new float[which == 0 ? q.length : k.length];
        for (int b = 0; b < g.batch(); b++) {
            if (which == 0) {
                for (int i = 0; i < g.t(); i++) {
                    for (int h = 0; h < g.heads(); h++) {
                        int row = (b * g.t() + i) * g.heads() + h;
                        for (int d = 0; d < g.headDim(); d++) {
                            float acc = 0f;
                            for (int j = 0; j < g.visible(i); j++) {
                                acc = Math.fma(dS[row][j], k[g.kvIndex(b, j, h / g.group()) + d], acc);
                            }
                            out[g.qIndex(b, i, h) + d] = acc * g.scale();
                        }
                    }
                }
                continue;
            }
            for (int j = 0; j < g.s(); j++) {
                for (int kvh = 0; kvh < g.kvHeads(); kvh++) {
                    for (int d = 0; d < g.headDim(); d++) {
                        float acc = 0f;
                        for (int h = kvh * g.group(); h < (kvh + 1) * g.group(); h++) {
                            for (int i = Math.max(0, j - (g.s() - g.t())); i < g.t(); i++) {
                                int row = (b * g.t() + i) * g.heads() + h;
                                float weight = which == 1 ? dS[row][j] : p[row][j];
                                acc = Math.fma(weight, (which == 1 ? q : grad)[g.qIndex(b, i, h) + d], acc);
                            }
                        }
                        out[g.kvIndex(b, j, kvh) + d] = which == 1 ? acc * g.scale() : acc;
                    }
                }
            }
        }
        return out;
    }
}
