package io.verigrid.engine.data;

import io.verigrid.engine.tokenizer.Tokenizer;

import java.util.HashMap;
import java.util.Map;

/**
 * The content-addressed side inputs of a run: tokenizer.json texts by the SHA-256 hex of their UTF-8 bytes. A spec
 * names a tokenizer by that hash, so the same spec can never silently run with another tokenizer.
 */
public final class Resources {
    private final Map<String, String> tokenizerJson;
    private final Map<String, Tokenizer> loaded = new HashMap<>();

    public Resources(Map<String, String> tokenizerJson) {
        if (tokenizerJson == null) {
            throw new IllegalArgumentException("tokenizerJson: null");
        }
        for (Map.Entry<String, String> entry : tokenizerJson.entrySet()) {
            String actual = tokenizerSha256(entry.getValue());
            if (!actual.equals(entry.getKey())) {
                throw new IllegalArgumentException("tokenizerJson: key " + entry.getKey()
                        + " is not the SHA-256 of its text (" + actual + ")");
            }
        }
        this.tokenizerJson = Map.copyOf(tokenizerJson);
    }

    public static Resources none() {
        return new Resources(Map.of());
    }

    /** Resources holding the given tokenizer.json texts, each under its hash. */
    public static Resources ofTokenizers(String... jsonTexts) {
        Map<String, String> byHash = new HashMap<>();
        for (String json : jsonTexts) {
            byHash.put(tokenizerSha256(json), json);
        }
        return new Resources(byHash);
    }

    /** The hex SHA-256 of the tokenizer.json text's UTF-8 bytes: how a spec names it. */
    public static String tokenizerSha256(String json) {
        if (json == null) {
            throw new IllegalArgumentException("tokenizer json: null");
        }
        return Sha256.hex(Sha256.of(json.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    public Map<String, String> tokenizerJson() {
        return tokenizerJson;
    }

    /** The loaded tokenizer with hash {@code sha256}; loaded once per Resources and shared (it is immutable). */
    public synchronized Tokenizer tokenizer(String sha256) {
        Tokenizer tokenizer = loaded.get(sha256);
        if (tokenizer == null) {
            String json = tokenizerJson.get(sha256);
            if (json == null) {
                throw new IllegalArgumentException("tokenizer_sha256: no tokenizer.json with hash " + sha256
                        + " among the run's resources " + tokenizerJson.keySet());
            }
            tokenizer = Tokenizer.fromJson(json);
            loaded.put(sha256, tokenizer);
        }
        return tokenizer;
    }
}
