package io.verigrid.node.gateway;

import io.verigrid.verify.Hashes;
import io.verigrid.verify.InferenceCommitments;
import io.verigrid.verify.InferenceCommitments.ResponseLeaf;
import io.verigrid.verify.InferenceRequest;
import java.util.List;

/**
 * A request the gateway answered (finished, failed after some tokens, or cut short by the client): the API key it
 * was served under, the request as a verifier re-executes it, the committed leaves and the tokens billed — or, for
 * one input of an embeddings call ({@link InferenceRequest#isEmbedding()}), no leaves and the committed pooled root.
 */
public record ServedRequest(String apiKey, InferenceRequest request, List<ResponseLeaf> leaves, int promptTokens,
        int completionTokens, byte[] pooledRoot) {
    public ServedRequest {
        leaves = List.copyOf(leaves);
        if (request.isEmbedding() != (pooledRoot != null)) {
            throw new IllegalArgumentException("pooledRoot: required for an embedding request, and only for one");
        }
        if (pooledRoot != null) {
            if (pooledRoot.length != 32 || !leaves.isEmpty() || completionTokens != 0) {
                throw new IllegalArgumentException("an embedding commits one 32-byte pooled root and no completion");
            }
            pooledRoot = pooledRoot.clone();
        }
    }

    /** A chat or text completion. */
    public ServedRequest(String apiKey, InferenceRequest request, List<ResponseLeaf> leaves, int promptTokens,
            int completionTokens) {
        this(apiKey, request, leaves, promptTokens, completionTokens, null);
    }

    /** One input of an embeddings call: its prompt tokens billed, its pooled root committed. */
    public static ServedRequest embedding(String apiKey, InferenceRequest request, byte[] pooledRoot) {
        return new ServedRequest(apiKey, request, List.of(), request.prompt().length, 0, pooledRoot);
    }

    @Override
    public byte[] pooledRoot() {
        return pooledRoot == null ? null : pooledRoot.clone();
    }

    public byte[] responseRoot() {
        return pooledRoot != null ? InferenceCommitments.embeddingRoot(pooledRoot) : InferenceCommitments.responseRoot(leaves);
    }

    public String requestHashHex() {
        return Hashes.hex(request.hash());
    }

    /** Positions generated per choice: what a verifier decodes to recompute the same leaves. */
    public int[] lengths() {
        int[] lengths = new int[request.n()];
        for (ResponseLeaf leaf : leaves) lengths[leaf.choice()] = Math.max(lengths[leaf.choice()], leaf.position() + 1);
        return lengths;
    }
}
