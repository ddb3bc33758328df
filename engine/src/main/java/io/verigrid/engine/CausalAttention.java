package io.verigrid.engine;

import java.util.Arrays;
import java.util.List;

/**
 * {@code causal_attention}: fused causal scaled-dot-product attention with grouped-query heads.
 * Inputs q (batch·t, heads·hd), k and v (batch·s, kvHeads·hd), rows batch-major; attrs
 * [batch, heads, kvHeads]; kvHeads divides heads and query head h reads key/value head
 * h / (heads / kvHeads). The t queries are the last t of the s positions (s − t cached before them, so
 * a KV-cache decode step is t = 1): query i sees keys 0 … (s − t + i). Output (batch·t, heads·hd).
 *
 * <p>Canonical order, per (batch, query i, head h), computed whole by one thread: scale = (float)
 * (1/√hd); score_j = (Σ_d fma in d order of q·k) · scale for the visible keys j; max exact; e_j = (float)
 * StrictMath.exp(score_j − max); sum = {@link CanonicalSum} over the visible j; p_j = e_j / sum; out_d =
 * Σ_j fma(p_j, v_jd, acc) in j order. Masked keys are skipped, never summed, so a row's bits depend only
 * on the keys it sees: an incremental decode reproduces the full forward's last row exactly.
 *
 * <p>Backward: {@code causal_attention_backward}, inputs [grad, q, k, v], attrs [batch, heads, kvHeads,
 * which (0 = dq, 1 = dk, 2 = dv)]. With dP_j = Σ_d fma(g_d, v_jd) in d order, D = {@link CanonicalSum}
 * of p_j·dP_j over visible j, dS_j = p_j·(dP_j − D): dq_d = (Σ_j fma(dS_j, k_jd) in j order) · scale;
 * dk_jd = (Σ fma(dS_j, q_d) over the heads of the group in order, then queries in order) · scale;
 * dv_jd = Σ fma(p_j, g_d) in the same (head, query) order. Row statistics (max, sum, D) are computed once
 * per row, then every output element is computed whole by one thread.
 */
final class CausalAttention extends BaseOperator {
    CausalAttention() {
        super("causal_attention", 3, 3);
    }

    /** The validated geometry of one call. */
    record Geometry(int batch, int heads, int kvHeads, int t, int s, int headDim, float scale) {
        int group() {
            return heads / kvHeads;
        }

        /** Keys visible to query i: 0 … s − t + i. */
        int visible(int i) {
            return s - t + i + 1;
        }

        int qIndex(int b, int i, int h) {
            return ((b * t + i) * heads + h) * headDim;
        }

        int kvIndex(int b, int j, int kvh) {
            return ((b * s + j) * kvHeads + kvh) * headDim;
        }

        /** kvIndex(b, j + 1, kvh) − kvIndex(b, j, kvh). */
        int kvStride() {
            return kvHeads * headDim;
        }

        /** qIndex(b, i + 1, h) − qIndex(b, i, h). */
        int qStride() {
            return heads * headDim;
        }
    }

