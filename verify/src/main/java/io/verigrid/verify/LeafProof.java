package io.verigrid.verify;

/**
 * Everything a referee needs to check one leaf against a root it already trusts: where the leaf sits, how many
 * leaves the tree has, and the Merkle path. Used for state tensors, dataset tensors and trace leaves alike.
 */
public record LeafProof(int index, int leafCount, MerkleProof path) {
    public LeafProof {
        if (leafCount < 1) throw new IllegalArgumentException("leafCount: must be at least 1, got " + leafCount);
        if (index < 0 || index >= leafCount) {
            throw new IllegalArgumentException("index: " + index + " outside 0.." + (leafCount - 1));
        }
        if (path == null) throw new IllegalArgumentException("path: null");
    }

    /** True iff {@code leaf} sits at {@link #index} of the tree with {@code root}; never throws. */
    public boolean verify(byte[] root, byte[] leaf) {
        return Merkle.verify(root, leafCount, index, leaf, path);
    }

    void write(CanonicalWriter out) {
        out.u32(index).u32(leafCount);
        path.write(out);
    }

    static LeafProof read(CanonicalReader in) {
        int index = in.u32();
        int leafCount = in.u32();
        return new LeafProof(index, leafCount, MerkleProof.read(in));
    }
}
