package io.verigrid.verify;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * A {@link Merkle} tree whose leaves change in place or grow at the end, and whose root costs only the paths of
 * the leaves changed since the last one: O(changes · log n) hashes instead of O(n). The root is, bit for bit,
 * {@link Merkle#root} of the same leaves (an odd node is carried up unchanged), so callers can switch without
 * changing what they commit to. Not thread-safe.
 */
public final class UpdatableMerkle {
    /** levels.get(0) are the leaves; each level above holds ⌈width/2⌉ nodes; the last level has one node. */
    private final List<List<byte[]>> levels = new ArrayList<>();
    /** Leaf positions changed since the last {@link #root()}. */
    private final BitSet dirty = new BitSet();

    public UpdatableMerkle() {
        levels.add(new ArrayList<>());
    }

    public int size() {
        return levels.get(0).size();
    }

    /** Sets leaf {@code index}; {@code index == size()} appends one. */
    public void set(int index, byte[] leaf) {
        if (leaf == null || leaf.length != Hashes.LENGTH) throw new IllegalArgumentException("leaf: must be a " + Hashes.LENGTH + "-byte hash");
        List<byte[]> leaves = levels.get(0);
        if (index < 0 || index > leaves.size()) throw new IllegalArgumentException("index: " + index + " outside 0.." + leaves.size());
        if (index == leaves.size()) leaves.add(leaf.clone());
        else leaves.set(index, leaf.clone());
        dirty.set(index);
    }

    /** Appends a leaf. */
    public void add(byte[] leaf) {
        set(size(), leaf);
    }

    /** {@link Merkle#root} of the current leaves. */
    public byte[] root() {
        int width = size();
        if (width == 0) return Hashes.sha256();
        BitSet changed = dirty;
        for (int level = 0; width > 1; level++) {
            int upWidth = (width + 1) / 2;
            if (levels.size() == level + 1) levels.add(new ArrayList<>());
            List<byte[]> below = levels.get(level);
            List<byte[]> above = levels.get(level + 1);
            BitSet parents = new BitSet();
            for (int i = changed.nextSetBit(0); i >= 0; i = changed.nextSetBit(i + 1)) parents.set(i >> 1);
            // A node that had no sibling and was carried up gets one when the level grows: its parent is the
            // parent of the new last node, which is dirty by the append that grew it.
            for (int p = parents.nextSetBit(0); p >= 0; p = parents.nextSetBit(p + 1)) {
                byte[] node = 2 * p + 1 < width ? Merkle.node(below.get(2 * p), below.get(2 * p + 1)) : below.get(2 * p);
                if (p == above.size()) above.add(node);
                else above.set(p, node);
            }
            changed = parents;
            width = upWidth;
        }
        dirty.clear();
        return levels.get(Merkle.height(size())).get(0).clone();
    }
}
