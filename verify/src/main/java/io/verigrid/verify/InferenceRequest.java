package io.verigrid.verify;

import io.verigrid.engine.generate.SamplingParams;
import java.util.Arrays;

/**
 * What a served inference request asked for, in the form the ledger and a verifier re-execute: the request id the
 * gateway gave it, the prompt's token ids, the number of choices, the completion limit per choice, the sampling
 * parameters with the seed actually used, and the end-of-sequence ids. Stop strings are not part of it: a choice
 * may end early on one, which a verifier reproduces by decoding the committed number of positions.
 *
 * <p>Encoding (version 1): u8 1 ‖ string id ‖ u32 count ‖ u32 prompt ids ‖ u32 n ‖ u32 maxTokens ‖ u32 temperature
 * bits ‖ u32 topK ‖ u32 topP bits ‖ i64 seed ‖ u32 count ‖ u32 stop ids (ascending). {@link #hash()} =
 * H(0x07 ‖ encoding) names the request on the ledger.
 */
public record InferenceRequest(String id, int[] prompt, int n, int maxTokens, SamplingParams sampling, int[] stopTokens) {
    static final byte REQUEST_TAG = 0x07;
    private static final int VERSION = 1;
    /** Bound on prompt length and stop ids a decoder accepts, so hostile counts cannot allocate. */
    public static final int MAX_TOKENS = 1 << 20;

    public InferenceRequest {
        if (id == null || id.isEmpty() || id.length() > 128) throw new IllegalArgumentException("id: must be 1..128 characters");
        if (prompt == null || prompt.length == 0 || prompt.length > MAX_TOKENS) {
            throw new IllegalArgumentException("prompt: must hold 1.." + MAX_TOKENS + " token ids");
        }
        if (n < 1 || n > 128) throw new IllegalArgumentException("n: must be in 1..128, got " + n);
        if (maxTokens < 1) throw new IllegalArgumentException("maxTokens: must be >= 1, got " + maxTokens);
        if (sampling == null) throw new IllegalArgumentException("sampling: null");
        if (stopTokens == null || stopTokens.length > 1024) throw new IllegalArgumentException("stopTokens: null or more than 1024");
        for (int token : prompt) {
            if (token < 0) throw new IllegalArgumentException("prompt: negative token id " + token);
        }
        prompt = prompt.clone();
        stopTokens = Arrays.stream(stopTokens).distinct().sorted().toArray();
    }

    @Override
    public int[] prompt() {
        return prompt.clone();
    }

    @Override
    public int[] stopTokens() {
        return stopTokens.clone();
    }

    public boolean isStop(int token) {
        return Arrays.binarySearch(stopTokens, token) >= 0;
    }

    public byte[] encode() {
        CanonicalWriter out = new CanonicalWriter().u8(VERSION).string(id).u32(prompt.length);
        for (int token : prompt) out.u32(token);
        out.u32(n).u32(maxTokens).u32(Float.floatToRawIntBits(sampling.temperature())).u32(sampling.topK())
                .u32(Float.floatToRawIntBits(sampling.topP())).i64(sampling.seed()).u32(stopTokens.length);
        for (int token : stopTokens) out.u32(token);
        return out.toByteArray();
    }

    /** Decodes {@link #encode()}; anything else (unknown version, truncation, trailing bytes) is an IllegalArgumentException. */
    public static InferenceRequest decode(byte[] bytes) {
        try {
            CanonicalReader in = new CanonicalReader(bytes);
            int version = in.u8();
            if (version != VERSION) throw new IllegalArgumentException("request: unknown version " + version);
            String id = in.string();
            int[] prompt = readIds(in, "prompt");
            int n = in.u32();
            int maxTokens = in.u32();
            float temperature = Float.intBitsToFloat(in.u32());
            int topK = in.u32();
            float topP = Float.intBitsToFloat(in.u32());
            long seed = in.i64();
            int[] stops = readIds(in, "stopTokens");
            in.expectEnd();
            InferenceRequest request = new InferenceRequest(id, prompt, n, maxTokens,
                    new SamplingParams(temperature, topK, topP, seed), stops);
            if (!Arrays.equals(request.encode(), bytes)) throw new IllegalArgumentException("request: not canonical");
            return request;
        } catch (IllegalStateException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("request: malformed: " + e.getMessage(), e);
        }
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
        return "InferenceRequest[" + id + ", " + prompt.length + " prompt tokens, n=" + n + ", max " + maxTokens + "]";
    }
}
