package io.verigrid.engine.generate;

import java.util.List;
import java.util.Set;

/**
 * What to generate: {@code n} independent choices continuing {@code prompt}, each at most {@code maxTokens}
 * long, ending early at a token of {@code stopTokens} (end-of-sequence ids; the token counts but adds no
 * text) or when the text contains one of {@code stopStrings} (the text is cut before it). {@code topLogprobs}
 * alternatives are reported per token (0..20).
 */
public record GenerationRequest(int[] prompt, int n, int maxTokens, SamplingParams sampling, Set<Integer> stopTokens,
        List<String> stopStrings, int topLogprobs) {
    public GenerationRequest {
        if (prompt == null || prompt.length == 0) {
            throw new IllegalArgumentException("prompt must hold at least one token");
        }
        if (n < 1 || n > 128) {
            throw new IllegalArgumentException("n must be in 1..128, got " + n);
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be >= 1, got " + maxTokens);
        }
        if (sampling == null) {
            throw new IllegalArgumentException("sampling must not be null");
        }
        if (topLogprobs < 0 || topLogprobs > 20) {
            throw new IllegalArgumentException("topLogprobs must be in 0..20, got " + topLogprobs);
        }
        for (String stop : stopStrings) {
            if (stop == null || stop.isEmpty()) {
                throw new IllegalArgumentException("stopStrings must not hold empty strings");
            }
        }
        prompt = prompt.clone();
        stopTokens = Set.copyOf(stopTokens);
        stopStrings = List.copyOf(stopStrings);
    }

    @Override
    public int[] prompt() {
        return prompt.clone();
    }
}
