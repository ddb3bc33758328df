package io.verigrid.verify;

import io.verigrid.engine.generate.LogitAdjustments;
import io.verigrid.engine.generate.SamplingParams;
import java.util.Arrays;

/**
 * What a served inference request asked for, in the form the ledger and a verifier re-execute: the request id the
 * gateway gave it, the prompt's token ids, the number of choices, the completion limit per choice, the sampling
 * parameters with the seed actually used, the end-of-sequence ids, and the client's stop strings as token sequences
 * (each string's own tokenization). A choice must end at the first end-of-sequence id or completed stop sequence among
 * its generated tokens (the referee checks both on the opened response, {@code InferenceGame#brokenRule}); it may end
 * earlier, e.g. where a stop string appears in the text through another tokenization, which bills less and which a
 * verifier reproduces by decoding the committed number of positions.
 *
 * <p>An {@link Kind#EMBEDDING} request ({@link #embedding}) is one input of {@code /v1/embeddings}: the prompt is the
 * input's token ids and nothing is generated (n = 1, maxTokens = 0, no sampling, no stop ids); its response is the
 * mean of the prompt positions' final hidden states ({@link InferencePooling}).
 *
 * <p>Encoding, version 1 (completion): u8 1 ‖ string id ‖ u32 count ‖ u32 prompt ids ‖ u32 n ‖ u32 maxTokens ‖ u32
 * temperature bits ‖ u32 topK ‖ u32 topP bits ‖ i64 seed ‖ u32 count ‖ u32 stop ids (ascending); version 2
 * (embedding): u8 2 ‖ string id ‖ u32 count ‖ u32 prompt ids; version 3 (completion with stop sequences): version 1's
 * fields after u8 3 ‖ u32 count ‖ per sequence (u32 length ‖ u32 ids), sequences deduplicated in lexicographic order.
 * Version 4 (completion with logit adjustments — OpenAI's {@code logit_bias}, {@code frequency_penalty},
 * {@code presence_penalty}): u8 4, version 1's fields, the stop-sequence section of version 3 (count 0..4), then
 * u32 count ‖ per biased token (u32 id ‖ f32 bias), ids ascending ‖ f32 frequency penalty ‖ f32 presence penalty
 * (f32: the float's raw bits, 4 bytes little-endian). A completion without stop sequences or adjustments is always version 1, with stop sequences only 3. {@link #hash()} = H(0x07 ‖ encoding) names the request on
 * the ledger.
 */
