package io.verigrid.node.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.verigrid.engine.generate.LogitAdjustments;
import io.verigrid.engine.tokenizer.Tokenizer;
import io.verigrid.verify.InferenceRequest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Reads optional request fields with OpenAI's 400 errors that name the offending parameter. */
final class Fields {
    /** The request fields OpenAI's chat endpoint accepts (plus {@code top_k}, as vLLM and llama.cpp do). */
    static final Set<String> CHAT = Set.of("model", "messages", "max_tokens", "max_completion_tokens", "temperature",
            "top_p", "top_k", "seed", "stop", "n", "stream", "stream_options", "logprobs", "top_logprobs", "tools",
            "tool_choice", "parallel_tool_calls", "functions", "function_call", "user", "frequency_penalty",
            "presence_penalty", "logit_bias", "response_format", "metadata", "store", "service_tier");
    static final Set<String> COMPLETIONS = Set.of("model", "prompt", "max_tokens", "temperature", "top_p", "top_k", "seed",
            "stop", "n", "stream", "stream_options", "logprobs", "echo", "best_of", "suffix", "user",
            "frequency_penalty", "presence_penalty", "logit_bias");
    static final Set<String> EMBEDDINGS = Set.of("model", "input", "encoding_format", "dimensions", "user");

    private Fields() {
    }

