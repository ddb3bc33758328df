package io.verigrid.node.gateway;

import io.verigrid.verify.Hashes;
import io.verigrid.verify.InferenceCommitments;
import io.verigrid.verify.InferenceCommitments.ResponseLeaf;
import io.verigrid.verify.InferenceRequest;
import java.util.List;

/**
 * A request the gateway answered (finished, failed after some tokens, or cut short by the client): the API key it
 * was served under, the request as a verifier re-executes it, the committed leaves and the tokens billed.
 */
public record ServedRequest(String apiKey, InferenceRequest request, List<ResponseLeaf> leaves, int promptTokens,
        int completionTokens) {
    public ServedRequest {
        leaves = List.copyOf(leaves);
    }

    public byte[] responseRoot() {
        return InferenceCommitments.responseRoot(leaves);
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
