package io.verigrid.node.inference;

import io.verigrid.node.gateway.ServedRequest;
import io.verigrid.verify.CanonicalReader;
import io.verigrid.verify.CanonicalWriter;
import io.verigrid.verify.Hashes;
import io.verigrid.verify.InferenceCommitments;
import io.verigrid.verify.InferenceCommitments.ResponseLeaf;
import io.verigrid.verify.InferenceRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * What a provider keeps of one request it settled, to defend it in a dispute and to have it sampled: the hash of the
 * API key it was billed to (never the key itself), the canonical request, the committed leaves (an embedding: none,
 * and its committed pooled root) and the tokens billed. {@code height} is the block its hold landed in, or -1 while
 * the settlement carrying it has no known outcome.
 */
public record ServedRecord(byte[] keyHash, InferenceRequest request, List<ResponseLeaf> leaves, int promptTokens,
        int completionTokens, long height, byte[] pooledRoot) {
    public ServedRecord {
        if (keyHash == null || keyHash.length != 32) throw new IllegalArgumentException("keyHash: must be 32 bytes");
        if (request == null) throw new IllegalArgumentException("request: null");
        if (promptTokens < 0 || completionTokens < 0) throw new IllegalArgumentException("promptTokens and completionTokens must be >= 0");
        if (height < -1) throw new IllegalArgumentException("height must be >= -1, got " + height);
        if (request.isEmbedding() != (pooledRoot != null) || (pooledRoot != null && pooledRoot.length != 32)) {
            throw new IllegalArgumentException("pooledRoot: a 32-byte root for an embedding request, null otherwise");
        }
        keyHash = keyHash.clone();
        leaves = List.copyOf(leaves);
        pooledRoot = pooledRoot == null ? null : pooledRoot.clone();
    }

    /** A completion's record. */
    public ServedRecord(byte[] keyHash, InferenceRequest request, List<ResponseLeaf> leaves, int promptTokens,
            int completionTokens, long height) {
        this(keyHash, request, leaves, promptTokens, completionTokens, height, null);
    }

    /** A request the gateway answered, before its settlement has an outcome. */
    public static ServedRecord of(ServedRequest served) {
        return new ServedRecord(LedgerMetering.keyHash(served.apiKey()), served.request(), served.leaves(),
                served.promptTokens(), served.completionTokens(), -1, served.pooledRoot());
    }

    @Override
    public byte[] keyHash() {
        return keyHash.clone();
    }

    @Override
    public byte[] pooledRoot() {
        return pooledRoot == null ? null : pooledRoot.clone();
    }

    public ServedRecord atHeight(long h) {
        return new ServedRecord(keyHash, request, leaves, promptTokens, completionTokens, h, pooledRoot);
    }

    public String requestHashHex() {
        return Hashes.hex(request.hash());
    }

    public byte[] responseRoot() {
        return pooledRoot != null ? InferenceCommitments.embeddingRoot(pooledRoot) : InferenceCommitments.responseRoot(leaves);
    }

    /** Positions generated per choice: what a verifier decodes to recompute the same leaves. */
    public int[] lengths() {
        int[] lengths = new int[request.n()];
        for (ResponseLeaf leaf : leaves) lengths[leaf.choice()] = Math.max(lengths[leaf.choice()], leaf.position() + 1);
        return lengths;
    }

    /**
     * keyHash ‖ i64 height ‖ bytes request encoding ‖ u32 prompt ‖ u32 completion ‖ u32 count ‖ (u32 choice ‖ u32
     * position ‖ u32 token ‖ logits root)… ‖ [pooled root, for an embedding request only].
     */
    void write(CanonicalWriter out) {
        out.raw(keyHash).i64(height).bytes(request.encode()).u32(promptTokens).u32(completionTokens).u32(leaves.size());
        for (ResponseLeaf leaf : leaves) out.u32(leaf.choice()).u32(leaf.position()).u32(leaf.token()).raw(leaf.logitsRoot());
        if (pooledRoot != null) out.raw(pooledRoot);
    }

    /** Reads {@link #write}: the request's encoding says whether a pooled root follows the leaves. */
    static ServedRecord read(CanonicalReader in) {
        byte[] keyHash = in.raw(32);
        long height = in.i64();
        InferenceRequest request = InferenceRequest.decode(in.bytes());
        int prompt = in.u32();
        int completion = in.u32();
        int count = in.u32();
        List<ResponseLeaf> leaves = new ArrayList<>(Math.min(count, 4096));
        for (int i = 0; i < count; i++) {
            ResponseLeaf leaf = new ResponseLeaf(in.u32(), in.u32(), in.u32(), in.raw(32));
            if (leaf.choice() >= request.n()) throw new IllegalArgumentException("leaves[" + i + "]: choice " + leaf.choice() + " >= n");
            leaves.add(leaf);
        }
        return new ServedRecord(keyHash, request, leaves, prompt, completion, height, request.isEmbedding() ? in.raw(32) : null);
    }
}
