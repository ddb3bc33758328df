package io.verigrid.engine;

import java.util.Arrays;
import java.util.List;

/**
 * {@code matmul}, attrs [transA, transB] (0/1): C = op(A)·op(B) where op(X) is X or Xᵀ, op(A) m×k,
 * op(B) k×n, C m×n. The flags let one operator cover the forward pass, aᵀ·g and g·bᵀ.
 *
 * <p>Canonical order: every output element is {@code acc = 0; for p in 0..k−1: acc = fma(a[i,p], b[p,j], acc)},
 * strictly in order of p. The loop runs p outside j with one accumulator per output column, so each
 * column is a lane performing exactly that scalar sequence: vectorising across output columns (any width)
 * gives the same bits. Threads split output rows only.
 */
final class Matmul implements Operator {
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
        Ops.requireRank(kind(), 0, a, 2);
        Ops.requireRank(kind(), 1, b, 2);
        int m = transA ? a.dim(1) : a.dim(0);
        int k = transA ? a.dim(0) : a.dim(1);
        int kb = transB ? b.dim(1) : b.dim(0);
        int n = transB ? b.dim(0) : b.dim(1);
        if (k != kb) {
            throw Ops.bad(kind(), 1, "has shape " + Arrays.toString(b.shape()) + " (transB=" + attrs[1]
                    + ") which does not match input 0 shape " + Arrays.toString(a.shape()) + " (transA=" + attrs[0]
                    + ") in the inner dimension");
        }
        float[] av = a.data();
        float[] bv = b.data();
        float[] out = new float[m * n];
        par.forRange(m, (from, to) -> {
            for (int i = from; i < to; i++) {
                int row = i * n;
                for (int p = 0; p < k; p++) {
                    float aip = transA ? av[p * m + i] : av[i * k + p];
                    if (transB) {
                        for (int j = 0; j < n; j++) {
                            out[row + j] = Math.fma(aip, bv[j * k + p], out[row + j]);
                        }
                    } else {
                        int bRow = p * n;
                        for (int j = 0; j < n; j++) {
                            out[row + j] = Math.fma(aip, bv[bRow + j], out[row + j]);
                        }
                    }
                }
            }
        });
        return Tensor.wrap(new int[] {m, n}, out);
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
