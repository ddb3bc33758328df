package io.verigrid.node.gateway;

import io.verigrid.engine.generate.TokenEvent;
import io.verigrid.verify.Hashes;
import io.verigrid.verify.InferenceCommitments;
import io.verigrid.verify.InferenceCommitments.ResponseLeaf;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The hash commitment of one inference response ({@link InferenceCommitments}, docs/protocol.md "Inference"): one
 * leaf per generated position, H(0x05 ‖ u32 choice ‖ u32 position ‖ u32 token id ‖ logits root), the logits root
 * being the output root of the position's final logits as shape (1, vocab); the commitment is the Merkle root of
 * the leaves ordered by (choice, position). Anyone re-executing the request (same prompt, sampling parameters and
 * seed) recomputes it bit for bit, and a dispute can open it leaf by leaf. Thread-safe: events arrive on the
 * decode thread.
 */
public final class ResponseCommitment {
    private final List<ResponseLeaf> leaves = new ArrayList<>();

    /** Adds one generated position. */
    public void add(TokenEvent event) {
        ResponseLeaf leaf = new ResponseLeaf(event.choice(), event.position(), event.pick().token(),
                InferenceCommitments.logitsRoot(event.logits()));
        synchronized (leaves) {
            leaves.add(leaf);
        }
    }

    /** The leaves so far in (choice, position) order. */
    public List<ResponseLeaf> leaves() {
        synchronized (leaves) {
            return leaves.stream().sorted(Comparator.comparingInt(ResponseLeaf::choice)
                    .thenComparingInt(ResponseLeaf::position)).toList();
        }
    }

    /** The Merkle root over all positions so far, lowercase hex. */
    public String rootHex() {
        return Hashes.hex(InferenceCommitments.responseRoot(leaves()));
    }
}
