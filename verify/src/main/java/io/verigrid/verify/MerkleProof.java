package io.verigrid.verify;

import java.util.ArrayList;
import java.util.List;

/**
 * The sibling hashes on the path from one leaf to the root, bottom level first. A level where the path's node
 * is the odd one carried up unchanged has no sibling and contributes nothing; {@link Merkle#verify} knows those
 * levels from the leaf count and index.
 */
public record MerkleProof(List<byte[]> siblings) {
    /** Protocol cap: 64 levels cover any leaf count a Java int can index. */
    public static final int MAX_SIBLINGS = 64;

    public MerkleProof {
        if (siblings == null) throw new IllegalArgumentException("siblings: null");
        List<byte[]> copy = new ArrayList<>(siblings.size());
        for (byte[] sibling : siblings) {
            if (sibling == null || sibling.length != Hashes.LENGTH) {
                throw new IllegalArgumentException("siblings: every sibling must be a " + Hashes.LENGTH + "-byte hash");
            }
            copy.add(sibling.clone());
        }
        siblings = List.copyOf(copy);
    }

    /** The sibling at {@code level} of the proof (a copy). */
    public byte[] sibling(int level) {
        return siblings.get(level).clone();
    }

    /** u8 count, then the 32-byte siblings. */
    public byte[] encode() {
        CanonicalWriter out = new CanonicalWriter().u8(siblings.size());
        for (byte[] sibling : siblings) out.raw(sibling);
        return out.toByteArray();
    }

    public static MerkleProof decode(byte[] bytes) {
        CanonicalReader in = new CanonicalReader(bytes);
        MerkleProof proof = read(in);
        in.expectEnd();
        return proof;
    }

    static MerkleProof read(CanonicalReader in) {
        int count = in.u8();
        if (count > MAX_SIBLINGS) throw new IllegalArgumentException("proof: " + count + " siblings > " + MAX_SIBLINGS);
        List<byte[]> siblings = new ArrayList<>(count);
        for (int i = 0; i < count; i++) siblings.add(in.raw(Hashes.LENGTH));
        return new MerkleProof(siblings);
    }

    void write(CanonicalWriter out) {
        out.raw(encode());
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof MerkleProof that) || that.siblings.size() != siblings.size()) return false;
        for (int i = 0; i < siblings.size(); i++) {
            if (!java.util.Arrays.equals(siblings.get(i), that.siblings.get(i))) return false;
        }
        return true;
    }

    @Override
    public int hashCode() {
        int hash = 1;
        for (byte[] sibling : siblings) hash = 31 * hash + java.util.Arrays.hashCode(sibling);
        return hash;
    }

    @Override
    public String toString() {
        return "MerkleProof" + siblings.stream().map(Hashes::hex).toList();
    }
}
