package io.verigrid.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TensorTest {
    @Test
    void canonicalBytesAreLittleEndianFloat32RowMajor() {
        Tensor t = Tensor.of(new int[] {2}, new float[] {1f, -2f});
        assertArrayEquals(new byte[] {0, 0, (byte) 0x80, 0x3f, 0, 0, 0, (byte) 0xc0}, t.toBytes());
    }

    @Test
    void bytesRoundTripKeepsEveryBit() {
        Tensor t = Tensor.of(new int[] {2, 2}, new float[] {-0f, Float.MIN_VALUE, 3.5f, Float.MAX_VALUE});
        assertTrue(Tensor.fromBytes(t.shape(), t.toBytes()).bitEquals(t));
    }

    @Test
    void fromBytesRejectsALengthThatDoesNotMatchTheShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.fromBytes(new int[] {3}, new byte[8]));
        assertTrue(e.getMessage().contains("12") && e.getMessage().contains("8"), e.getMessage());
    }

    @Test
    void ofRejectsDataWhoseLengthDiffersFromTheShapeProduct() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.of(new int[] {2, 3}, new float[5]));
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("5"), e.getMessage());
    }

    @Test
    void ofCopiesItsArgumentsSoTheTensorStaysImmutable() {
        float[] data = {1f, 2f};
        int[] shape = {2};
        Tensor t = Tensor.of(shape, data);
        data[0] = 9f;
        shape[0] = 7;
        assertEquals(1f, t.data()[0]);
        assertArrayEquals(new int[] {2}, t.shape());
    }

    @Test
    void bitEqualityDistinguishesNegativeZeroAndShape() {
        Tensor zero = Tensor.of(new int[] {1}, new float[] {0f});
        assertFalse(zero.bitEquals(Tensor.of(new int[] {1}, new float[] {-0f})));
        assertFalse(zero.bitEquals(Tensor.zeros(1, 1)));
        assertTrue(zero.bitEquals(Tensor.zeros(1)));
    }

    @Test
    void scalarHasRankZeroAndOneElement() {
        Tensor s = Tensor.scalar(2.5f);
        assertEquals(0, s.rank());
        assertEquals(1, s.size());
        assertEquals(2.5f, s.data()[0]);
    }

    @Test
    void dimRejectsAnAxisOutsideTheRank() {
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).dim(2));
        assertEquals(3, Tensor.zeros(2, 3).dim(1));
    }
}
