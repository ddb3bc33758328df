package io.verigrid.engine.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The fields of a Hugging Face Llama {@code config.json} the decoder needs. */
public record LlamaConfig(int hiddenSize, int intermediateSize, int layers, int heads, int kvHeads, int headDim,
        int vocabSize, int maxPositions, float rmsNormEps, float ropeTheta, boolean tieWordEmbeddings, int bosTokenId,
        List<Integer> eosTokenIds) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public LlamaConfig {
        positive("hidden_size", hiddenSize);
        positive("intermediate_size", intermediateSize);
        positive("num_hidden_layers", layers);
        positive("num_attention_heads", heads);
        positive("num_key_value_heads", kvHeads);
        positive("head_dim", headDim);
        positive("vocab_size", vocabSize);
        positive("max_position_embeddings", maxPositions);
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("config.json: num_key_value_heads " + kvHeads
                    + " must divide num_attention_heads " + heads);
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("config.json: head_dim must be even for rotary embeddings, got " + headDim);
        }
        if (!(rmsNormEps > 0f) || !(ropeTheta > 1f)) {
            throw new IllegalArgumentException("config.json: rms_norm_eps must be > 0 and rope_theta > 1, got "
                    + rmsNormEps + " and " + ropeTheta);
        }
        eosTokenIds = List.copyOf(eosTokenIds);
    }

    /** Reads {@code config.json}; a missing field or a Llama variant the decoder does not run is named. */
    public static LlamaConfig load(Path configJson) {
        try {
            return parse(JSON.readTree(Files.readString(configJson)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + configJson, e);
        }
    }

    static LlamaConfig parse(JsonNode json) {
        if (json == null || !json.isObject()) {
            throw new IllegalArgumentException("config.json must be a JSON object");
        }
        JsonNode scaling = json.path("rope_scaling");
        if (!scaling.isMissingNode() && !scaling.isNull()) {
            throw new IllegalArgumentException("config.json: rope_scaling " + scaling + " is not supported");
        }
        int hidden = required(json, "hidden_size");
        int heads = required(json, "num_attention_heads");
        List<Integer> eos = new ArrayList<>();
        JsonNode eosNode = json.path("eos_token_id");
        if (eosNode.isArray()) {
            eosNode.forEach(id -> eos.add(id.asInt()));
        } else if (eosNode.isInt()) {
            eos.add(eosNode.asInt());
        }
        return new LlamaConfig(hidden, required(json, "intermediate_size"), required(json, "num_hidden_layers"), heads,
                json.path("num_key_value_heads").asInt(heads), json.path("head_dim").asInt(hidden / heads),
                required(json, "vocab_size"), required(json, "max_position_embeddings"),
                (float) json.path("rms_norm_eps").asDouble(1e-6), (float) json.path("rope_theta").asDouble(10000.0),
                json.path("tie_word_embeddings").asBoolean(false), json.path("bos_token_id").asInt(-1), eos);
    }

    /** This configuration as a {@code config.json} document. */
    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("architectures", List.of("LlamaForCausalLM"));
        json.put("model_type", "llama");
        json.put("hidden_size", hiddenSize);
        json.put("intermediate_size", intermediateSize);
        json.put("num_hidden_layers", layers);
        json.put("num_attention_heads", heads);
        json.put("num_key_value_heads", kvHeads);
        json.put("head_dim", headDim);
        json.put("vocab_size", vocabSize);
        json.put("max_position_embeddings", maxPositions);
        json.put("rms_norm_eps", rmsNormEps);
        json.put("rope_theta", ropeTheta);
        json.put("tie_word_embeddings", tieWordEmbeddings);
        json.put("bos_token_id", bosTokenId);
        json.put("eos_token_id", eosTokenIds.size() == 1 ? eosTokenIds.get(0) : eosTokenIds);
        json.put("hidden_act", "silu");
        json.put("torch_dtype", "float32");
        return json;
    }

    private static int required(JsonNode json, String field) {
        JsonNode value = json.get(field);
        if (value == null || !value.canConvertToInt()) {
            throw new IllegalArgumentException("config.json: " + field + " is missing or not an integer");
        }
        return value.asInt();
    }

    private static void positive(String field, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("config.json: " + field + " must be > 0, got " + value);
        }
    }
}
