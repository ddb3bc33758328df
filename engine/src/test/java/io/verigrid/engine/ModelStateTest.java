package io.verigrid.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ModelStateTest {
    private static ModelState small() {
        TreeMap<String, Tensor> tensors = new TreeMap<>();
        tensors.put("w", Tensor.of(new int[] {1, 2}, new float[] {1f, 2f}));
        tensors.put("b", Tensor.of(new int[] {1}, new float[] {-1f}));
        return new ModelState(tensors, 3);
    }

    @Test
    void digestHashesNameRankDimsBytesInNameOrderThenTheStep() throws Exception {
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(new byte[] {1, 0, 'b', 1, 0, 0, 0, 1, 0, 0, 0});
        expected.writeBytes(Tensor.of(new int[] {1}, new float[] {-1f}).toBytes());
        expected.writeBytes(new byte[] {1, 0, 'w', 2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0});
        expected.writeBytes(Tensor.of(new int[] {1, 2}, new float[] {1f, 2f}).toBytes());
        expected.writeBytes(new byte[] {3, 0, 0, 0, 0, 0, 0, 0});
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(expected.toByteArray()), small().digest());
    }

    @Test
    void tensorsAreInNameOrderAndUnmodifiable() {
        ModelState state = small();
        assertEquals(List.of("b", "w"), List.copyOf(state.tensors().keySet()));
        assertThrows(UnsupportedOperationException.class, () -> state.tensors().put("z", Tensor.scalar(0f)));
    }

    @Test
    void withAndWithStepReturnNewStatesAndLeaveTheOriginalAlone() {
        ModelState state = small();
        ModelState changed = state.with("b", Tensor.of(new int[] {1}, new float[] {5f})).withStep(4);
        assertEquals(-1f, state.tensor("b").data()[0]);
        assertEquals(5f, changed.tensor("b").data()[0]);
        assertEquals(4, changed.step());
        assertFalse(Arrays.equals(state.digest(), changed.digest()));
    }

    @Test
    void aMissingTensorIsNamedInTheError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> small().tensor("nope"));
        assertTrue(e.getMessage().contains("nope"), e.getMessage());
    }

    @Test
    void aNegativeStepIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> small().withStep(-1));
    }
}