    /** OpenAI answers an unknown field with 400 "Unrecognized request argument supplied: x"; so does the gateway. */
    static void rejectUnknown(JsonNode body, Set<String> known) {
        Iterator<String> names = body.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!known.contains(name)) {
                throw OpenAiException.invalid(name, "Unrecognized request argument supplied: " + name);
            }
        }
        rejectUnsupported(body);
    }

    /**
     * Known fields the gateway cannot honour are refused unless they ask for nothing (their defaults): echo,
     * best_of, a suffix or a JSON response format would change what is generated.
     */
    static void rejectUnsupported(JsonNode body) {
        if (present(body, "echo") && body.get("echo").asBoolean()) {
            throw OpenAiException.invalid("echo", "'echo' is not supported by this gateway");
        }
        if (present(body, "best_of") && body.get("best_of").asInt() != 1) {
            throw OpenAiException.invalid("best_of", "'best_of' other than 1 is not supported by this gateway");
        }
        if (present(body, "suffix")) {
            throw OpenAiException.invalid("suffix", "'suffix' is not supported by this gateway");
        }
        JsonNode format = body.get("response_format");
        if (format != null && !format.isNull() && !"text".equals(format.path("type").asText())) {
            throw OpenAiException.invalid("response_format", "only response_format {\"type\": \"text\"} is supported by this gateway");
        }
    }

    static boolean present(JsonNode body, String field) {
        JsonNode value = body.get(field);
        return value != null && !value.isNull();
    }

    static Integer integer(JsonNode body, String field) {
        if (!present(body, field)) {
            return null;
        }
        JsonNode value = body.get(field);
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw OpenAiException.invalid(field, "'" + field + "' must be an integer, got " + value);
        }
        return value.asInt();
    }

    static Long longValue(JsonNode body, String field) {
        if (!present(body, field)) {
            return null;
        }
        JsonNode value = body.get(field);
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw OpenAiException.invalid(field, "'" + field + "' must be an integer, got " + value);
        }
        return value.asLong();
    }

    static Float number(JsonNode body, String field, float min, float max) {
        if (!present(body, field)) {
            return null;
        }
        JsonNode value = body.get(field);
        if (!value.isNumber() || !(value.asDouble() >= min && value.asDouble() <= max)) {
            throw OpenAiException.invalid(field, "'" + field + "' must be a number in [" + min + ", " + max + "], got "
                    + value);
        }
        return (float) value.asDouble();
    }

    static boolean bool(JsonNode body, String field) {
        if (!present(body, field)) {
            return false;
        }
        JsonNode value = body.get(field);
        if (!value.isBoolean()) {
            throw OpenAiException.invalid(field, "'" + field + "' must be a boolean, got " + value);
        }
        return value.asBoolean();
    }

    static String text(JsonNode body, String field) {
        if (!present(body, field)) {
            return null;
        }
        JsonNode value = body.get(field);
        if (!value.isTextual()) {
            throw OpenAiException.invalid(field, "'" + field + "' must be a string, got " + value);
        }
        return value.asText();
    }

    /** {@code stop}: a string or an array of at most 4 non-empty strings. */
    static List<String> stops(JsonNode body) {
        List<String> stops = new ArrayList<>();
        if (!present(body, "stop")) {
            return stops;
        }
        JsonNode value = body.get("stop");
        if (value.isTextual()) {
            stops.add(value.asText());
        } else if (value.isArray() && value.size() <= 4) {
            for (JsonNode stop : value) {
                if (!stop.isTextual()) {
                    throw OpenAiException.invalid("stop", "'stop' entries must be strings, got " + stop);
                }
                stops.add(stop.asText());
            }
        } else {
            throw OpenAiException.invalid("stop", "'stop' must be a string or an array of up to 4 strings");
        }
        if (stops.stream().anyMatch(String::isEmpty)) {
            throw OpenAiException.invalid("stop", "'stop' strings must not be empty");
        }
        return stops;
    }

    /**
     * {@code logit_bias} (token id → bias in [−100, 100], at most {@value LogitAdjustments#MAX_BIASES} tokens of a
     * vocabulary of {@code vocabSize}), {@code frequency_penalty} and {@code presence_penalty} (each in [−2, 2]), as
     * the sampler applies them and the verified request carries them.
     */
    static LogitAdjustments adjustments(JsonNode body, int vocabSize) {
        Float frequency = number(body, "frequency_penalty", -2f, 2f);
        Float presence = number(body, "presence_penalty", -2f, 2f);
        TreeMap<Integer, Float> bias = new TreeMap<>();
        if (present(body, "logit_bias")) {
            JsonNode map = body.get("logit_bias");
            if (!map.isObject()) throw OpenAiException.invalid("logit_bias", "'logit_bias' must map token ids to numbers");
            if (map.size() > LogitAdjustments.MAX_BIASES) {
                throw OpenAiException.invalid("logit_bias", "'logit_bias' may bias at most " + LogitAdjustments.MAX_BIASES + " tokens");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                int token;
                try {
                    token = Integer.parseInt(e.getKey());
                } catch (NumberFormatException nfe) {
                    token = -1;
                }
                if (token < 0 || token >= vocabSize) {
                    throw OpenAiException.invalid("logit_bias", "'logit_bias' keys must be token ids in 0.." + (vocabSize - 1)
                            + ", got \"" + e.getKey() + "\"");
                }
                JsonNode value = e.getValue();
                if (!value.isNumber() || !(value.asDouble() >= -100 && value.asDouble() <= 100)) {
                    throw OpenAiException.invalid("logit_bias", "'logit_bias' values must be numbers in [-100, 100], got " + value
                            + " for token " + token);
                }
                bias.put(token, (float) value.asDouble());
            }
        }
        float[] values = new float[bias.size()];
        int i = 0;
        for (float v : bias.values()) values[i++] = v;
        return new LogitAdjustments(bias.keySet().stream().mapToInt(Integer::intValue).toArray(), values,
                frequency == null ? 0f : frequency, presence == null ? 0f : presence);
    }

    /**
     * The stop strings as the verified request carries them: each string's own token ids. A choice that completes one
     * of these sequences must end there (the referee checks it), so a provider cannot bill tokens past it.
     */
    static int[][] stopSequences(JsonNode body, Tokenizer tokenizer) {
        List<String> stops = stops(body);
        int[][] sequences = new int[stops.size()][];
        for (int i = 0; i < sequences.length; i++) {
            try {
                sequences[i] = tokenizer.encode(stops.get(i));
            } catch (IllegalArgumentException e) {
                throw OpenAiException.invalid("stop", "'stop' strings must be well-formed text: " + e.getMessage());
            }
            if (sequences[i].length > InferenceRequest.MAX_STOP_SEQUENCE_TOKENS) {
                throw OpenAiException.invalid("stop", "each 'stop' string may be at most " + InferenceRequest.MAX_STOP_SEQUENCE_TOKENS
                        + " tokens; stop[" + i + "] is " + sequences[i].length);
            }
        }
        return sequences;
    }
}
