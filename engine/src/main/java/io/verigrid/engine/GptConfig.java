package io.verigrid.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GPT-2-style decoder's shape, with the field names of Hugging Face GPT-2 {@code config.json}
 * ({@code vocab_size, n_positions, n_embd, n_layer, n_head, layer_norm_epsilon, tie_word_embeddings});
 * the MLP is 4·n_embd wide with tanh-approximated GELU. {@link #fromJson} reads a real config file: the
 * fields that would change the arithmetic (activation, MLP width, attention scaling) must have GPT-2's values;
 * dropout rates, token ids and the like are ignored (the engine trains without dropout here).
 */
public record GptConfig(int vocabSize, int nPositions, int nEmbd, int nLayer, int nHead, float layerNormEpsilon,
        boolean tieWordEmbeddings) {
    public GptConfig {
        LlamaConfig.positive("vocab_size", vocabSize);
        LlamaConfig.positive("n_positions", nPositions);
        LlamaConfig.positive("n_embd", nEmbd);
        LlamaConfig.positive("n_layer", nLayer);
        LlamaConfig.positive("n_head", nHead);
        if (nEmbd % nHead != 0) {
            throw new IllegalArgumentException("n_embd " + nEmbd + " must be a multiple of n_head " + nHead);
        }
        if (!(layerNormEpsilon > 0f) || !Float.isFinite(layerNormEpsilon)) {
            throw new IllegalArgumentException("layer_norm_epsilon must be finite and > 0, got " + layerNormEpsilon);
        }
    }

    /** This configuration as a Hugging Face {@code config.json} object (the architecture fields only). */
    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("architectures", List.of("GPT2LMHeadModel"));
        json.put("model_type", "gpt2");
        json.put("activation_function", "gelu_new");
        json.put("vocab_size", vocabSize);
        json.put("n_positions", nPositions);
        json.put("n_embd", nEmbd);
        json.put("n_layer", nLayer);
        json.put("n_head", nHead);
        json.put("n_inner", null);
        json.put("layer_norm_epsilon", layerNormEpsilon);
        json.put("tie_word_embeddings", tieWordEmbeddings);
        return json;
    }

    /** Parses a Hugging Face GPT-2 {@code config.json}; IllegalArgumentException naming a missing or bad field. */
    public static GptConfig fromJson(String json) {
        JsonNode root = LlamaConfig.object(json);
        if (root.has("activation_function") && !root.get("activation_function").asText().equals("gelu_new")) {
            throw new IllegalArgumentException("config field activation_function must be gelu_new for a GPT-2 model, got "
                    + root.get("activation_function"));
        }
        for (String flag : List.of("scale_attn_by_inverse_layer_idx", "add_cross_attention")) {
            if (root.has(flag) && root.get(flag).asBoolean()) {
                throw new IllegalArgumentException("config field " + flag + " must be false for a GPT-2 model");
            }
        }
        int nEmbd = LlamaConfig.integer(root, "n_embd", null);
        if (root.has("n_inner") && !root.get("n_inner").isNull() && LlamaConfig.integer(root, "n_inner", null) != 4 * nEmbd) {
            throw new IllegalArgumentException("config field n_inner must be null or 4·n_embd = " + 4 * nEmbd + ", got "
                    + root.get("n_inner"));
        }
        return new GptConfig(LlamaConfig.integer(root, "vocab_size", null), LlamaConfig.integer(root, "n_positions", null),
                nEmbd, LlamaConfig.integer(root, "n_layer", null), LlamaConfig.integer(root, "n_head", null),
                LlamaConfig.number(root, "layer_norm_epsilon", 1e-5f),
                root.has("tie_word_embeddings") ? LlamaConfig.bool(root, "tie_word_embeddings") : true);
    }
}