public record InferenceRequest(String id, int[] prompt, int n, int maxTokens, SamplingParams sampling, int[] stopTokens,
                               int[][] stopSequences, Kind kind) {
    /** What the request asks for: generated tokens, or the pooled embedding of the prompt. */
    public enum Kind { COMPLETION, EMBEDDING }

    static final byte REQUEST_TAG = 0x07;
    private static final int VERSION = 1;
    private static final int EMBEDDING_VERSION = 2;
    private static final int STOP_SEQUENCES_VERSION = 3;
    private static final int ADJUSTED_VERSION = 4;
    /** At most this many stop sequences (the OpenAI API's four stop strings), each of at most this many tokens. */
    public static final int MAX_STOP_SEQUENCES = 4;
    public static final int MAX_STOP_SEQUENCE_TOKENS = 64;
    /** The fixed, unused sampling fields of an embedding request. */
    private static final SamplingParams NO_SAMPLING = new SamplingParams(0f, 0, 1f, 0);
    /** Bound on prompt length and stop ids a decoder accepts, so hostile counts cannot allocate. */
    public static final int MAX_TOKENS = 1 << 20;

    public InferenceRequest {
        if (id == null || id.isEmpty() || id.length() > 128) throw new IllegalArgumentException("id: must be 1..128 characters");
        if (prompt == null || prompt.length == 0 || prompt.length > MAX_TOKENS) {
            throw new IllegalArgumentException("prompt: must hold 1.." + MAX_TOKENS + " token ids");
        }
        if (kind == null) throw new IllegalArgumentException("kind: null");
        if (n < 1 || n > 128) throw new IllegalArgumentException("n: must be in 1..128, got " + n);
        if (kind == Kind.COMPLETION && maxTokens < 1) throw new IllegalArgumentException("maxTokens: must be >= 1, got " + maxTokens);
        if (sampling == null) throw new IllegalArgumentException("sampling: null");
        if (stopTokens == null || stopTokens.length > 1024) throw new IllegalArgumentException("stopTokens: null or more than 1024");
        stopSequences = canonicalSequences(stopSequences);
        if (kind == Kind.EMBEDDING && (n != 1 || maxTokens != 0 || stopTokens.length != 0 || stopSequences.length != 0
                || !sampling.equals(NO_SAMPLING))) {
            throw new IllegalArgumentException("an embedding request generates nothing: use InferenceRequest.embedding");
        }
        for (int token : prompt) {
            if (token < 0) throw new IllegalArgumentException("prompt: negative token id " + token);
        }
        prompt = prompt.clone();
        stopTokens = Arrays.stream(stopTokens).distinct().sorted().toArray();
    }

    /** A completion request without stop sequences. */
    public InferenceRequest(String id, int[] prompt, int n, int maxTokens, SamplingParams sampling, int[] stopTokens) {
        this(id, prompt, n, maxTokens, sampling, stopTokens, new int[0][], Kind.COMPLETION);
    }

    /** A completion request whose choices also end at any of {@code stopSequences} (token ids of the stop strings). */
    public InferenceRequest(String id, int[] prompt, int n, int maxTokens, SamplingParams sampling, int[] stopTokens,
            int[][] stopSequences) {
        this(id, prompt, n, maxTokens, sampling, stopTokens, stopSequences, Kind.COMPLETION);
    }

    /** Checked copies, deduplicated and in lexicographic order, so that equal requests encode equally. */
    private static int[][] canonicalSequences(int[][] sequences) {
        if (sequences == null) throw new IllegalArgumentException("stopSequences: null");
        int[][] sorted = Arrays.stream(sequences).map(sequence -> {
            if (sequence == null || sequence.length == 0 || sequence.length > MAX_STOP_SEQUENCE_TOKENS) {
                throw new IllegalArgumentException("stopSequences: each must hold 1.." + MAX_STOP_SEQUENCE_TOKENS + " token ids");
            }
            for (int token : sequence) {
                if (token < 0) throw new IllegalArgumentException("stopSequences: negative token id " + token);
            }
            return sequence.clone();
        }).sorted(Arrays::compare).toArray(int[][]::new);
        java.util.List<int[]> distinct = new java.util.ArrayList<>();
        for (int[] sequence : sorted) {
            if (distinct.isEmpty() || !Arrays.equals(distinct.get(distinct.size() - 1), sequence)) distinct.add(sequence);
        }
        if (distinct.size() > MAX_STOP_SEQUENCES) {
            throw new IllegalArgumentException("stopSequences: at most " + MAX_STOP_SEQUENCES + ", got " + distinct.size());
        }
        return distinct.toArray(int[][]::new);
    }

    /** The embedding of one input: its token ids {@code prompt}, nothing generated. */
    public static InferenceRequest embedding(String id, int[] prompt) {
        return new InferenceRequest(id, prompt, 1, 0, NO_SAMPLING, new int[0], new int[0][], Kind.EMBEDDING);
    }

    public boolean isEmbedding() {
        return kind == Kind.EMBEDDING;
    }

    @Override
    public int[] prompt() {
        return prompt.clone();
    }

    @Override
    public int[] stopTokens() {
        return stopTokens.clone();
    }

    @Override
    public int[][] stopSequences() {
        return Arrays.stream(stopSequences).map(int[]::clone).toArray(int[][]::new);
    }

    public boolean isStop(int token) {
        return Arrays.binarySearch(stopTokens, token) >= 0;
    }

    /** Whether {@code generated[0..end]} (one choice's tokens through position {@code end}) ends with a stop sequence. */
    public boolean completesStopSequence(int[] generated, int end) {
        for (int[] sequence : stopSequences) {
            int start = end + 1 - sequence.length;
            if (start >= 0 && Arrays.equals(generated, start, end + 1, sequence, 0, sequence.length)) return true;
        }
        return false;
    }

    public byte[] encode() {
        int version = isEmbedding() ? EMBEDDING_VERSION : !sampling.adjustments().none() ? ADJUSTED_VERSION
                : stopSequences.length > 0 ? STOP_SEQUENCES_VERSION : VERSION;
        CanonicalWriter out = new CanonicalWriter().u8(version).string(id).u32(prompt.length);
        for (int token : prompt) out.u32(token);
        if (isEmbedding()) return out.toByteArray();
        out.u32(n).u32(maxTokens).u32(Float.floatToRawIntBits(sampling.temperature())).u32(sampling.topK())
                .u32(Float.floatToRawIntBits(sampling.topP())).i64(sampling.seed()).u32(stopTokens.length);
        for (int token : stopTokens) out.u32(token);
        if (version == STOP_SEQUENCES_VERSION || version == ADJUSTED_VERSION) {
            out.u32(stopSequences.length);
            for (int[] sequence : stopSequences) {
                out.u32(sequence.length);
                for (int token : sequence) out.u32(token);
            }
        }
        if (version == ADJUSTED_VERSION) {
            LogitAdjustments a = sampling.adjustments();
            int[] tokens = a.biasTokens();
            float[] values = a.biasValues();
            out.u32(tokens.length);
            for (int i = 0; i < tokens.length; i++) out.u32(tokens[i]).f32(values[i]);
            out.f32(a.frequencyPenalty()).f32(a.presencePenalty());
        }
        return out.toByteArray();
    }

    /** Decodes {@link #encode()}; anything else (unknown version, truncation, trailing bytes) is an IllegalArgumentException. */
    public static InferenceRequest decode(byte[] bytes) {
        try {
            CanonicalReader in = new CanonicalReader(bytes);
            int version = in.u8();
            if (version < VERSION || version > ADJUSTED_VERSION) throw new IllegalArgumentException("request: unknown version " + version);
            String id = in.string();
            int[] prompt = readIds(in, "prompt");
            if (version == EMBEDDING_VERSION) {
                in.expectEnd();
                return checkedCanonical(embedding(id, prompt), bytes);
            }
            int n = in.u32();
            int maxTokens = in.u32();
            float temperature = Float.intBitsToFloat(in.u32());
            int topK = in.u32();
            float topP = Float.intBitsToFloat(in.u32());
            long seed = in.i64();
            int[] stops = readIds(in, "stopTokens");
            int[][] sequences = new int[0][];
            LogitAdjustments adjustments = LogitAdjustments.NONE;
            if (version == STOP_SEQUENCES_VERSION || version == ADJUSTED_VERSION) {
                int count = in.u32();
                if (count < (version == ADJUSTED_VERSION ? 0 : 1) || count > MAX_STOP_SEQUENCES) throw new IllegalArgumentException("stopSequences: count " + count + " out of range");
                sequences = new int[count][];
                for (int i = 0; i < count; i++) {
                    int length = in.u32();
                    if (length < 1 || length > MAX_STOP_SEQUENCE_TOKENS) {
                        throw new IllegalArgumentException("stopSequences: length " + length + " out of range");
                    }
                    sequences[i] = new int[length];
                    for (int j = 0; j < length; j++) sequences[i][j] = in.u32();
                }
            }
            if (version == ADJUSTED_VERSION) {
                int count = in.u32();
                if (count < 0 || count > LogitAdjustments.MAX_BIASES) throw new IllegalArgumentException("logit bias: count " + count + " out of range");
                int[] tokens = new int[count];
                float[] values = new float[count];
                for (int i = 0; i < count; i++) {
                    tokens[i] = in.u32();
                    values[i] = in.f32();
                }
                adjustments = new LogitAdjustments(tokens, values, in.f32(), in.f32());
            }
            in.expectEnd();
            return checkedCanonical(new InferenceRequest(id, prompt, n, maxTokens,
                    new SamplingParams(temperature, topK, topP, seed, adjustments), stops, sequences), bytes);
        } catch (IllegalStateException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("request: malformed: " + e.getMessage(), e);
        }
    }

    private static InferenceRequest checkedCanonical(InferenceRequest request, byte[] bytes) {
        if (!Arrays.equals(request.encode(), bytes)) throw new IllegalArgumentException("request: not canonical");
        return request;
    }

    public byte[] hash() {
        return Hashes.sha256(new CanonicalWriter().u8(REQUEST_TAG).raw(encode()).toByteArray());
    }

    private static int[] readIds(CanonicalReader in, String what) {
        int count = in.u32();
        if (count < 0 || count > MAX_TOKENS) throw new IllegalArgumentException(what + ": count " + count + " out of range");
        int[] ids = new int[count];
        for (int i = 0; i < count; i++) ids[i] = in.u32();
        return ids;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof InferenceRequest r && Arrays.equals(encode(), r.encode());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encode());
    }

    @Override
    public String toString() {
        if (isEmbedding()) return "InferenceRequest[" + id + ", embedding of " + prompt.length + " tokens]";
        return "InferenceRequest[" + id + ", " + prompt.length + " prompt tokens, n=" + n + ", max " + maxTokens
                + (stopSequences.length > 0 ? ", " + stopSequences.length + " stop sequences" : "") + "]";
    }
}
