package io.verigrid.engine.data;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Text to token ids with the engine's byte-level BPE {@link io.verigrid.engine.tokenizer.Tokenizer}, named by the
 * SHA-256 (hex) of its tokenizer.json text and looked up in the run's {@link Resources}. The post-processor is not
 * applied (no begin-of-text token), as {@code Tokenizer.encode} documents.
 */
public record Tokenize(String tokenizerSha256) implements MapStep {
    public static final String NAME = "tokenize";

    public Tokenize {
        if (tokenizerSha256 == null || !tokenizerSha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("tokenizer_sha256: must be 64 lower-case hex digits, got " + tokenizerSha256);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public RecordType inputType() {
        return RecordType.TEXT;
    }

    @Override
    public RecordType outputType(RecordType input) {
        return RecordType.TOKENS;
    }

    @Override
    public DataRecord apply(DataRecord record, Resources resources) {
        return new TokenRecord(record.origin(), resources.tokenizer(tokenizerSha256).encode(((TextRecord) record).text()));
    }

    @Override
    public void writeParams(DataWriter out) {
        out.string(tokenizerSha256);
    }

    static Tokenize read(DataReader in) {
        return new Tokenize(in.string());
    }

    static Tokenize fromJson(JsonFields f) {
        return new Tokenize(f.text("tokenizer_sha256"));
    }

    @Override
    public Map<String, Object> jsonParams() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("tokenizer_sha256", tokenizerSha256);
        return params;
    }
}
