package io.verigrid.node.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.verigrid.engine.generate.GenerationRequest;
import io.verigrid.engine.generate.SamplingParams;
import java.util.List;

/**
 * A chat or completion request checked against the model, the context length and the key's quota: what to
 * generate and how to answer. The sampling seed is the request's {@code seed}, or one the gateway picks and
 * returns so that the response can be re-executed.
 */
record InferencePlan(GenerationRequest generation, boolean stream, boolean includeUsage, boolean logprobs, long seed) {
    /** Defaults as OpenAI's: temperature 1, top_p 1, n 1; top_k (0 = off) as vLLM and llama.cpp accept it. */
    static InferencePlan of(JsonNode body, int[] prompt, int contextLength, int vocabSize, long tokensLeft,
            List<Integer> stopTokens, boolean chat, long pickedSeed) {
        Integer maxTokens = Fields.integer(body, chat && Fields.present(body, "max_completion_tokens")
                ? "max_completion_tokens" : "max_tokens");
        String maxParam = chat && Fields.present(body, "max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
        if (maxTokens != null && maxTokens <= 0) {
            throw OpenAiException.invalid(maxParam, "'" + maxParam + "' must be at least 1, got " + maxTokens);
        }
        if (prompt.length >= contextLength || (maxTokens != null && prompt.length + (long) maxTokens > contextLength)) {
            throw OpenAiException.invalid(chat ? "messages" : "prompt", "context_length_exceeded",
                    "This model's maximum context length is " + contextLength + " tokens. However, you requested "
                            + (prompt.length + (maxTokens == null ? 0 : maxTokens)) + " tokens (" + prompt.length
                            + " in the " + (chat ? "messages" : "prompt") + ", " + (maxTokens == null ? 0 : maxTokens)
                            + " in the completion). Please reduce the length of the "
                            + (chat ? "messages" : "prompt") + " or completion.");
        }
        Integer n = Fields.integer(body, "n");
        if (n != null && (n < 1 || n > 128)) {
            throw OpenAiException.invalid("n", "'n' must be in 1..128, got " + n);
        }
        int choices = n == null ? 1 : n;
        if (prompt.length >= tokensLeft) {
            throw new OpenAiException(429, "insufficient_quota", null, "insufficient_quota", "This request's prompt of "
                    + prompt.length + " tokens exceeds the " + tokensLeft + " tokens left in this key's quota.");
        }
        // The quota caps the completion: what is left after the prompt, shared by the choices.
        int byQuota = (int) Math.max(1, Math.min(Integer.MAX_VALUE, (tokensLeft - prompt.length) / choices));
        int limit = Math.min(maxTokens == null ? contextLength - prompt.length : maxTokens, byQuota);
        Float temperature = Fields.number(body, "temperature", 0f, 2f);
        Float topP = Fields.number(body, "top_p", 0f, 1f);
        if (topP != null && topP == 0f) {
            throw OpenAiException.invalid("top_p", "'top_p' must be > 0");
        }
        Integer topK = Fields.integer(body, "top_k");
        if (topK != null && topK < 0) {
            throw OpenAiException.invalid("top_k", "'top_k' must be >= 0, got " + topK);
        }
        Long seed = Fields.longValue(body, "seed");
        long usedSeed = seed == null ? pickedSeed : seed;
        SamplingParams sampling = new SamplingParams(temperature == null ? 1f : temperature, topK == null ? 0 : topK,
                topP == null ? 1f : topP, usedSeed, Fields.adjustments(body, vocabSize));
        boolean logprobs;
        int top;
        if (chat) {
            logprobs = Fields.bool(body, "logprobs");
            Integer topLogprobs = Fields.integer(body, "top_logprobs");
            if (topLogprobs != null && (topLogprobs < 0 || topLogprobs > 20)) {
                throw OpenAiException.invalid("top_logprobs", "'top_logprobs' must be in 0..20, got " + topLogprobs);
            }
            if (topLogprobs != null && topLogprobs > 0 && !logprobs) {
                throw OpenAiException.invalid("top_logprobs", "'top_logprobs' needs 'logprobs' set to true");
            }
            top = topLogprobs == null ? 0 : topLogprobs;
        } else {
            Integer count = Fields.integer(body, "logprobs");
            if (count != null && (count < 0 || count > 5)) {
                throw OpenAiException.invalid("logprobs", "'logprobs' must be in 0..5, got " + count);
            }
            logprobs = count != null;
            top = count == null ? 0 : count;
        }
        boolean stream = Fields.bool(body, "stream");
        JsonNode options = body.get("stream_options");
        boolean includeUsage = options != null && options.isObject() && options.path("include_usage").asBoolean(false);
        GenerationRequest generation = new GenerationRequest(prompt, choices, limit, sampling, java.util.Set.copyOf(stopTokens),
                Fields.stops(body), top);
        return new InferencePlan(generation, stream, includeUsage, logprobs, usedSeed);
    }
}
