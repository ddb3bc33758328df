package io.verigrid.verify;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Binary Merkle trees over 32-byte leaves as the dispute-game spec fixes them: node = H(0x01 ‖ left ‖ right), and
 * the last node of a level with an odd count is carried up unchanged (not hashed with itself). The root of zero
 * leaves is H() (SHA-256 of the empty string); the root of one leaf is that leaf.
 *
 * <p>The root does not commit to the leaf count (trees of 5 and 6 leaves share the paths of their first leaves),
 * so a verifier that needs a position, not just membership, fixes the count itself, as the referee does for trace
 * leaves; Verigrid's leaves also carry their own name or index.
 */
public final class Merkle {
    static final byte NODE_TAG = 0x01;

    private Merkle() {}

    public static byte[] root(List<byte[]> leaves) {
        checkLeaves(leaves);
        if (leaves.isEmpty()) return Hashes.sha256();
        List<byte[]> level = leaves;
        while (level.size() > 1) level = parents(level);
        return level.get(0).clone();
    }

    /** The path from {@code leaves[index]} to the root. */
    public static MerkleProof proof(List<byte[]> leaves, int index) {
        checkLeaves(leaves);
        if (index < 0 || index >= leaves.size()) {
            throw new IllegalArgumentException("index: " + index + " outside 0.." + (leaves.size() - 1));
        }
        List<byte[]> siblings = new ArrayList<>();
        List<byte[]> level = leaves;
        int position = index;
        while (level.size() > 1) {
            int sibling = position ^ 1;
            if (sibling < level.size()) siblings.add(level.get(sibling));
            level = parents(level);
            position /= 2;
        }
        return new MerkleProof(siblings);
    }

    /**
     * True iff {@code proof} takes {@code leaf} at {@code index} of a tree of {@code leafCount} leaves to
     * {@code root}. Never throws: any malformed argument (nulls, wrong lengths, index out of range, too many or
     * too few siblings) simply gives false.
     */
    public static boolean verify(byte[] root, int leafCount, int index, byte[] leaf, MerkleProof proof) {
        if (root == null || leaf == null || proof == null) return false;
        if (root.length != Hashes.LENGTH || leaf.length != Hashes.LENGTH) return false;
        if (leafCount < 1 || index < 0 || index >= leafCount) return false;
        List<byte[]> siblings = proof.siblings();
        byte[] node = leaf;
        int position = index;
        int width = leafCount;
        int used = 0;
        while (width > 1) {
            boolean carried = position == width - 1 && width % 2 == 1;
            if (!carried) {
                if (used == siblings.size()) return false;
                byte[] sibling = siblings.get(used++);
                node = position % 2 == 0 ? node(node, sibling) : node(sibling, node);
            }
            position /= 2;
            width = (width + 1) / 2;
        }
        return used == siblings.size() && Arrays.equals(node, root);
    }

    /**
     * Every level of the tree, leaves first and the root's level last. Level k has {@link #width}(n, k) nodes;
     * node p of level k covers the leaves [p·2^k, (p+1)·2^k) that exist.
     */
    public static List<List<byte[]>> levels(List<byte[]> leaves) {
        checkLeaves(leaves);
        if (leaves.isEmpty()) throw new IllegalArgumentException("leaves: a tree needs at least one leaf");
        List<List<byte[]>> levels = new ArrayList<>();
        List<byte[]> level = List.copyOf(leaves);
        levels.add(level);
        while (level.size() > 1) {
            level = parents(level);
            levels.add(level);
        }
        return levels;
    }

    /** The number of levels above the leaves: 0 for one leaf, ⌈log2 n⌉ in general. */
    public static int height(int leafCount) {
        if (leafCount < 1) throw new IllegalArgumentException("leafCount: must be at least 1, got " + leafCount);
        int height = 0;
        for (long width = leafCount; width > 1; width = (width + 1) / 2) height++;
        return height;
    }

    /** The number of nodes at {@code level} of a tree of {@code leafCount} leaves. */
    public static int width(int leafCount, int level) {
        if (level < 0 || level > height(leafCount)) {
            throw new IllegalArgumentException("level: " + level + " outside 0.." + height(leafCount));
        }
        long width = leafCount;
        for (int k = 0; k < level; k++) width = (width + 1) / 2;
        return (int) width;
    }

    static byte[] node(byte[] left, byte[] right) {
        return Hashes.sha256(new byte[] {NODE_TAG}, left, right);
    }

    private static List<byte[]> parents(List<byte[]> level) {
        List<byte[]> up = new ArrayList<>((level.size() + 1) / 2);
        for (int i = 0; i + 1 < level.size(); i += 2) up.add(node(level.get(i), level.get(i + 1)));
        if (level.size() % 2 == 1) up.add(level.get(level.size() - 1));
        return up;
    }

    private static void checkLeaves(List<byte[]> leaves) {
        if (leaves == null) throw new IllegalArgumentException("leaves: null");
        for (int i = 0; i < leaves.size(); i++) {
            byte[] leaf = leaves.get(i);
            if (leaf == null || leaf.length != Hashes.LENGTH) {
                throw new IllegalArgumentException("leaves[" + i + "]: must be a " + Hashes.LENGTH + "-byte hash");
            }
        }
    }
}
