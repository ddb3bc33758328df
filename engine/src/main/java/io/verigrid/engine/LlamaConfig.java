package io.verigrid.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Llama-family decoder's shape, mirroring Hugging Face {@code config.json}: hidden_size,
 * intermediate_size, num_hidden_layers, num_attention_heads, num_key_value_heads, vocab_size,
 * max_position_embeddings, rms_norm_eps, rope_theta, tie_word_embeddings. {@link #fromJson} reads a real
 * config file: fields that do not change the arithmetic (token ids, dtype, versions) are accepted, fields
 * that would (a different activation, biases, RoPE scaling, another head_dim) must have Llama's values, and
 * any other field is rejected by name.
 */
public record LlamaConfig(int hiddenSize, int intermediateSize, int numHiddenLayers, int numAttentionHeads,
        int numKeyValueHeads, int vocabSize, int maxPositionEmbeddings, float rmsNormEps, float ropeTheta,
        boolean tieWordEmbeddings) {
    private static final Set<String> INFORMATIONAL = Set.of("architectures", "model_type", "bos_token_id",
            "eos_token_id", "pad_token_id", "torch_dtype", "transformers_version", "initializer_range", "use_cache",
            "attention_dropout", "pretraining_tp", "_name_or_path");

    public LlamaConfig {
        positive("hidden_size", hiddenSize);
        positive("intermediate_size", intermediateSize);
        positive("num_hidden_layers", numHiddenLayers);
        positive("num_attention_heads", numAttentionHeads);
        positive("num_key_value_heads", numKeyValueHeads);
        positive("vocab_size", vocabSize);
        positive("max_position_embeddings", maxPositionEmbeddings);
        if (hiddenSize % numAttentionHeads != 0 || (hiddenSize / numAttentionHeads) % 2 != 0) {
            throw new IllegalArgumentException("hidden_size " + hiddenSize + " must be num_attention_heads "
                    + numAttentionHeads + " times an even head size");
        }
        if (numKeyValueHeads > numAttentionHeads || numAttentionHeads % numKeyValueHeads != 0) {
            throw new IllegalArgumentException("num_key_value_heads " + numKeyValueHeads
                    + " must divide num_attention_heads " + numAttentionHeads);
        }
        if (!(rmsNormEps > 0f) || !Float.isFinite(rmsNormEps)) {
            throw new IllegalArgumentException("rms_norm_eps must be finite and > 0, got " + rmsNormEps);
        }
        if (!(ropeTheta > 1f) || !Float.isFinite(ropeTheta)) {
            throw new IllegalArgumentException("rope_theta must be finite and > 1, got " + ropeTheta);
        }
    }

    static void positive(String field, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(field + " must be >= 1, got " + value);
        }
    }

    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    /** This configuration as a Hugging Face {@code config.json} object (the architecture fields only). */
    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("architectures", List.of("LlamaForCausalLM"));
        json.put("model_type", "llama");
        json.put("hidden_act", "silu");
        json.put("hidden_size", hiddenSize);
        json.put("intermediate_size", intermediateSize);
        json.put("num_hidden_layers", numHiddenLayers);
        json.put("num_attention_heads", numAttentionHeads);
        json.put("num_key_value_heads", numKeyValueHeads);
        json.put("head_dim", headDim());
        json.put("vocab_size", vocabSize);
        json.put("max_position_embeddings", maxPositionEmbeddings);
        json.put("rms_norm_eps", rmsNormEps);
        json.put("rope_theta", ropeTheta);
        json.put("tie_word_embeddings", tieWordEmbeddings);
        return json;
    }

    /** Parses a Hugging Face {@code config.json}; IllegalArgumentException naming a missing, bad or unknown field. */
    public static LlamaConfig fromJson(String json) {
        JsonNode root = object(json);
        Set<String> used = Set.of("hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
                "num_key_value_heads", "vocab_size", "max_position_embeddings", "rms_norm_eps", "rope_theta",
                "tie_word_embeddings", "hidden_act", "attention_bias", "mlp_bias", "rope_scaling", "head_dim");
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext();) {
            String field = it.next().getKey();
            if (!used.contains(field) && !INFORMATIONAL.contains(field)) {
                throw new IllegalArgumentException("unknown config field " + field);
            }
        }
        require(root, "hidden_act", "silu");
        require(root, "attention_bias", "false");
        require(root, "mlp_bias", "false");
        require(root, "rope_scaling", "null");
        int heads = integer(root, "num_attention_heads", null);
        LlamaConfig config = new LlamaConfig(integer(root, "hidden_size", null), integer(root, "intermediate_size", null),
                integer(root, "num_hidden_layers", null), heads, integer(root, "num_key_value_heads", heads),
                integer(root, "vocab_size", null), integer(root, "max_position_embeddings", null),
                number(root, "rms_norm_eps", 1e-6f), number(root, "rope_theta", 10000f),
                root.has("tie_word_embeddings") ? bool(root, "tie_word_embeddings") : false);
        if (root.has("head_dim") && !root.get("head_dim").isNull()
                && integer(root, "head_dim", null) != config.headDim()) {
            throw new IllegalArgumentException("config field head_dim must be hidden_size / num_attention_heads = "
                    + config.headDim() + ", got " + root.get("head_dim"));
        }
        return config;
    }

    /** A {@code config.json} text as a JSON object; IllegalArgumentException when it is not one. */
    static JsonNode object(String json) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("config is not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("config must be a JSON object");
        }
        return root;
    }

    private static void require(JsonNode root, String field, String value) {
        if (root.has(field) && !root.get(field).toString().replace("\"", "").equals(value)) {
            throw new IllegalArgumentException("config field " + field + " must be " + value + " for a Llama model, got "
                    + root.get(field));
        }
    }

    static int integer(JsonNode root, String field, Integer fallback) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            if (fallback == null) {
                throw new IllegalArgumentException("config field " + field + " is missing");
            }
            return fallback;
        }
        if (!node.canConvertToInt() || !node.isIntegralNumber()) {
            throw new IllegalArgumentException("config field " + field + " must be an integer, got " + node);
        }
        return node.intValue();
    }

    static float number(JsonNode root, String field, float fallback) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isNumber()) {
            throw new IllegalArgumentException("config field " + field + " must be a number, got " + node);
        }
        return (float) node.doubleValue();
    }

    static boolean bool(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (!node.isBoolean()) {
            throw new IllegalArgumentException("config field " + field + " must be true or false, got " + node);
        }
        return node.booleanValue();
    }
}
