package io.verigrid.engine.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.PatternSyntaxException;

/**
 * Reads the parts of a Hugging Face {@code tokenizer.json} that byte-level BPE uses and refuses the rest
 * loudly: every error names the file and the JSON field (for example {@code model.merges[12]}).
 */
final class TokenizerJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String source;

    private TokenizerJson(String source) {
        this.source = source;
    }

    static Tokenizer load(Path path) {
        if (path == null) {
            throw new IllegalArgumentException("tokenizerJson path must not be null");
        }
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": cannot read tokenizer.json", e);
        }
        return parse(text, path.toString());
    }

    static Tokenizer parse(String json, String source) {
        if (json == null) {
            throw new IllegalArgumentException("tokenizer.json text must not be null");
        }
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        return new TokenizerJson(source).tokenizer(root);
    }

    private IllegalArgumentException error(String field, String message) {
        return new IllegalArgumentException(source + ": " + field + ": " + message);
    }

    private Tokenizer tokenizer(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw error("(root)", "must be a JSON object");
        }
        JsonNode normalizer = root.get("normalizer");
        if (normalizer != null && !normalizer.isNull()) {
            throw error("normalizer", "byte-level BPE here takes no normalizer, found " + normalizer.path("type"));
        }
        Bpe bpe = model(root.get("model"));
        AddedTokens added = addedTokens(root.get("added_tokens"));
        List<PreTokenizer.Stage> stages = new ArrayList<>();
        if (!preTokenizer(root.get("pre_tokenizer"), "pre_tokenizer", stages)) {
            throw error("pre_tokenizer", "byte-level BPE needs a ByteLevel pre-tokenizer");
        }
        decoder(root.get("decoder"));
        return new Tokenizer(bpe, new PreTokenizer(stages), added);
    }

    private Bpe model(JsonNode model) {
        if (model == null || !model.isObject()) {
            throw error("model", "missing; a tokenizer.json needs a model object");
        }
        String type = model.path("type").asText(null);
        if (!"BPE".equals(type)) {
            throw error("model.type", "must be \"BPE\", found " + model.get("type"));
        }
        for (String unsupported : List.of("dropout", "continuing_subword_prefix", "end_of_word_suffix")) {
            JsonNode value = model.get(unsupported);
            if (value != null && !value.isNull() && !(value.isTextual() && value.textValue().isEmpty())) {
                throw error("model." + unsupported, "not supported by Verigrid's byte-level BPE, found " + value);
            }
        }
        if (model.path("byte_fallback").asBoolean(false)) {
            throw error("model.byte_fallback", "not supported by byte-level BPE (every byte has a token)");
        }
        Map<String, Integer> vocab = vocab(model.get("vocab"));
        Map<Long, Bpe.Merge> merges = merges(model.get("merges"), vocab);
        int unknownId = -1;
        JsonNode unk = model.get("unk_token");
        if (unk != null && !unk.isNull()) {
            Integer id = unk.isTextual() ? vocab.get(unk.textValue()) : null;
            if (id == null) {
                throw error("model.unk_token", unk + " is not in model.vocab");
            }
            unknownId = id;
        }
        return new Bpe(vocab, merges, unknownId, model.path("ignore_merges").asBoolean(false));
    }

    private Map<String, Integer> vocab(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw error("model.vocab", "missing; must be an object of token -> id");
        }
        Map<String, Integer> vocab = new HashMap<>();
        Map<Integer, String> byId = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = fields.next();
            JsonNode id = entry.getValue();
            if (!id.isIntegralNumber() || !id.canConvertToInt() || id.intValue() < 0) {
                throw error("model.vocab[\"" + entry.getKey() + "\"]", "id must be a non-negative int, found " + id);
            }
            String previous = byId.put(id.intValue(), entry.getKey());
            if (previous != null) {
                throw error("model.vocab[\"" + entry.getKey() + "\"]", "id " + id + " is also \"" + previous + "\"");
            }
            vocab.put(entry.getKey(), id.intValue());
        }
        return vocab;
    }

    /** Merges in rank order, each "a b" or ["a", "b"]; both parts and their concatenation must be tokens. */
    private Map<Long, Bpe.Merge> merges(JsonNode node, Map<String, Integer> vocab) {
        if (node == null || !node.isArray()) {
            throw error("model.merges", "missing; must be an array");
        }
        Map<Long, Bpe.Merge> merges = new HashMap<>();
        for (int rank = 0; rank < node.size(); rank++) {
            String field = "model.merges[" + rank + "]";
            JsonNode merge = node.get(rank);
            String left;
            String right;
            if (merge.isTextual()) {
                String[] parts = merge.textValue().split(" ", -1);
                if (parts.length != 2) {
                    throw error(field, "\"" + merge.textValue() + "\" must be two tokens separated by one space");
                }
                left = parts[0];
                right = parts[1];
            } else if (merge.isArray() && merge.size() == 2 && merge.get(0).isTextual() && merge.get(1).isTextual()) {
                left = merge.get(0).textValue();
                right = merge.get(1).textValue();
            } else {
                throw error(field, "must be \"a b\" or [\"a\", \"b\"], found " + merge);
            }
            Integer leftId = vocab.get(left);
            Integer rightId = vocab.get(right);
            Integer mergedId = vocab.get(left + right);
            for (String token : new String[] {left, right, left + right}) {
                if (!vocab.containsKey(token)) {
                    throw error(field, "token \"" + token + "\" is not in model.vocab");
                }
            }
            // A repeated pair keeps its first (best) rank, as in Hugging Face's loader.
            merges.putIfAbsent(Bpe.pair(leftId, rightId), new Bpe.Merge(rank, mergedId));
        }
        return merges;
    }

    private AddedTokens addedTokens(JsonNode node) {
        Map<String, Integer> ids = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return new AddedTokens(ids);
        }
        if (!node.isArray()) {
            throw error("added_tokens", "must be an array");
        }
        for (int i = 0; i < node.size(); i++) {
            String field = "added_tokens[" + i + "]";
            JsonNode token = node.get(i);
            JsonNode id = token.path("id");
            JsonNode content = token.path("content");
            if (!id.isIntegralNumber() || !id.canConvertToInt() || id.intValue() < 0) {
                throw error(field + ".id", "must be a non-negative int, found " + token.get("id"));
            }
            if (!content.isTextual() || content.textValue().isEmpty()) {
                throw error(field + ".content", "must be a non-empty string, found " + token.get("content"));
            }
            for (String flag : List.of("single_word", "lstrip", "rstrip")) {
                if (token.path(flag).asBoolean(false)) {
                    throw error(field + "." + flag, "true is not supported; added tokens match exactly");
                }
            }
            ids.put(content.textValue(), id.intValue());
        }
        return new AddedTokens(ids);
    }

    /** Appends the stages of {@code node} to {@code stages}; true when a ByteLevel stage was among them. */
    private boolean preTokenizer(JsonNode node, String field, List<PreTokenizer.Stage> stages) {
        if (node == null || node.isNull()) {
            return false;
        }
        String type = node.path("type").asText("");
        switch (type) {
            case "ByteLevel" -> {
                // Hugging Face's defaults when the fields are absent: add_prefix_space and use_regex true.
                if (node.path("add_prefix_space").asBoolean(true)) {
                    stages.add(new PreTokenizer.PrefixSpace());
                }
                if (node.path("use_regex").asBoolean(true)) {
                    stages.add(new PreTokenizer.Split(PreTokenizer.compile(PreTokenizer.GPT2_PATTERN)));
                }
                return true;
            }
            case "Split" -> {
                stages.add(split(node, field));
                return false;
            }
            case "Sequence" -> {
                JsonNode list = node.get("pretokenizers");
                if (list == null || !list.isArray()) {
                    throw error(field + ".pretokenizers", "a Sequence needs a pretokenizers array");
                }
                boolean byteLevel = false;
                for (int i = 0; i < list.size(); i++) {
                    byteLevel |= preTokenizer(list.get(i), field + ".pretokenizers[" + i + "]", stages);
                }
                return byteLevel;
            }
            default -> throw error(field + ".type", "unsupported pre-tokenizer \"" + type
                    + "\"; byte-level BPE takes ByteLevel, Split (Isolated) and Sequence");
        }
    }

    private PreTokenizer.Split split(JsonNode node, String field) {
        String behavior = node.path("behavior").asText("");
        if (!behavior.equals("Isolated")) {
            throw error(field + ".behavior", "only \"Isolated\" is supported, found \"" + behavior + "\"");
        }
        if (node.path("invert").asBoolean(false)) {
            throw error(field + ".invert", "true is not supported");
        }
        JsonNode pattern = node.path("pattern");
        String regex;
        if (pattern.path("Regex").isTextual()) {
            regex = pattern.get("Regex").textValue();
        } else if (pattern.path("String").isTextual()) {
            regex = java.util.regex.Pattern.quote(pattern.get("String").textValue());
        } else {
            throw error(field + ".pattern", "must be {\"Regex\": …} or {\"String\": …}, found " + node.get("pattern"));
        }
        try {
            return new PreTokenizer.Split(PreTokenizer.compile(regex));
        } catch (PatternSyntaxException e) {
            throw error(field + ".pattern", "regex does not compile: " + e.getDescription());
        }
    }

    private void decoder(JsonNode node) {
        String type = node == null ? "" : node.path("type").asText("");
        if (!type.equals("ByteLevel")) {
            throw error("decoder", "byte-level BPE needs a ByteLevel decoder, found " + node);
        }
    }
}
