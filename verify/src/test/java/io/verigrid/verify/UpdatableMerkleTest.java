package io.verigrid.verify;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class UpdatableMerkleTest {
    private static byte[] leaf(long n) {
        return Hashes.sha256(java.nio.ByteBuffer.allocate(8).putLong(n).array());
    }

    /** Random appends and in-place changes, the root read at random moments, always equals the flat root. */
    @Property(tries = 200)
    void theRootIsAlwaysTheFlatMerkleRootOfTheSameLeaves(@ForAll long seed, @ForAll @IntRange(min = 1, max = 300) int ops) {
        SplittableRandom random = new SplittableRandom(seed);
        UpdatableMerkle tree = new UpdatableMerkle();
        List<byte[]> leaves = new ArrayList<>();
        for (int op = 0; op < ops; op++) {
            if (leaves.isEmpty() || random.nextInt(3) == 0) {
                byte[] l = leaf(random.nextLong());
                leaves.add(l);
                tree.add(l);
            } else {
                int at = random.nextInt(leaves.size());
                byte[] l = leaf(random.nextLong());
                leaves.set(at, l);
                tree.set(at, l);
            }
            if (random.nextInt(4) == 0) assertArrayEquals(Merkle.root(leaves), tree.root(), "after op " + op);
        }
        assertArrayEquals(Merkle.root(leaves), tree.root());
        assertEquals(leaves.size(), tree.size());
    }

    @Test
    void anEmptyTreeHasTheEmptyRootAndBadLeavesAreRefused() {
        UpdatableMerkle tree = new UpdatableMerkle();
        assertArrayEquals(Merkle.root(List.of()), tree.root());
        assertThrows(IllegalArgumentException.class, () -> tree.set(1, leaf(1)), "no gaps");
        assertThrows(IllegalArgumentException.class, () -> tree.add(new byte[5]));
        tree.add(leaf(7));
        assertArrayEquals(leaf(7), tree.root(), "one leaf is its own root");
    }
}
