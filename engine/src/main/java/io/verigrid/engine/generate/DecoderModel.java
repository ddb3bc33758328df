package io.verigrid.engine.generate;

import io.verigrid.engine.Parallelism;
import io.verigrid.engine.Tensor;
import java.util.List;

/**
 * A causal language model decoded one step at a time with a KV cache per sequence.
 *
 * <p>Contract: {@link #decode} is batch-invariant — the logits it returns for one sequence are bit-for-bit
 * those it would return if that sequence were decoded alone, whatever else is in the batch and in whatever
 * order, on any thread count. Feeding a sequence's tokens in one call or spread over several gives the same
 * bits too (the attention rows depend only on the keys they see).
 */
public interface DecoderModel {
    int vocabSize();

    /** The width of a position's hidden state (and so of an embedding). */
    int hiddenSize();

    /** The most positions one sequence may hold (the model's {@code max_position_embeddings}). */
    int contextLength();

    /** An empty cache for a new sequence. */
    KvCache newCache();

    /**
     * Appends {@code tokens.get(i)} (at least one id) to {@code caches.get(i)} for every i and returns, per
     * sequence, the logits (vocabSize) of its last new position. Every id must be in [0, vocabSize) and no
     * cache may grow beyond {@link #contextLength()}; otherwise IllegalArgumentException and no cache changes.
     */
    float[][] decode(List<KvCache> caches, List<int[]> tokens, Parallelism par);

    /** The final-norm hidden states of {@code tokens} as one fresh sequence: (tokens.length, hidden). */
    Tensor hiddenStates(int[] tokens, Parallelism par);
}
