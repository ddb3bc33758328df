package io.verigrid.node.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.verigrid.engine.generate.DecoderModel;
import io.verigrid.engine.generate.LlamaDecoder;
import io.verigrid.engine.tokenizer.Tokenizer;
import io.verigrid.node.http.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/**
 * A model the gateway serves, loaded from a Hugging Face directory: {@code config.json},
 * {@code model.safetensors}, {@code tokenizer.json} and (optionally) {@code tokenizer_config.json} with the
 * chat template and the bos/eos tokens. Its API name is the directory's name.
 */
public record ServedModel(String name, DecoderModel decoder, Tokenizer tokenizer, ChatTemplate chatTemplate,
        String bosToken, Set<Integer> stopTokens) {

    /** The same model (name, tokenizer, template) computed by {@code other}: how drills serve a cheaper computation. */
    public ServedModel withDecoder(DecoderModel other) {
        if (other == null || other.vocabSize() != decoder.vocabSize()) {
            throw new IllegalArgumentException("other: a decoder with the same vocabulary is required");
        }
        return new ServedModel(name, other, tokenizer, chatTemplate, bosToken, stopTokens);
    }

    public static ServedModel load(Path dir) {
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("model directory " + dir + " does not exist");
        }
        return load(dir, LlamaDecoder.load(dir));
    }

    /** The tokenizer, template and stop tokens of {@code dir}, computed by {@code decoder} (already loaded from it). */
    public static ServedModel load(Path dir, DecoderModel decoder) {
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("model directory " + dir + " does not exist");
        }
        Tokenizer tokenizer = Tokenizer.load(dir.resolve("tokenizer.json"));
        JsonNode config = readJson(dir.resolve("tokenizer_config.json"));
        String bos = tokenText(config.get("bos_token"));
        String eos = tokenText(config.get("eos_token"));
        Set<Integer> stops = new TreeSet<>();
        // config.json names the end-of-sequence ids (one id or a list); tokenizer_config.json the eos token's text.
        JsonNode eosIds = readJson(dir.resolve("config.json")).path("eos_token_id");
        if (eosIds.isInt()) {
            stops.add(eosIds.asInt());
        }
        eosIds.forEach(id -> stops.add(id.asInt()));
        if (eos != null) {
            tokenizer.tokenId(eos).ifPresent(stops::add);
        }
        JsonNode template = config.get("chat_template");
        ChatTemplate chat = template != null && template.isTextual() ? new ChatTemplate(template.asText(), bos, eos) : null;
        String name = dir.toAbsolutePath().normalize().getFileName().toString();
        return new ServedModel(name, decoder, tokenizer, chat, bos, Set.copyOf(stops));
    }

    public int contextLength() {
        return decoder.contextLength();
    }

    private static JsonNode readJson(Path file) {
        if (!Files.exists(file)) {
            return Json.MAPPER.createObjectNode();
        }
        try {
            return Json.MAPPER.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** A special token is written either as its text or as {@code {"content": text, …}}. */
    private static String tokenText(JsonNode token) {
        if (token == null || token.isNull()) {
            return null;
        }
        return token.isObject() ? token.path("content").asText(null) : token.asText();
    }
}
