package io.verigrid.engine;

import java.util.Arrays;
import java.util.List;

/**
 * {@code matmul}, attrs [transA, transB] (0/1): C = op(A)·op(B) where op(X) is X or Xᵀ, op(A) m×k,
 * op(B) k×n, C m×n. The flags let one operator cover the forward pass, aᵀ·g and g·bᵀ.
 *
 * <p>Canonical order: every output element is {@code acc = 0; for p in 0..k−1: acc = fma(a[i,p], b[p,j], acc)},
 * strictly in order of p. With B untransposed the loop runs p outside j with one accumulator per output
 * column, so each column is a lane performing exactly that scalar sequence: vectorising across output
 * columns (any width) gives the same bits. With B transposed each output is a contiguous dot product in
 * the same order. Threads split output tiles only. {@link Gemm} is the fast path with the same order.
 */
final class Matmul implements Operator {
    /**
     * Whether {@link Gemm} may be used: the {@code jdk.incubator.vector} module must be loaded (the launcher
     * and the builds add it), and the JIT must be on — interpreted vector code is far slower than scalar code.
     */
    static final boolean VECTOR_API = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
            && !System.getProperty("java.vm.info", "").contains("interpreted");
    /** Below this many multiply-adds packing and vector setup cost more than they save. */
    private static final long VECTOR_MIN_WORK = 4096;

    @Override
    public String kind() {
        return "matmul";
    }

    @Override
    public int inputCount() {
        return 2;
    }

    @Override
    public int attrCount() {
        return 2;
    }

    @Override
    public Tensor forward(long[] attrs, List<Tensor> inputs, Parallelism par) {
        boolean transA = Ops.flagAttr(kind(), attrs, 0);
        boolean transB = Ops.flagAttr(kind(), attrs, 1);
        Tensor a = inputs.get(0);
        Tensor b = inputs.get(1);
        int[] mkn = dims(a, transA, b, transB);
        float[] out = new float[mkn[0] * mkn[2]];
        multiplyInto(a.data(), transA, b.data(), transB, out, mkn[0], mkn[1], mkn[2], par);
        return Tensor.wrap(new int[] {mkn[0], mkn[2]}, out);
    }

    /** {@code {m, k, n}} of op(A)·op(B), or a clear error naming the input whose shape does not fit. */
    static int[] dims(Tensor a, boolean transA, Tensor b, boolean transB) {
        Ops.requireRank("matmul", 0, a, 2);
        Ops.requireRank("matmul", 1, b, 2);
        int m = transA ? a.dim(1) : a.dim(0);
        int k = transA ? a.dim(0) : a.dim(1);
        int kb = transB ? b.dim(1) : b.dim(0);
        int n = transB ? b.dim(0) : b.dim(1);
        if (k != kb) {
            throw Ops.bad("matmul", 1, "has shape " + Arrays.toString(b.shape()) + " (transB=" + (transB ? 1 : 0)
                    + ") which does not match input 0 shape " + Arrays.toString(a.shape()) + " (transA="
                    + (transA ? 1 : 0) + ") in the inner dimension");
        }
        return new int[] {m, k, n};
    }

    /**
     * Writes op(A)·op(B) into {@code out} (m·n floats, every one overwritten): the vectorised {@link Gemm} when the
     * Vector API is loaded and worth it, otherwise the scalar loops below. Both run the canonical order, so the
     * choice never changes a bit.
     */
    static void multiplyInto(float[] av, boolean transA, float[] bv, boolean transB, float[] out, int m, int k, int n,
            Parallelism par) {
        if (VECTOR_API && (long) m * n * k >= VECTOR_MIN_WORK) {
            Gemm.multiply(av, transA, bv, transB, out, m, k, n, par);
        } else {
            scalar(av, transA, bv, transB, out, m, k, n, par);
        }
    }

