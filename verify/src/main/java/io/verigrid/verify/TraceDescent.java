package io.verigrid.verify;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The descent of a Merkle tree shared by every dispute game (spec §3): from the disputed node, the provider posts the
 * nodes ⌊log2 fanout⌋ levels below it and the challenger picks the leftmost it disputes, until a leaf is reached. The
 * games keep their own state and encodings; this is the geometry and the checks of a posted round, written once.
 */
final class TraceDescent {
    private TraceDescent() {}

    /** How many levels one round descends: ⌊log2 fanout⌋, so at most fanout nodes are posted. */
    static int levelsPerRound(int fanout) {
        return 31 - Integer.numberOfLeadingZeros(fanout);
    }

    /** The level of the nodes posted under a node at {@code nodeLevel}. */
    static int childLevel(int nodeLevel, int fanout) {
        return Math.max(0, nodeLevel - levelsPerRound(fanout));
    }

    /** The position, within {@link #childLevel}, of the first node posted under node {@code nodePosition}. */
    static int childStart(int nodeLevel, int nodePosition, int fanout) {
        return nodePosition << (nodeLevel - childLevel(nodeLevel, fanout));
    }

    /** How many nodes are posted under the node, in a tree of {@code leaves} leaves (a leaf itself: one). */
    static int childCount(int nodeLevel, int nodePosition, int fanout, int leaves) {
        if (leaves == 0) return 0;
        if (nodeLevel == 0) return 1;
        int level = childLevel(nodeLevel, fanout);
        int span = 1 << (nodeLevel - level);
        return Math.min(span, Merkle.width(leaves, level) - childStart(nodeLevel, nodePosition, fanout));
    }

    /**
     * A provider's posted round: {@code expected} hashes that hash back to the disputed node; returns a copy, or throws
     * WRONG_COUNT, MALFORMED or BAD_PROOF naming {@code what} was posted.
     */
    static List<byte[]> checkedRound(List<byte[]> nodes, int expected, byte[] nodeHash, int nodeLevel, int nodePosition,
                                     String what) {
        if (nodes == null || nodes.size() != expected) {
            throw new GameException("WRONG_COUNT", "expected " + expected + " " + what + ", got " + (nodes == null ? "none" : nodes.size()));
        }
        List<byte[]> copy = copyHashes(nodes, what);
        if (!Arrays.equals(Merkle.root(copy), nodeHash)) {
            throw new GameException("BAD_PROOF", "the " + what + " do not hash to the disputed node at level " + nodeLevel
                    + " position " + nodePosition);
        }
        return copy;
    }

    /** A challenger's pick {@code k} among {@code posted} nodes; BAD_PICK when there is no such node. */
    static void checkPick(int k, int posted) {
        if (k < 0 || k >= posted) throw new GameException("BAD_PICK", "k must be in 0.." + (posted - 1) + ", got " + k);
    }

    /** An immutable copy of 32-byte hashes; MALFORMED naming {@code what} when one is not a hash. */
    static List<byte[]> copyHashes(List<byte[]> hashes, String what) {
        List<byte[]> copy = new ArrayList<>(hashes.size());
        for (byte[] hash : hashes) {
            if (hash == null || hash.length != Hashes.LENGTH) {
                throw new GameException("MALFORMED", what + ": every entry must be a 32-byte hash");
            }
            copy.add(hash.clone());
        }
        return List.copyOf(copy);
    }
}
