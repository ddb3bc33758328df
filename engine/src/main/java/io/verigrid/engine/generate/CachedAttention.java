package io.verigrid.engine.generate;

import java.util.List;

/**
 * Causal attention of a step's query rows over their sequences' KV caches, read in place — the arithmetic of
 * the engine's {@code rope} on q and k and of its {@code causal_attention} for (query row, head), computed whole
 * by one thread — together with the step's cache writes.
 *
 * <p>Canonical order: scale = (float) (1/√headDim); score_j = (Σ_d fma(q_d, k_jd) in d order from 0) · scale
 * for keys j = 0 … position; max exact; e_j = (float) StrictMath.exp(score_j − max); sum = canonical Σ e_j;
 * p_j = e_j / sum; out_d = Σ_j fma(p_j, v_jd) in j order from 0. Query head h reads key/value head
 * h / (heads / kvHeads). Several keys' dot products run side by side (vector lanes over the cache's transposed
 * keys); each is still that scalar chain.
 */
final class CachedAttention {
    /** Below this many multiply-adds handing heads to the team costs more than it saves. */
    private static final long PARALLEL_MIN_WORK = 1 << 12;
    /** Chunks per thread handed out dynamically. */
    private static final int CHUNKS_PER_THREAD = 8;

    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final float scale;
    private final ThreadLocal<Scratch> scratch;

    /** Per-thread buffers: scores over the visible keys, the sum's partials. */
    private static final class Scratch {
        float[] scores = new float[256];
        final float[] partial = RowMath.partials();
    }

    CachedAttention(int heads, int kvHeads, int headDim) {
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.scale = (float) (1.0 / StrictMath.sqrt(headDim));
        this.scratch = ThreadLocal.withInitial(Scratch::new);
    }

    /**
     * Rotates and caches the step's keys and values, rotates its queries and attends them. Rows are grouped by
     * sequence ({@code rowStart[s]} … {@code rowStart[s + 1]} − 1 belong to {@code caches.get(s)}), row r at
     * position rowPosition[r]; row r of {@code qkv} (stride {@code qkvWidth}) holds q | k | v before RoPE. Writes
     * (rows, heads·headDim) into {@code out}, and row r's keys and values into its cache in {@code layer}.
     *
     * <p>One unit of work is (sequence, key/value head): that head's keys and values of every new row of the
     * sequence, then every query head of its group for those rows, each attending positions 0 … its own. A
     * unit reads only keys its own unit wrote in this step, so units run in any order on any thread.
     */
    void attend(List<KvCache> caches, int layer, int[] rowStart, int[] rowPosition, float[] qkv, int qkvWidth,
            RopeTable rope, float[] out, StepTeam team) {
        int rows = rowStart[caches.size()];
        long work = 0;
        for (int r = 0; r < rows; r++) {
            work += (long) (rowPosition[r] + 1) * heads * headDim * 2;
        }
        int units = caches.size() * kvHeads;
        if (team.threads() == 1 || work < PARALLEL_MIN_WORK || units < 2) {
            attendUnits(caches, layer, rowStart, rowPosition, qkv, qkvWidth, rope, out, 0, units);
        } else {
            int chunks = Math.min(units, team.threads() * CHUNKS_PER_THREAD);
            team.split(chunks, chunk -> attendUnits(caches, layer, rowStart, rowPosition, qkv, qkvWidth, rope, out,
                    (int) ((long) units * chunk / chunks), (int) ((long) units * (chunk + 1) / chunks)));
        }
    }

