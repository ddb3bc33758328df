package io.verigrid.engine.data;

/** What a pipeline record holds; every step declares the type it reads and the type it writes. */
public enum RecordType {
    /** UTF-8 text. */
    TEXT,
    /** Token ids from a tokenizer. */
    TOKENS,
    /** A float32 image C×H×W with its label vector. */
    IMAGE;

    /** The lower-case name used in JSON specs. */
    public String jsonName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
