package io.verigrid.engine.generate;

/**
 * How one request picks its tokens. {@code temperature == 0} is greedy decoding (the highest logit, lowest
 * id on ties); otherwise logits are divided by the temperature, turned into probabilities, cut to the
 * {@code topK} most likely (0 = no cut) and to the smallest most-likely prefix reaching {@code topP}, and one
 * token is drawn with {@link SamplingRng} keyed by (seed, choice, position).
 */
public record SamplingParams(float temperature, int topK, float topP, long seed) {
    public SamplingParams {
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

    /** Greedy decoding; the seed is recorded but never used. */
    public static SamplingParams greedy(long seed) {
        return new SamplingParams(0f, 0, 1f, seed);
    }

    public boolean isGreedy() {
        return temperature == 0f;
    }
}
