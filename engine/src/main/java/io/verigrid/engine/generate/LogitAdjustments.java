package io.verigrid.engine.generate;

import java.util.Arrays;

/**
 * The OpenAI API's {@code logit_bias}, {@code frequency_penalty} and {@code presence_penalty}: what is done to one
 * position's logits before it is sampled. For every biased token {@code logit += bias}; then for every token that the
 * choice has already generated {@code c > 0} times {@code logit = logit − c · frequencyPenalty − presencePenalty}, each
 * a single float operation in that order, so the adjusted logits are the same bits everywhere. Bias tokens outside the
 * vocabulary are ignored (the gateway refuses them).
 */
public record LogitAdjustments(int[] biasTokens, float[] biasValues, float frequencyPenalty, float presencePenalty) {
    /** At most this many biased tokens (OpenAI allows 300). */
    public static final int MAX_BIASES = 1024;
    /** Nothing adjusted: the logits are sampled as the model produced them. */
    public static final LogitAdjustments NONE = new LogitAdjustments(new int[0], new float[0], 0f, 0f);

    public LogitAdjustments {
        if (biasTokens == null || biasValues == null || biasTokens.length != biasValues.length || biasTokens.length > MAX_BIASES) {
            throw new IllegalArgumentException("logit bias: one value per token, at most " + MAX_BIASES + " tokens");
        }
        for (int i = 0; i < biasTokens.length; i++) {
            if (biasTokens[i] < 0 || (i > 0 && biasTokens[i] <= biasTokens[i - 1])) {
                throw new IllegalArgumentException("logit bias: token ids must be non-negative, distinct and ascending");
            }
            if (!(biasValues[i] >= -100f && biasValues[i] <= 100f)) {
                throw new IllegalArgumentException("logit bias: values must be in [-100, 100], got " + biasValues[i]);
            }
        }
        if (!(frequencyPenalty >= -2f && frequencyPenalty <= 2f) || !(presencePenalty >= -2f && presencePenalty <= 2f)) {
            throw new IllegalArgumentException("penalties must be in [-2, 2], got " + frequencyPenalty + " and " + presencePenalty);
        }
        biasTokens = biasTokens.clone();
        biasValues = biasValues.clone();
        frequencyPenalty += 0f; // −0 reads as 0: "no penalty" has one encoding
        presencePenalty += 0f;
    }

    public boolean none() {
        return biasTokens.length == 0 && frequencyPenalty == 0f && presencePenalty == 0f;
    }

    /**
     * The logits to sample from, given the tokens this choice generated before this position ({@code history});
     * {@code logits} itself when nothing is adjusted.
     */
    public float[] apply(float[] logits, int[] history) {
        if (none()) {
            return logits;
        }
        float[] adjusted = logits.clone();
        for (int i = 0; i < biasTokens.length; i++) {
            if (biasTokens[i] < adjusted.length) {
                adjusted[biasTokens[i]] += biasValues[i];
            }
        }
        if (frequencyPenalty != 0f || presencePenalty != 0f) {
            // Count by sorting the history (a few hundred ids) rather than a vocabulary-sized table per position.
            int[] sorted = history.clone();
            Arrays.sort(sorted);
            for (int i = 0; i < sorted.length; ) {
                int token = sorted[i];
                int count = 0;
                while (i < sorted.length && sorted[i] == token) {
                    count++;
                    i++;
                }
                if (token >= 0 && token < adjusted.length) {
                    adjusted[token] = adjusted[token] - count * frequencyPenalty - presencePenalty;
                }
            }
        }
        return adjusted;
    }

    @Override
    public int[] biasTokens() {
        return biasTokens.clone();
    }

    @Override
    public float[] biasValues() {
        return biasValues.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof LogitAdjustments a && Arrays.equals(biasTokens, a.biasTokens)
                && Arrays.equals(biasValues, a.biasValues)
                && Float.floatToRawIntBits(frequencyPenalty) == Float.floatToRawIntBits(a.frequencyPenalty)
                && Float.floatToRawIntBits(presencePenalty) == Float.floatToRawIntBits(a.presencePenalty);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(biasTokens) + Arrays.hashCode(biasValues) + Float.floatToRawIntBits(frequencyPenalty)
                + 7 * Float.floatToRawIntBits(presencePenalty);
    }

    @Override
    public String toString() {
        return "LogitAdjustments[" + biasTokens.length + " biased tokens, frequency " + frequencyPenalty + ", presence "
                + presencePenalty + "]";
    }
}
