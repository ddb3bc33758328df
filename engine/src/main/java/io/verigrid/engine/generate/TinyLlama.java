package io.verigrid.engine.generate;

import io.verigrid.engine.LlamaConfig;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.verigrid.engine.Tensor;
import io.verigrid.engine.io.Safetensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Writes a small, randomly initialised (seeded) Llama-architecture model in Hugging Face layout:
 * {@code config.json}, {@code model.safetensors}, {@code tokenizer.json} (byte-level BPE from
 * {@link TinyBpe}) and {@code tokenizer_config.json} with a Llama-3-style chat template. The same seed
 * writes the same bytes. Useful for tests and for trying the gateway without downloading weights.
 */
public final class TinyLlama {
    public static final String BOS = "<|begin_of_text|>";
    public static final String EOS = "<|end_of_text|>";
    public static final String EOT = "<|eot_id|>";
    private static final List<String> SPECIALS = List.of(BOS, EOS, "<|start_header_id|>", "<|end_header_id|>", EOT);
    private static final int MERGES = 200;

    /** The chat template: Llama 3 headers; tools, when given, go into a system block as JSON lines. */
    public static final String CHAT_TEMPLATE = "{{ bos_token }}"
            + "{% if tools %}<|start_header_id|>system<|end_header_id|>\n\nTools:\n"
            + "{% for tool in tools %}{{ tool | tojson }}\n{% endfor %}<|eot_id|>{% endif %}"
            + "{% for message in messages %}<|start_header_id|>{{ message['role'] }}<|end_header_id|>\n\n"
            + "{% if message['content'] %}{{ message['content'] }}{% endif %}"
            + "{% if message['tool_calls'] %}{% for call in message['tool_calls'] %}{{ call | tojson }}{% endfor %}{% endif %}"
            + "<|eot_id|>{% endfor %}"
            + "{% if add_generation_prompt %}<|start_header_id|>assistant<|end_header_id|>\n\n{% endif %}";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private TinyLlama() {
    }

    /** The configuration of the tiny model for a vocabulary of {@code vocabSize} tokens. */
    public static LlamaConfig config(int vocabSize, int contextLength) {
        return new LlamaConfig(64, 128, 2, 4, 2, vocabSize, contextLength, 1e-5f, 10000f, false);
    }

    /** Writes the four files into {@code dir} (created if missing) with a context of 256 positions. */
    public static LlamaConfig write(Path dir, long seed) {
        return write(dir, seed, 256);
    }

    /** As {@link #write(Path, long)} with {@code contextLength} positions; returns the configuration written. */
    public static LlamaConfig write(Path dir, long seed, int contextLength) {
        try {
            Files.createDirectories(dir);
            TinyBpe.Trained bpe = TinyBpe.train(seed, MERGES);
            int base = bpe.vocab().size();
            int bos = base;
            List<Integer> eos = List.of(base + 1, base + 4);
            LlamaConfig config = config(base + SPECIALS.size(), contextLength);
            Map<String, Object> configJson = new LinkedHashMap<>(config.toJson());
            configJson.put("bos_token_id", bos);
            configJson.put("eos_token_id", eos);
            JSON.writeValue(dir.resolve("config.json").toFile(), configJson);
            JSON.writeValue(dir.resolve("tokenizer.json").toFile(), tokenizerJson(bpe));
            JSON.writeValue(dir.resolve("tokenizer_config.json").toFile(), tokenizerConfig(contextLength));
            Safetensors.write(dir.resolve("model.safetensors"), weights(config, seed), Map.of("format", "pt"));
            return config;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the tiny model into " + dir, e);
        }
    }

    /**
     * Seeded weights: norms 1, every other tensor uniform in ±1/√fan_in (the embedding ±1), element i of the
     * k-th tensor in name order drawn from {@link SamplingRng} keyed by (seed, k, i).
     */
    static SortedMap<String, Tensor> weights(LlamaConfig config, long seed) {
        SortedMap<String, Tensor> weights = new TreeMap<>();
        int k = 0;
        for (Map.Entry<String, int[]> entry : LlamaDecoder.weightShapes(config).entrySet()) {
            int[] shape = entry.getValue();
            float[] data = new float[Math.multiplyExact(shape[0], shape.length == 2 ? shape[1] : 1)];
            if (entry.getKey().endsWith("norm.weight")) {
                java.util.Arrays.fill(data, 1f);
            } else {
                float scale = entry.getKey().contains("embed_tokens") ? 1f
                        : (float) (1.0 / StrictMath.sqrt(shape[shape.length - 1]));
                for (int i = 0; i < data.length; i++) {
                    data[i] = (2f * SamplingRng.uniform(seed, k, i) - 1f) * scale;
                }
            }
            weights.put(entry.getKey(), Tensor.of(shape, data));
            k++;
        }
        return weights;
    }

    private static Map<String, Object> tokenizerJson(TinyBpe.Trained bpe) {
        List<Map<String, Object>> added = new ArrayList<>();
        for (int i = 0; i < SPECIALS.size(); i++) {
            Map<String, Object> token = new LinkedHashMap<>();
            token.put("id", bpe.vocab().size() + i);
            token.put("content", SPECIALS.get(i));
            token.put("single_word", false);
            token.put("lstrip", false);
            token.put("rstrip", false);
            token.put("normalized", false);
            token.put("special", true);
            added.add(token);
        }
        Map<String, Object> byteLevel = new LinkedHashMap<>();
        byteLevel.put("type", "ByteLevel");
        byteLevel.put("add_prefix_space", false);
        byteLevel.put("trim_offsets", true);
        byteLevel.put("use_regex", true);
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "BPE");
        model.put("dropout", null);
        model.put("unk_token", null);
        model.put("continuing_subword_prefix", null);
        model.put("end_of_word_suffix", null);
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        model.put("vocab", bpe.vocab());
        model.put("merges", bpe.merges());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("version", "1.0");
        json.put("truncation", null);
        json.put("padding", null);
        json.put("added_tokens", added);
        json.put("normalizer", null);
        json.put("pre_tokenizer", byteLevel);
        json.put("post_processor", byteLevel);
        json.put("decoder", byteLevel);
        json.put("model", model);
        return json;
    }

    private static Map<String, Object> tokenizerConfig(int contextLength) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("bos_token", BOS);
        json.put("eos_token", EOT);
        json.put("model_max_length", contextLength);
        json.put("tokenizer_class", "PreTrainedTokenizerFast");
        json.put("chat_template", CHAT_TEMPLATE);
        return json;
    }
}
