package io.verigrid.engine.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * A byte-level BPE tokenizer (GPT-2, Llama 3 and their relatives) loaded from a Hugging Face
 * {@code tokenizer.json}.
 *
 * <p>{@link #encode(String)} gives the ids of the text itself, as Hugging Face's
 * {@code encode(text, add_special_tokens=False)} does: added tokens are cut out by exact match, the rest is
 * pre-tokenized (the GPT-2 or the file's Split regex), turned into byte-level characters and merged by BPE.
 * The post-processor (which would add a begin-of-text token) is not applied. {@link #decode(int[])} turns
 * ids back into text with the ByteLevel decoder; {@code decode(encode(text))} is the text itself, preceded by
 * a space when the ByteLevel pre-tokenizer has {@code add_prefix_space} and the text does not start with one.
 * Instances are immutable and safe to share between threads.
 */
public final class Tokenizer {
    private final Bpe bpe;
    private final PreTokenizer preTokenizer;
    private final AddedTokens addedTokens;
    private final Map<Integer, String> tokensById = new HashMap<>();

    Tokenizer(Bpe bpe, PreTokenizer preTokenizer, AddedTokens addedTokens) {
        this.bpe = bpe;
        this.preTokenizer = preTokenizer;
        this.addedTokens = addedTokens;
        bpe.vocab().forEach((token, id) -> tokensById.put(id, token));
        addedTokens.ids().forEach((token, id) -> tokensById.put(id, token));
    }

    /**
     * Loads a {@code tokenizer.json}. Malformed or unsupported content (missing model, a model type other
     * than BPE, merges naming unknown tokens, a pre-tokenizer or decoder other than byte-level) is an
     * {@link IllegalArgumentException} naming the file and the field.
     */
    public static Tokenizer load(Path tokenizerJson) {
        return TokenizerJson.load(tokenizerJson);
    }

    /** As {@link #load(Path)}, from the JSON text itself. */
    public static Tokenizer fromJson(String json) {
        return TokenizerJson.parse(json, "tokenizer.json text");
    }

    /** The token ids of {@code text}; an unpaired surrogate in it is an {@link IllegalArgumentException}. */
    public int[] encode(String text) {
        if (text == null) {
            throw new IllegalArgumentException("text must not be null");
        }
        checkWellFormed(text);
        Bpe.IntList ids = new Bpe.IntList();
        for (AddedTokens.Segment segment : addedTokens.split(text)) {
            if (segment.id() >= 0) {
                ids.add(segment.id());
                continue;
            }
            for (String word : preTokenizer.split(segment.text())) {
                bpe.encode(ByteLevel.toChars(word.getBytes(StandardCharsets.UTF_8)), ids);
            }
        }
        return ids.toArray();
    }

    /**
     * The text of {@code ids}. Ids that end inside a multi-byte character decode to U+FFFD for the
     * incomplete bytes; an id that is no token is an {@link IllegalArgumentException} naming its index.
     */
    public String decode(int[] ids) {
        if (ids == null) {
            throw new IllegalArgumentException("ids must not be null");
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < ids.length; i++) {
            String token = tokensById.get(ids[i]);
            if (token == null) {
                throw new IllegalArgumentException("ids[" + i + "] = " + ids[i] + " is not a token id");
            }
            ByteLevel.appendBytes(token, bytes);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** The number of distinct token ids: the vocabulary plus added tokens outside it. */
    public int vocabSize() {
        return tokensById.size();
    }

    /** The id of {@code token} (in byte-level characters, e.g. {@code "Ġthe"}, or an added token's content). */
    public OptionalInt tokenId(String token) {
        Integer id = addedTokens.ids().get(token);
        if (id == null) {
            id = bpe.vocab().get(token);
        }
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** The token with {@code id}, as written in the vocabulary. */
    public String token(int id) {
        String token = tokensById.get(id);
        if (token == null) {
            throw new IllegalArgumentException("id " + id + " is not a token id");
        }
        return token;
    }

    private static void checkWellFormed(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException("text has an unpaired surrogate U+"
                        + Integer.toHexString(c).toUpperCase() + " at index " + i);
            }
        }
    }
}
