package io.verigrid.verify;

import io.verigrid.engine.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * The hashes an inference response is committed under (docs/protocol.md, "Inference"). Tags 0x05..0x07 and 0x09
 * keep them apart from every other leaf.
 * <ul>
 *   <li>response leaf: H(0x05 ‖ u32 choice ‖ u32 position ‖ u32 token ‖ logits root), the logits root being
 *       {@link Commitments#outputRoot} of the position's logits as shape (1, vocab) — exactly the output root
 *       of the last operator of the position's program, so the game can tie the two together;</li>
 *   <li>response root: Merkle root of the response leaves in (choice, position) order — the commitment the
 *       gateway returns in {@code x-verigrid-commitment} and the provider settles on the ledger;</li>
 *   <li>embedding leaf: H(0x09 ‖ pooled root), the pooled root being {@link Commitments#outputRoot} of the embedding
 *       (shape (hidden), the output of {@code mean_axis} over the prompt positions' final hidden states); the response
 *       root of an embedding request is the Merkle root of that one leaf, i.e. the leaf itself;</li>
 *   <li>transcript leaf (only built in a dispute): H(0x06 ‖ u32 position ‖ u32 fed token ‖ trace root of that
 *       position's program); the transcript root is their Merkle root over positions 0..T−1;</li>
 *   <li>weights root: Merkle root of {@link Commitments#tensorLeaf} of every weight in name order — the model
 *       as registered on the ledger.</li>
 * </ul>
 */
public final class InferenceCommitments {
    static final byte RESPONSE_TAG = 0x05;
    static final byte TRANSCRIPT_TAG = 0x06;
    static final byte EMBEDDING_TAG = 0x09;

    private InferenceCommitments() {}

    /** One committed position of one choice. */
    public record ResponseLeaf(int choice, int position, int token, byte[] logitsRoot) {
        public ResponseLeaf {
            if (choice < 0 || position < 0 || token < 0) {
                throw new IllegalArgumentException("choice, position and token must be >= 0");
            }
            if (logitsRoot == null || logitsRoot.length != 32) throw new IllegalArgumentException("logitsRoot: must be 32 bytes");
            logitsRoot = logitsRoot.clone();
        }

        @Override
        public byte[] logitsRoot() {
            return logitsRoot.clone();
        }

        public byte[] hash() {
            return Hashes.sha256(new CanonicalWriter().u8(RESPONSE_TAG).u32(choice).u32(position).u32(token)
                    .raw(logitsRoot).toByteArray());
        }

        void write(CanonicalWriter out) {
            out.u32(choice).u32(position).u32(token).raw(logitsRoot);
        }

        static ResponseLeaf read(CanonicalReader in) {
            return new ResponseLeaf(in.u32(), in.u32(), in.u32(), in.raw(32));
        }
    }

    /** The logits root of one position: the output root of (1, vocab) logits. */
    public static byte[] logitsRoot(float[] logits) {
        return Commitments.outputRoot(Tensor.of(new int[] {1, logits.length}, logits));
    }

    /** Merkle root of the leaves, which must be in (choice, position) order. */
    public static byte[] responseRoot(List<ResponseLeaf> leaves) {
        List<byte[]> hashes = new ArrayList<>(leaves.size());
        for (ResponseLeaf leaf : leaves) hashes.add(leaf.hash());
        return Merkle.root(hashes);
    }

    /** The response root of an embedding request: the Merkle root of its one leaf H(0x09 ‖ pooled root). */
    public static byte[] embeddingRoot(byte[] pooledRoot) {
        if (pooledRoot == null || pooledRoot.length != 32) throw new IllegalArgumentException("pooledRoot: must be 32 bytes");
        return Merkle.root(List.of(Hashes.sha256(new CanonicalWriter().u8(EMBEDDING_TAG).raw(pooledRoot).toByteArray())));
    }

    public static byte[] transcriptLeaf(int position, int token, byte[] traceRoot) {
        return Hashes.sha256(new CanonicalWriter().u8(TRANSCRIPT_TAG).u32(position).u32(token).raw(traceRoot).toByteArray());
    }

    public static List<byte[]> weightLeaves(SortedMap<String, Tensor> weights) {
        List<byte[]> leaves = new ArrayList<>(weights.size());
        for (Map.Entry<String, Tensor> e : weights.entrySet()) leaves.add(Commitments.tensorLeaf(e.getKey(), e.getValue()));
        return leaves;
    }

    public static byte[] weightsRoot(SortedMap<String, Tensor> weights) {
        return Merkle.root(weightLeaves(weights));
    }

    /** The proof of weight {@code name} against {@link #weightsRoot}. */
    public static LeafProof weightProof(SortedMap<String, Tensor> weights, String name) {
        List<String> names = new ArrayList<>(weights.keySet());
        int index = names.indexOf(name);
        if (index < 0) throw new IllegalArgumentException("name: no weight " + name);
        return new LeafProof(index, names.size(), Merkle.proof(weightLeaves(weights), index));
    }
}
