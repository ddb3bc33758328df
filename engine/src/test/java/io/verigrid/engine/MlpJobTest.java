package io.verigrid.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class MlpJobTest {
    @Test
    void encodeDecodeRoundTripsEveryField() {
        MlpJob job = new MlpJob(-5, 3, 4, 2, 10, 5, 0.125f, 0f, 6, 3);
        byte[] bytes = job.encode();
        assertEquals(45, bytes.length);
        assertEquals(1, bytes[0]);
        assertEquals(job, MlpJob.decode(bytes));
        assertArrayEquals(bytes, MlpJob.decode(bytes).encode());
    }

    @Test
    void decodeRejectsTruncatedTrailingAndUnknownVersionBytes() {
        byte[] bytes = MlpJob.demo().encode();
        assertThrows(IllegalArgumentException.class, () -> MlpJob.decode(Arrays.copyOf(bytes, bytes.length - 1)));
        assertThrows(IllegalArgumentException.class, () -> MlpJob.decode(Arrays.copyOf(bytes, bytes.length + 1)));
        assertThrows(IllegalArgumentException.class, () -> MlpJob.decode(new byte[0]));
        byte[] wrongVersion = bytes.clone();
        wrongVersion[0] = 2;
        assertThrows(IllegalArgumentException.class, () -> MlpJob.decode(wrongVersion));
    }

    @Test
    void decodeValidatesTheFieldsLikeTheConstructor() {
        byte[] bytes = MlpJob.demo().encode();
        bytes[9] = 0; // inputDim low byte: 16 → 0
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MlpJob.decode(bytes));
        assertTrue(e.getMessage().contains("inputDim"), e.getMessage());
    }

    @Test
    void invalidFieldsAreRejectedWithTheFieldName() {
        assertMessage("steps", () -> new MlpJob(1, 2, 2, 2, 4, 2, 0.1f, 0.5f, 5, 2));
        assertMessage("batch", () -> new MlpJob(1, 2, 2, 2, 4, 5, 0.1f, 0.5f, 4, 2));
        assertMessage("learningRate", () -> new MlpJob(1, 2, 2, 2, 4, 2, Float.NaN, 0.5f, 4, 2));
        assertMessage("momentum", () -> new MlpJob(1, 2, 2, 2, 4, 2, 0.1f, 1f, 4, 2));
        assertMessage("hidden", () -> new MlpJob(1, 2, -1, 2, 4, 2, 0.1f, 0.5f, 4, 2));
        assertMessage("classes", () -> new MlpJob(1, 2, 2, 1, 4, 2, 0.1f, 0.5f, 4, 2));
    }

    private static void assertMessage(String field, Runnable construct) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, construct::run);
        assertTrue(e.getMessage().contains(field), e.getMessage());
    }

    @Test
    void unitsAreStepsDividedByTheCheckpointInterval() {
        assertEquals(10, MlpJob.demo().units());
    }

    @Test
    void datasetAndInitialStateAreReproducibleFromTheSeedAlone() {
        MlpJob job = MlpJob.demo();
        Dataset first = job.dataset();
        Dataset second = job.dataset();
        assertTrue(first.tensor("x").bitEquals(second.tensor("x")));
        assertTrue(first.tensor("y").bitEquals(second.tensor("y")));
        assertArrayEquals(job.initialState().digest(), job.initialState().digest());
        MlpJob otherSeed = new MlpJob(8, 16, 64, 4, 2048, 64, 0.05f, 0.9f, 200, 20);
        assertTrue(!otherSeed.dataset().tensor("x").bitEquals(first.tensor("x")));
    }

    @Test
    void datasetHasTheDeclaredShapesAndValidLabels() {
        MlpJob job = MlpJob.demo();
        Dataset data = job.dataset();
        assertArrayEquals(new int[] {2048, 16}, data.tensor("x").shape());
        assertArrayEquals(new int[] {2048}, data.tensor("y").shape());
        int[] counts = new int[job.classes()];
        for (float label : data.tensor("y").data()) {
            counts[(int) label]++;
        }
        for (int count : counts) {
            assertTrue(count > 2048 / 8, "every class is well represented: " + Arrays.toString(counts));
        }
    }

    @Test
    void initialStateHoldsParametersAndZeroMomentumAtStepZero() {
        ModelState state = MlpJob.demo().initialState();
        assertEquals(0, state.step());
        assertEquals(java.util.List.of("b1", "b2", "v_b1", "v_b2", "v_w1", "v_w2", "w1", "w2"),
                java.util.List.copyOf(state.tensors().keySet()));
        assertArrayEquals(new int[] {16, 64}, state.tensor("w1").shape());
        assertTrue(state.tensor("v_w2").bitEquals(Tensor.zeros(64, 4)));
        float bound = 0.25f;
        for (float w : state.tensor("w1").data()) {
            assertTrue(Math.abs(w) <= bound, "w1 within ±1/√16: " + w);
        }
    }
}
