package io.verigrid.node.gateway;

import io.verigrid.engine.Tensor;
import io.verigrid.engine.generate.TokenEvent;
import io.verigrid.verify.CanonicalWriter;
import io.verigrid.verify.Commitments;
import io.verigrid.verify.Hashes;
import io.verigrid.verify.Merkle;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The hash commitment of one inference response (dispute-game spec §1, "Inference"): one leaf per generated
 * position, H(0x05 ‖ u32 choice (little-endian, as every protocol integer) ‖ u32 position ‖ u32 token id ‖ logits leaf), where the logits leaf is
 * {@link Commitments#tensorLeaf} of the position's final logits (shape [vocab]) under the name
 * {@code "logits"}; the commitment is the Merkle root of the leaves ordered by (choice, position). Anyone
 * re-executing the request (same prompt, sampling parameters and seed) recomputes it bit for bit, and a
 * dispute can bisect over the positions. Thread-safe: events arrive on the decode thread.
 */
public final class ResponseCommitment {
    static final byte POSITION_TAG = 0x05;

    private record Leaf(int choice, int position, byte[] hash) {
    }

    private final List<Leaf> leaves = new ArrayList<>();

    /** Adds one generated position. */
    public void add(TokenEvent event) {
        byte[] logits = Commitments.tensorLeaf("logits", Tensor.of(new int[] {event.logits().length}, event.logits()));
        byte[] leaf = Hashes.sha256(new CanonicalWriter().u8(POSITION_TAG).u32(event.choice()).u32(event.position())
                .u32(event.pick().token()).raw(logits).toByteArray());
        synchronized (leaves) {
            leaves.add(new Leaf(event.choice(), event.position(), leaf));
        }
    }

    /** The Merkle root over all positions so far, lowercase hex. */
    public String rootHex() {
        List<byte[]> ordered;
        synchronized (leaves) {
            ordered = leaves.stream().sorted(Comparator.comparingInt(Leaf::choice).thenComparingInt(Leaf::position))
                    .map(Leaf::hash).toList();
        }
        return Hashes.hex(Merkle.root(ordered));
    }
}
