package io.verigrid.engine;

import java.util.Arrays;
import java.util.List;

/**
 * {@code embedding}, inputs [table v×d, ids (any shape)], attrs [v] → ids.shape + [d]: row ids[i] of the
 * table for every id (ids are integral floats in [0, v)). Pure copying. The attribute repeats the table's
 * row count so that the backward operator, which never sees the table, knows its shape.
 * Backward: the table's gradient is {@code embedding_backward(grad, ids)}, attrs [v]; ids take no gradient.
 */
final class Embedding extends BaseOperator {
    Embedding() {
        super("embedding", 2, 1);
    }

    static int[] ids(BaseOperator op, Tensor ids, int input, int vocab) {
        float[] values = ids.data();
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            float id = values[i];
            if (id != (int) id || id < 0 || id >= vocab) {
                throw op.bad(input, "element " + i + " is not a token id in [0, " + vocab + "): " + id);
            }
            out[i] = (int) id;
        }
        return out;
    }

    @Override
    public Tensor forward(long[] attrs, List<Tensor> inputs, Parallelism par) {
        Tensor table = inputs.get(0);
        Ops.requireRank(kind(), 0, table, 2);
        if (attrs[0] != table.dim(0)) {
            throw bad(0, "has " + table.dim(0) + " rows but attr 0 (vocab) is " + attrs[0]);
        }
        int d = table.dim(1);
        int[] ids = ids(this, inputs.get(1), 1, table.dim(0));
        float[] tv = table.data();
        float[] out = new float[ids.length * d];
        par.forRange(ids.length, (long) ids.length * d, (from, to) -> {
            for (int i = from; i < to; i++) {
                System.arraycopy(tv, ids[i] * d, out, i * d, d);
            }
        });
        int[] idShape = inputs.get(1).shape();
        int[] shape = Arrays.copyOf(idShape, idShape.length + 1);
        shape[idShape.length] = d;
        return Tensor.wrap(shape, out);
    }

    @Override
    public List<Graph.Node> backward(Graph graph, long[] attrs, List<Graph.Node> inputs, Graph.Node grad) {
        return Arrays.asList(graph.apply("embedding_backward", attrs, grad, inputs.get(1)), null);
    }

    /**
     * {@code embedding_backward}, inputs [grad (ids.shape + [d]), ids], attrs [v] → v×d: the scatter-add of
     * grad's rows into the rows their ids name. Canonical order: row v's sum runs over the positions holding
     * id v in increasing position order, one float addition at a time starting from 0. Threads split the
     * vocabulary rows.
     */
    static final class Backward extends BaseOperator {
        Backward() {
            super("embedding_backward", 2, 1);
        }

        @Override
        public Tensor forward(long[] attrs, List<Tensor> inputs, Parallelism par) {
            int vocab = intAttr(attrs, 0, "vocab", 1, Integer.MAX_VALUE);
            Tensor grad = inputs.get(0);
            Tensor idTensor = inputs.get(1);
            int[] ids = ids(this, idTensor, 1, vocab);
            if (grad.rank() != idTensor.rank() + 1
                    || !Arrays.equals(Arrays.copyOf(grad.shape(), idTensor.rank()), idTensor.shape())) {
                throw bad(0, "has shape " + Arrays.toString(grad.shape()) + " but input 1 (ids) has shape "
                        + Arrays.toString(idTensor.shape()) + " (expected ids.shape + [d])");
            }
            int d = grad.dim(grad.rank() - 1);
            // Positions grouped by id, each group in increasing position order (a stable counting sort).
            int[] start = new int[vocab + 1];
            for (int id : ids) {
                start[id + 1]++;
            }
            for (int v = 0; v < vocab; v++) {
                start[v + 1] += start[v];
            }
            int[] fill = Arrays.copyOf(start, vocab);
            int[] positions = new int[ids.length];
            for (int p = 0; p < ids.length; p++) {
                positions[fill[ids[p]]++] = p;
            }
            float[] g = grad.data();
            float[] out = new float[vocab * d];
            par.forRange(vocab, (from, to) -> {
                for (int v = from; v < to; v++) {
                    for (int k = start[v]; k < start[v + 1]; k++) {
                        int p = positions[k];
                        for (int j = 0; j < d; j++) {
                            out[v * d + j] += g[p * d + j];
                        }
                    }
                }
            });
            return Tensor.wrap(new int[] {vocab, d}, out);
        }
    }
}