    private void attendUnits(List<KvCache> caches, int layer, int[] rowStart, int[] rowPosition, float[] qkv,
            int qkvWidth, RopeTable rope, float[] out, int from, int to) {
        Scratch s = scratch.get();
        int group = heads / kvHeads;
        int qWidth = heads * headDim;
        int kvWidth = kvHeads * headDim;
        for (int unit = from; unit < to; unit++) {
            int sequence = unit / kvHeads;
            int kvOff = (unit % kvHeads) * headDim;
            KvCache cache = caches.get(sequence);
            for (int r = rowStart[sequence]; r < rowStart[sequence + 1]; r++) {
                int k = r * qkvWidth + qWidth;
                rope.rotate(qkv, k + kvOff, 1, rowPosition[r]);
                cache.writeKey(layer, rowPosition[r], qkv, k, kvOff, headDim);
                cache.writeValue(layer, rowPosition[r], qkv, k + kvWidth, kvOff, headDim);
            }
            for (int r = rowStart[sequence]; r < rowStart[sequence + 1]; r++) {
                for (int h = (unit % kvHeads) * group; h < (unit % kvHeads + 1) * group; h++) {
                    int q = r * qkvWidth + h * headDim;
                    rope.rotate(qkv, q, 1, rowPosition[r]);
                    attendHead(s, cache, layer, qkv, q, kvOff, rowPosition[r] + 1, out, r * qWidth + h * headDim);
                }
            }
        }
    }

    /** One query head (at {@code qkv[q]}) over the first {@code count} positions of key/value head kvOff. */
    private void attendHead(Scratch s, KvCache cache, int layer, float[] qkv, int q, int kvOff, int count, float[] out,
            int outOff) {
        if (s.scores.length < count) {
            s.scores = new float[Math.max(count, 2 * s.scores.length)];
        }
        int kvWidth = kvHeads * headDim;
        float max = scores(qkv, q, cache.keys(layer), kvOff, cache.capacity(), count, s.scores);
        float[] p = s.scores;
        RowMath.expShiftedInPlace(p, count, max);
        float sum = RowMath.canonicalSum(p, 0, count, s.partial);
        for (int j = 0; j < count; j++) {
            p[j] = p[j] / sum;
        }
        float[] v = cache.values(layer);
        if (PackedMatrix.VECTOR_API) {
            AttentionKernel.weightedValues(p, count, v, kvOff, kvWidth, headDim, out, outOff);
            return;
        }
        for (int d = 0; d < headDim; d++) {
            float acc = 0f;
            for (int j = 0; j < count; j++) {
                acc = Math.fma(p[j], v[j * kvWidth + kvOff + d], acc);
            }
            out[outOff + d] = acc;
        }
    }

    /**
     * score_j for keys [0, count) into {@code scores} (keys transposed: column c of the key rows at c·stride);
     * returns the max. The vector path runs one lane per key ({@link AttentionKernel}); the scalar path four keys
     * side by side; each key's dot product is the in-order FMA chain either way.
     */
    private float scores(float[] q, int qOff, float[] kt, int kvOff, int stride, int count, float[] scores) {
        int j = PackedMatrix.VECTOR_API ? AttentionKernel.scores(q, qOff, kt, kvOff, stride, headDim, count, scale,
                scores) : 0;
        for (; j + 4 <= count; j += 4) {
            float acc0 = 0f;
            float acc1 = 0f;
            float acc2 = 0f;
            float acc3 = 0f;
            for (int d = 0; d < headDim; d++) {
                float qd = q[qOff + d];
                int column = (kvOff + d) * stride + j;
                acc0 = Math.fma(qd, kt[column], acc0);
                acc1 = Math.fma(qd, kt[column + 1], acc1);
                acc2 = Math.fma(qd, kt[column + 2], acc2);
                acc3 = Math.fma(qd, kt[column + 3], acc3);
            }
            scores[j] = acc0 * scale;
            scores[j + 1] = acc1 * scale;
            scores[j + 2] = acc2 * scale;
            scores[j + 3] = acc3 * scale;
        }
        for (; j < count; j++) {
            float acc = 0f;
            for (int d = 0; d < headDim; d++) {
                acc = Math.fma(q[qOff + d], kt[(kvOff + d) * stride + j], acc);
            }
            scores[j] = acc * scale;
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < count; i++) {
            max = Math.max(max, scores[i]);
        }
        return max;
    }
}