    /** The scalar path: tiny products, the interpreter, or a JVM started without the Vector API module. */
    static void scalar(float[] av, boolean transA, float[] bv, boolean transB, float[] out, int m, int k, int n,
            Parallelism par) {
        par.forRange(m, (long) m * n * k, (from, to) -> {
            if (transB) {
                dotRows(av, bv, out, from, to, m, k, n, transA);
            } else {
                axpyRows(av, bv, out, from, to, m, k, n, transA);
            }
        });
    }

    /**
     * B is k×n row-major: for each p, every output column j of a row takes fma(a[i,p], b[p,j], acc[j]) —
     * the lane-per-column shape. Rows go in blocks of four so each loaded row of B serves four output rows
     * (cache reuse); the per-element sequence is unchanged.
     */
    private static void axpyRows(float[] av, float[] bv, float[] out, int from, int to, int m, int k, int n,
            boolean transA) {
        // The sums start from +0 in the output rows themselves (which may hold a reused buffer's old values).
        Arrays.fill(out, from * n, to * n, 0f);
        int i = from;
        for (; i + 4 <= to; i += 4) {
            int r0 = i * n;
            int r1 = r0 + n;
            int r2 = r1 + n;
            int r3 = r2 + n;
            for (int p = 0; p < k; p++) {
                float a0 = element(av, i, p, m, k, transA);
                float a1 = element(av, i + 1, p, m, k, transA);
                float a2 = element(av, i + 2, p, m, k, transA);
                float a3 = element(av, i + 3, p, m, k, transA);
                int bRow = p * n;
                for (int j = 0; j < n; j++) {
                    float bpj = bv[bRow + j];
                    out[r0 + j] = Math.fma(a0, bpj, out[r0 + j]);
                    out[r1 + j] = Math.fma(a1, bpj, out[r1 + j]);
                    out[r2 + j] = Math.fma(a2, bpj, out[r2 + j]);
                    out[r3 + j] = Math.fma(a3, bpj, out[r3 + j]);
                }
            }
        }
        for (; i < to; i++) {
            int row = i * n;
            for (int p = 0; p < k; p++) {
                float aip = element(av, i, p, m, k, transA);
                int bRow = p * n;
                for (int j = 0; j < n; j++) {
                    out[row + j] = Math.fma(aip, bv[bRow + j], out[row + j]);
                }
            }
        }
    }

    /** B is stored n×k (transposed): each output is a dot product over p in order, both operands contiguous. */
    private static void dotRows(float[] av, float[] bv, float[] out, int from, int to, int m, int k, int n,
            boolean transA) {
        for (int i = from; i < to; i++) {
            for (int j = 0; j < n; j++) {
                float acc = 0f;
                int bRow = j * k;
                for (int p = 0; p < k; p++) {
                    acc = Math.fma(element(av, i, p, m, k, transA), bv[bRow + p], acc);
                }
                out[i * n + j] = acc;
            }
        }
    }

    /** op(A)[i, p]: A is m×k, or k×m when transposed. */
    private static float element(float[] av, int i, int p, int m, int k, boolean transA) {
        return transA ? av[p * m + i] : av[i * k + p];
    }

    /**
     * With G = dC: d op(A) = G·op(B)ᵀ and d op(B) = op(A)ᵀ·G; a transposed operand takes the transpose of
     * that, which the flags express without any transpose operator.
     */
    @Override
    public List<Graph.Node> backward(Graph graph, long[] attrs, List<Graph.Node> inputs, Graph.Node grad) {
        long transA = attrs[0];
        long transB = attrs[1];
        Graph.Node a = inputs.get(0);
        Graph.Node b = inputs.get(1);
        Graph.Node gradA = null;
        Graph.Node gradB = null;
        if (a.requiresGrad()) {
            gradA = transA == 0
                    ? graph.apply(kind(), Graph.attrs(0, 1 - transB), grad, b)
                    : graph.apply(kind(), Graph.attrs(transB, 1), b, grad);
        }
        if (b.requiresGrad()) {
            gradB = transB == 0
                    ? graph.apply(kind(), Graph.attrs(1 - transA, 0), a, grad)
                    : graph.apply(kind(), Graph.attrs(1, transA), grad, a);
        }
        return Arrays.asList(gradA, gradB);
    }
}