    static Geometry geometry(BaseOperator op, long[] attrs, Tensor q, Tensor k, Tensor v, int firstInput) {
        int batch = op.intAttr(attrs, 0, "batch", 1, Integer.MAX_VALUE);
        int heads = op.intAttr(attrs, 1, "heads", 1, Integer.MAX_VALUE);
        int kvHeads = op.intAttr(attrs, 2, "kvHeads", 1, heads);
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException(op.kind() + ": attr 2 (kvHeads) " + kvHeads + " must divide heads "
                    + heads);
        }
        Ops.requireRank(op.kind(), firstInput, q, 2);
        Ops.requireRank(op.kind(), firstInput + 1, k, 2);
        Ops.requireRank(op.kind(), firstInput + 2, v, 2);
        if (q.dim(0) % batch != 0 || q.dim(1) % heads != 0 || q.dim(1) == 0) {
            throw op.bad(firstInput, "has shape " + Arrays.toString(q.shape()) + ", not (batch·t, heads·hd) for batch "
                    + batch + " and heads " + heads);
        }
        int headDim = q.dim(1) / heads;
        if (k.dim(1) != kvHeads * headDim || k.dim(0) % batch != 0) {
            throw op.bad(firstInput + 1, "has shape " + Arrays.toString(k.shape()) + ", expected (batch·s, "
                    + kvHeads * headDim + ")");
        }
        if (!Arrays.equals(k.shape(), v.shape())) {
            throw op.bad(firstInput + 2, "has shape " + Arrays.toString(v.shape()) + " but the keys have "
                    + Arrays.toString(k.shape()));
        }
        int t = q.dim(0) / batch;
        int s = k.dim(0) / batch;
        if (t > s) {
            throw op.bad(firstInput, "has " + t + " queries per sequence but only " + s + " keys");
        }
        return new Geometry(batch, heads, kvHeads, t, s, headDim, (float) (1.0 / StrictMath.sqrt(headDim)));
    }

    /** Turns the scores of one row into probabilities in place; returns the denominator. */
    static float probabilities(float[] row, int count, float max) {
        ElementLoops.expShifted(row, 0, max, row, 0, count);
        float sum = CanonicalSum.sum(row, 0, 1, count);
        ElementLoops.divideTwice(row, sum, 1f, row, 0, count);
        return sum;
    }

    @Override
    public Tensor forward(long[] attrs, List<Tensor> inputs, Parallelism par) {
        float[] q = inputs.get(0).data();
        float[] k = inputs.get(1).data();
        float[] v = inputs.get(2).data();
        Geometry g = geometry(this, attrs, inputs.get(0), inputs.get(1), inputs.get(2), 0);
        float[] out = new float[q.length];
        // Threads split the (batch, head) pairs; each loads its key/value head once for all its queries.
        par.forRange(g.batch() * g.heads(), 4L * q.length * g.s(), (from, to) -> {
            Rows rows = new Rows(g, q, k, v, null);
            float[] p = new float[g.s()];
            float[] acc = new float[g.headDim()];
            for (int unit = from; unit < to; unit++) {
                int b = unit / g.heads();
                int h = unit % g.heads();
                int kvh = h / g.group();
                rows.load(b, kvh);
                for (int i = 0; i < g.t(); i++) {
                    int count = rows.probabilities(i, h, p, 0);
                    Arrays.fill(acc, 0f);
                    ElementLoops.accumulateRows(p, 0, 1, count, v, g.kvIndex(b, 0, kvh), g.kvStride(), acc, g.headDim());
                    System.arraycopy(acc, 0, out, g.qIndex(b, i, h), g.headDim());
                }
            }
        });
        return Tensor.wrap(inputs.get(0).shape(), out);
    }

    /** n rounded up to a multiple of 16, the most float lanes of any vector shape. */
    private static int padded(int n) {
        return (n + 15) & ~15;
    }

    /**
     * One thread's scratch for one (batch, key/value head): its keys (and, for the backward, values) transposed
     * (hd × s, rows padded with zero columns to a multiple of 16), so a query's dot products with every key run
     * side by side, each still the in-order fma chain over d. The padding lets every row run whole vectors
     * (lanes past the visible keys compute products with zero columns, which nothing reads).
     */
    private static final class Rows {
        private final Geometry g;
        private final int stride;
        private final float[] q;
        private final float[] k;
        private final float[] v;
        private final float[] grad;
        private final float[] keysT;
        private final float[] valuesT;
        private final float[] dP;
        private final float[] terms;
        private int b;

        /** {@code grad} null: only probabilities are wanted (the forward, dv), so the values are not transposed. */
        Rows(Geometry g, float[] q, float[] k, float[] v, float[] grad) {
            this.g = g;
            this.q = q;
            this.k = k;
            this.v = v;
            this.grad = grad;
            // One spare line per row: a row length of a power of two (s = 512 → 2 KiB) would put every row of
            // the transposed block in the same few L1 sets (measured 2.6× slower at s = 512).
            this.stride = padded(g.s()) + 16;
            this.keysT = new float[g.headDim() * stride];
            this.valuesT = grad == null ? null : new float[g.headDim() * stride];
            this.dP = new float[stride];
            this.terms = new float[stride];
        }

        void load(int batch, int kvh) {
            b = batch;
            transpose(k, kvh, keysT);
            if (valuesT != null) {
                transpose(v, kvh, valuesT);
            }
        }

        /** The s rows of head kvh of x into the columns of {@code into}. */
        private void transpose(float[] x, int kvh, float[] into) {
            for (int j = 0; j < g.s(); j++) {
                int base = g.kvIndex(b, j, kvh);
                for (int d = 0; d < g.headDim(); d++) {
                    into[d * stride + j] = x[base + d];
                }
            }
        }

        /**
         * p_j of query (b, i, h) for its visible keys into p from {@code at}: scores (Σ_d fma in d order, then
         * · scale), their max, exp, the canonical denominator. Returns the count of visible keys.
         */
        int probabilities(int i, int h, float[] p, int at) {
            int count = g.visible(i);
            ElementLoops.dotsAcross(q, g.qIndex(b, i, h), keysT, stride, g.headDim(), padded(count), terms);
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < count; j++) {
                terms[j] = terms[j] * g.scale();
                max = Math.max(max, terms[j]);
            }
            CausalAttention.probabilities(terms, count, max);
            System.arraycopy(terms, 0, p, at, count);
            return count;
        }

        /** p_j and dS_j of query (b, i, h) into p and dS from {@code at}, as the backward's row pass computes them. */
        void row(int i, int h, float[] p, float[] dS, int at) {
            int count = probabilities(i, h, p, at);
            ElementLoops.dotsAcross(grad, g.qIndex(b, i, h), valuesT, stride, g.headDim(), padded(count), dP);
            for (int j = 0; j < count; j++) {
                terms[j] = p[at + j] * dP[j];
            }
            float rowD = CanonicalSum.sum(terms, 0, 1, count);
            for (int j = 0; j < count; j++) {
                dS[at + j] = p[at + j] * (dP[j] - rowD);
            }
        }
    }

    @Override
    public List<Graph.Node> backward(Graph graph, long[] attrs, List<Graph.Node> inputs, Graph.Node grad) {
        Graph.Node[] grads = new Graph.Node[3];
        for (int which = 0; which < 3; which++) {
            if (inputs.get(which).requiresGrad()) {
                grads[which] = graph.apply("causal_attention_backward", Graph.attrs(attrs[0], attrs[1], attrs[2], which),
                        grad, inputs.get(0), inputs.get(1), inputs.get(2));
            }
        }
        return Arrays.asList(grads);
    }

    static final class Backward extends BaseOperator {
        Backward() {
            super("causal_attention_backward", 4, 4);
        }

        @Override
        public Tensor forward(long[] attrs, List<Tensor> inputs, Parallelism par) {
            float[] grad = inputs.get(0).data();
            float[] q = inputs.get(1).data();
            float[] k = inputs.get(2).data();
            float[] v = inputs.get(3).data();
            Geometry g = geometry(this, attrs, inputs.get(1), inputs.get(2), inputs.get(3), 1);
            int which = intAttr(attrs, 3, "which", 0, 2);
            if (!Arrays.equals(inputs.get(0).shape(), inputs.get(1).shape())) {
                throw bad(0, "has shape " + Arrays.toString(inputs.get(0).shape()) + " but the queries have "
                        + Arrays.toString(inputs.get(1).shape()));
            }
            if (which == 0) {
                return queryGradient(g, q, k, v, grad, par, inputs.get(1).shape());
            }
            return keyValueGradient(g, q, k, v, grad, par, which == 1, inputs.get(2).shape());
        }

        /** dq: threads split the (batch, head) pairs; each query row is computed whole. */
        private static Tensor queryGradient(Geometry g, float[] q, float[] k, float[] v, float[] grad, Parallelism par,
                int[] shape) {
            float[] out = new float[Shapes.size(shape)];
            par.forRange(g.batch() * g.heads(), (from, to) -> {
                Rows rows = new Rows(g, q, k, v, grad);
                float[] p = new float[g.s()];
                float[] dS = new float[g.s()];
                float[] acc = new float[g.headDim()];
                for (int unit = from; unit < to; unit++) {
                    int b = unit / g.heads();
                    int h = unit % g.heads();
                    int kvh = h / g.group();
                    rows.load(b, kvh);
                    for (int i = 0; i < g.t(); i++) {
                        rows.row(i, h, p, dS, 0);
                        Arrays.fill(acc, 0f);
                        ElementLoops.accumulateRows(dS, 0, 1, g.visible(i), k, g.kvIndex(b, 0, kvh), g.kvStride(), acc,
                                g.headDim());
                        int base = g.qIndex(b, i, h);
                        for (int d = 0; d < g.headDim(); d++) {
                            out[base + d] = acc[d] * g.scale();
                        }
                    }
                }
            });
            return Tensor.wrap(shape, out);
        }

        /**
         * dk or dv: threads split the (batch, key/value head) pairs; p (for dk also dS) of the group's query rows
         * is computed once into (head, query, key) tables, then each key's row is summed over heads, then queries.
         */
        private static Tensor keyValueGradient(Geometry g, float[] q, float[] k, float[] v, float[] grad,
                Parallelism par, boolean keys, int[] shape) {
            float[] out = new float[Shapes.size(shape)];
            par.forRange(g.batch() * g.kvHeads(), (from, to) -> {
                Rows rows = new Rows(g, q, k, v, keys ? grad : null);
                float[] p = new float[g.group() * g.t() * g.s()];
                float[] dS = keys ? new float[p.length] : null;
                float[] acc = new float[g.headDim()];
                float[] source = keys ? q : grad;
                for (int unit = from; unit < to; unit++) {
                    int b = unit / g.kvHeads();
                    int kvh = unit % g.kvHeads();
                    rows.load(b, kvh);
                    for (int member = 0; member < g.group(); member++) {
                        for (int i = 0; i < g.t(); i++) {
                            int h = kvh * g.group() + member;
                            int at = (member * g.t() + i) * g.s();
                            // dv weighs by p alone: its rows skip dP, D and the transposed values.
                            if (keys) {
                                rows.row(i, h, p, dS, at);
                            } else {
                                rows.probabilities(i, h, p, at);
                            }
                        }
                    }
                    float[] weights = keys ? dS : p;
                    for (int j = 0; j < g.s(); j++) {
                        Arrays.fill(acc, 0f);
                        // Query i sees key j when j ≤ s − t + i.
                        int first = Math.max(0, j - (g.s() - g.t()));
                        for (int member = 0; member < g.group(); member++) {
                            int h = kvh * g.group() + member;
                            ElementLoops.accumulateRows(weights, (member * g.t() + first) * g.s() + j, g.s(),
                                    g.t() - first, source, g.qIndex(b, first, h), g.qStride(), acc, g.headDim());
                        }
                        int base = g.kvIndex(b, j, kvh);
                        for (int d = 0; d < g.headDim(); d++) {
                            out[base + d] = keys ? acc[d] * g.scale() : acc[d];
                        }
                    }
                }
            });
            return Tensor.wrap(shape, out);
        }
    }
}
