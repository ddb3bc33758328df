package io.verigrid.engine.generate;

import io.verigrid.engine.Ops;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Picks one token from one position's logits and reports its log-probability.
 *
 * <p>All float arithmetic goes through the engine's operators, so it has their canonical order:
 * log-probabilities are {@code log_softmax} of the raw logits; sampling probabilities are {@code softmax} of
 * logits divided (one float division each) by the temperature; the kept mass after the top-k / top-p cut is
 * {@code sum_axis} over the kept probabilities. Candidates are ranked by probability, then by id. The top-p
 * prefix and the draw walk that ranking with one running float sum, in rank order. The draw is
 * {@code u · keptMass} with {@code u = SamplingRng.uniform(seed, choice, position)}: the first ranked token
 * whose running sum exceeds it wins (the last kept one if rounding leaves none).
 */
public final class Sampler {
    /** One alternative at a position, for {@code top_logprobs}. */
    public record TopToken(int token, float logprob) {
    }

    /** The chosen token, its log-probability, and the {@code topLogprobs} most likely alternatives. */
    public record Pick(int token, float logprob, List<TopToken> top) {
    }

    /** Candidates ranked first when looking for the top-p prefix. */
    private static final int TOP_P_FIRST = 64;

    private Sampler() {
    }

    /**
     * Picks the token at {@code position} of choice {@code choice}, for parameters without logit adjustments.
     * {@code topLogprobs} (0..20) alternatives are listed, most likely first.
     */
    public static Pick pick(float[] logits, SamplingParams params, int choice, int position, int topLogprobs) {
        if (params != null && !params.adjustments().none()) {
            throw new IllegalArgumentException("logit adjustments need the choice's earlier tokens: use pick(…, history, …)");
        }
        return pick(logits, params, new int[0], choice, position, topLogprobs);
    }

    /**
     * Picks the token at {@code position} of choice {@code choice}, whose earlier tokens are {@code history} (what the
     * penalties count). The logits are adjusted first ({@link LogitAdjustments#apply}); log-probabilities, the greedy
     * pick and the draw all read the adjusted logits. {@code topLogprobs} (0..20) alternatives are listed.
     */
    public static Pick pick(float[] rawLogits, SamplingParams params, int[] history, int choice, int position, int topLogprobs) {
        if (rawLogits == null || rawLogits.length == 0) {
            throw new IllegalArgumentException("logits must be a non-empty vector");
        }
        if (params == null || history == null) {
            throw new IllegalArgumentException("params and history must not be null");
        }
        float[] logits = params.adjustments().apply(rawLogits, history);
        if (topLogprobs < 0 || topLogprobs > 20) {
            throw new IllegalArgumentException("topLogprobs must be in 0..20, got " + topLogprobs);
        }
        float[] logprobs = rowOp("log_softmax", logits);
        int token = params.isGreedy() ? argmax(logits) : draw(logits, params, choice, position);
        List<TopToken> top = new ArrayList<>(topLogprobs);
        if (topLogprobs > 0) {
            for (int id : ranked(logprobs, Math.min(topLogprobs, logits.length))) {
                top.add(new TopToken(id, logprobs[id]));
            }
        }
        return new Pick(token, logprobs[token], List.copyOf(top));
    }

    /** The highest logit; the lowest id among equals. */
    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    private static int draw(float[] logits, SamplingParams params, int choice, int position) {
        float[] scaled = new float[logits.length];
        for (int i = 0; i < logits.length; i++) {
            scaled[i] = logits[i] / params.temperature();
        }
        float[] probs = rowOp("softmax", scaled);
        int limit = params.topK() == 0 ? probs.length : Math.min(params.topK(), probs.length);
        int[] order;
        int kept;
        if (params.topP() < 1f) {
            // The top-p prefix is usually short: rank a few candidates first and more only when their running
            // sum (the same additions in the same order as over the whole ranking) has not reached topP.
            for (int wanted = Math.min(limit, TOP_P_FIRST); ; wanted = Math.min(limit, wanted * 8)) {
                order = ranked(probs, wanted);
                kept = prefixReaching(probs, order, params.topP());
                if (kept > 0 || wanted == limit) {
                    break;
                }
            }
            if (kept == 0) {
                kept = order.length;
            }
        } else {
            order = ranked(probs, limit);
            kept = order.length;
        }
        float[] keptProbs = new float[kept];
        for (int r = 0; r < kept; r++) {
            keptProbs[r] = probs[order[r]];
        }
        float mass = Ops.execute("sum_axis", new long[] {0, 0}, List.of(Tensor.of(new int[] {kept}, keptProbs)),
                Parallelism.single()).data()[0];
        float target = SamplingRng.uniform(params.seed(), choice, position) * mass;
        float running = 0f;
        for (int r = 0; r < kept; r++) {
            running += keptProbs[r];
            if (running > target) {
                return order[r];
            }
        }
        return order[kept - 1];
    }

    /** How many ranked candidates it takes for the running float sum to reach {@code topP}; 0 if they all do not. */
    private static int prefixReaching(float[] probs, int[] order, float topP) {
        float running = 0f;
        for (int r = 0; r < order.length; r++) {
            running += probs[order[r]];
            if (running >= topP) {
                return r + 1;
            }
        }
        return 0;
    }

    /**
     * The {@code limit} ids with the largest values, largest first, lower id first among equals (values ordered
     * as {@link Float#compare} orders them). Each candidate is one long key whose natural order is that ranking,
     * so no boxing or comparator is involved; a short ranking keeps only the best {@code limit} keys in a heap.
     */
    static int[] ranked(float[] values, int limit) {
        long[] best;
        if ((long) limit * 8 < values.length) {
            best = smallestKeys(values, limit);
        } else {
            best = new long[values.length];
            for (int i = 0; i < values.length; i++) {
                best[i] = rankKey(values[i], i);
            }
            Arrays.sort(best);
        }
        int[] out = new int[limit];
        for (int r = 0; r < limit; r++) {
            out[r] = (int) best[r];
        }
        return out;
    }

    /**
     * A key that sorts ascending in ranking order: the high half is the value's {@link Float#compare} order,
     * reversed; the low half is the id.
     */
    private static long rankKey(float value, int id) {
        int bits = Float.floatToIntBits(value);
        int ordered = bits ^ ((bits >> 31) & 0x7fffffff); // signed-int order = Float.compare order
        return ((long) ~ordered << 32) | id;
    }

    /** The {@code limit} smallest keys, ascending: a max-heap of the best so far, then sorted. */
    private static long[] smallestKeys(float[] values, int limit) {
        long[] heap = new long[limit];
        int size = 0;
        for (int i = 0; i < values.length; i++) {
            long key = rankKey(values[i], i);
            if (size < limit) {
                int at = size++;
                while (at > 0 && heap[(at - 1) / 2] < key) {
                    heap[at] = heap[(at - 1) / 2];
                    at = (at - 1) / 2;
                }
                heap[at] = key;
            } else if (limit > 0 && key < heap[0]) {
                int at = 0;
                while (true) {
                    int child = 2 * at + 1;
                    if (child >= limit) {
                        break;
                    }
                    if (child + 1 < limit && heap[child + 1] > heap[child]) {
                        child++;
                    }
                    if (heap[child] <= key) {
                        break;
                    }
                    heap[at] = heap[child];
                    at = child;
                }
                heap[at] = key;
            }
        }
        Arrays.sort(heap, 0, size);
        return heap;
    }

    private static float[] rowOp(String kind, float[] row) {
        return Ops.execute(kind, new long[0], List.of(Tensor.of(new int[] {1, row.length}, row)), Parallelism.single())
                .data();
    }
}
