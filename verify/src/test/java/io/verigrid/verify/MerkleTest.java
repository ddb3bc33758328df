package io.verigrid.verify;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class MerkleTest {
    static List<byte[]> leaves(int count) {
        List<byte[]> leaves = new ArrayList<>();
        for (int i = 0; i < count; i++) leaves.add(Hashes.sha256(new byte[] {(byte) i, (byte) (i >> 8)}));
        return leaves;
    }

    @Test
    void everyIndexOfTreesOfOneToThirtyThreeLeavesVerifies() {
        for (int size = 1; size <= 33; size++) {
            List<byte[]> leaves = leaves(size);
            byte[] root = Merkle.root(leaves);
            for (int i = 0; i < size; i++) {
                MerkleProof proof = Merkle.proof(leaves, i);
                assertTrue(Merkle.verify(root, size, i, leaves.get(i), proof), "size " + size + " index " + i);
            }
        }
    }

    @Test
    void tamperedLeafIndexSiblingOrCountFailsToVerify() {
        for (int size = 2; size <= 33; size++) {
            List<byte[]> leaves = leaves(size);
            byte[] root = Merkle.root(leaves);
            for (int i = 0; i < size; i++) {
                MerkleProof proof = Merkle.proof(leaves, i);
                byte[] leaf = leaves.get(i);
                byte[] flippedLeaf = leaf.clone();
                flippedLeaf[5] ^= 1;
                assertFalse(Merkle.verify(root, size, i, flippedLeaf, proof));
                assertFalse(Merkle.verify(root, size, (i + 1) % size, leaf, proof));
                assertFalse(Merkle.verify(root, size, i, leaves.get((i + 1) % size), proof));
                for (int s = 0; s < proof.siblings().size(); s++) {
                    List<byte[]> siblings = new ArrayList<>(proof.siblings());
                    byte[] bad = siblings.get(s).clone();
                    bad[0] ^= (byte) 0x80;
                    siblings.set(s, bad);
                    assertFalse(Merkle.verify(root, size, i, leaf, new MerkleProof(siblings)));
                }
                List<byte[]> longer = new ArrayList<>(proof.siblings());
                longer.add(leaf);
                assertFalse(Merkle.verify(root, size, i, leaf, new MerkleProof(longer)));
            }
        }
    }

    @Test
    void garbageArgumentsGiveFalseInsteadOfThrowing() {
        List<byte[]> leaves = leaves(5);
        byte[] root = Merkle.root(leaves);
        MerkleProof proof = Merkle.proof(leaves, 2);
        assertFalse(Merkle.verify(null, 5, 2, leaves.get(2), proof));
        assertFalse(Merkle.verify(root, 5, 2, null, proof));
        assertFalse(Merkle.verify(root, 5, 2, leaves.get(2), null));
        assertFalse(Merkle.verify(new byte[3], 5, 2, leaves.get(2), proof));
        assertFalse(Merkle.verify(root, 5, 2, new byte[7], proof));
        assertFalse(Merkle.verify(root, 0, 0, leaves.get(2), proof));
        assertFalse(Merkle.verify(root, 5, -1, leaves.get(2), proof));
        assertFalse(Merkle.verify(root, 5, 5, leaves.get(2), proof));
        assertFalse(Merkle.verify(root, 5, 2, leaves.get(2), new MerkleProof(List.of())));
        assertFalse(Merkle.verify(root, 3, 2, leaves.get(2), proof), "a leaf count that changes the path");
    }

    @Test
    void rootFollowsTheSpecConstructionWithTheOddNodeCarriedUp() {
        List<byte[]> leaves = leaves(3);
        byte[] expected = Merkle.node(Merkle.node(leaves.get(0), leaves.get(1)), leaves.get(2));
        assertArrayEquals(expected, Merkle.root(leaves));
        assertArrayEquals(leaves.get(0), Merkle.root(leaves.subList(0, 1)));
        assertArrayEquals(Hashes.sha256(), Merkle.root(List.of()));
        assertEquals(1, Merkle.proof(leaves, 2).siblings().size(), "the carried-up leaf has one sibling, at level 1");
    }

    @Test
    void proofsRoundTripThroughTheirEncoding() {
        List<byte[]> leaves = leaves(13);
        MerkleProof proof = Merkle.proof(leaves, 12);
        assertEquals(proof, MerkleProof.decode(proof.encode()));
        assertThrows(IllegalArgumentException.class, () -> MerkleProof.decode(new byte[] {2, 1, 2}));
    }

    @Test
    void hexRoundTripsAndRejectsNonHex() {
        byte[] hash = Hashes.sha256("verigrid".getBytes());
        assertArrayEquals(hash, Hashes.unhex(Hashes.hex(hash)));
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Hashes.hex(Hashes.sha256()));
        assertThrows(IllegalArgumentException.class, () -> Hashes.unhex("abc"));
        assertThrows(IllegalArgumentException.class, () -> Hashes.unhex("zz"));
    }
}
