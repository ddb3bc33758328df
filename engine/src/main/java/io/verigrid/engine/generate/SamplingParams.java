package io.verigrid.engine.generate;

/**
 * How one request picks its tokens. {@code temperature == 0} is greedy decoding (the highest logit, lowest
 * id on ties); otherwise logits are divided by the temperature, turned into probabilities, cut to the
 * {@code topK} most likely (0 = no cut) and to the smallest most-likely prefix reaching {@code topP}, and one
 * token is drawn with {@link SamplingRng} keyed by (seed, choice, position). {@code adjustments} (logit bias and
 * penalties) change the logits first; greedy decoding takes the highest adjusted logit.
 */
public record SamplingParams(float temperature, int topK, float topP, long seed, LogitAdjustments adjustments) {
    public SamplingParams {
        if (adjustments == null) {
            throw new IllegalArgumentException("adjustments must not be null (LogitAdjustments.NONE for none)");
        }
        if (!(temperature >= 0f) || !Float.isFinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a finite number >= 0, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("topK must be >= 0 (0 = no cut), got " + topK);
        }
        if (!(topP > 0f && topP <= 1f)) {
            throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
        }
    }

    /** Sampling with the logits as the model produced them. */
    public SamplingParams(float temperature, int topK, float topP, long seed) {
        this(temperature, topK, topP, seed, LogitAdjustments.NONE);
    }

    /** These parameters with {@code adjustments} applied to the logits before each pick. */
    public SamplingParams withAdjustments(LogitAdjustments adjustments) {
        return new SamplingParams(temperature, topK, topP, seed, adjustments);
    }

    /** Greedy decoding; the seed is recorded but never used. */
    public static SamplingParams greedy(long seed) {
        return new SamplingParams(0f, 0, 1f, seed);
    }

    public boolean isGreedy() {
        return temperature == 0f;
    }
}
