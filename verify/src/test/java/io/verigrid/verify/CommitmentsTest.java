package io.verigrid.verify;

import io.verigrid.engine.Dataset;
import io.verigrid.engine.MlpJob;
import io.verigrid.engine.MlpTrainer;
import io.verigrid.engine.ModelState;
import io.verigrid.engine.OpSet;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.StepTrace;
import io.verigrid.engine.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class CommitmentsTest {
    static Tensor ramp(int... shape) {
        int size = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        float[] data = new float[size];
        for (int i = 0; i < size; i++) data[i] = i * 0.25f;
        return Tensor.of(shape, data);
    }

    static byte[] chunkLeaf(String name, int index, byte[] chunk) {
        return Hashes.sha256(new CanonicalWriter().u8(0).string(name).u32(index).raw(chunk).toByteArray());
    }

    @Test
    void aTensorSpanningThreeChunksIsTheMerkleRootOfItsChunkLeaves() {
        Tensor tensor = ramp(200, 200); // 160 000 bytes: chunks of 65 536, 65 536 and 28 928
        byte[] bytes = tensor.toBytes();
        List<byte[]> leaves = new ArrayList<>();
        for (int i = 0; i * Commitments.CHUNK_BYTES < bytes.length; i++) {
            leaves.add(chunkLeaf("w", i, Arrays.copyOfRange(bytes, i * Commitments.CHUNK_BYTES,
                    Math.min(bytes.length, (i + 1) * Commitments.CHUNK_BYTES))));
        }
        assertEquals(3, leaves.size());
        assertArrayEquals(Merkle.root(leaves), Commitments.tensorRoot("w", tensor));
    }

    @Test
    void oneBitInTheLastChunkOrTheNameChangesTheRoot() {
        Tensor tensor = ramp(200, 200);
        float[] data = tensor.data().clone();
        data[data.length - 1] = Float.intBitsToFloat(Float.floatToRawIntBits(data[data.length - 1]) ^ 1);
        Tensor flipped = Tensor.of(tensor.shape(), data);
        byte[] root = Commitments.tensorRoot("w", tensor);
        assertFalse(Arrays.equals(root, Commitments.tensorRoot("w", flipped)));
        assertFalse(Arrays.equals(root, Commitments.tensorRoot("v", tensor)));
        assertArrayEquals(root, Commitments.tensorRoot("w", ramp(200, 200)));
    }

    @Test
    void anEmptyTensorHasOneEmptyChunk() {
        Tensor empty = Tensor.zeros(0, 4);
        assertArrayEquals(chunkLeaf("e", 0, new byte[0]), Commitments.tensorRoot("e", empty));
    }

    @Test
    void theOutputRootBindsTheShape() {
        Tensor tensor = ramp(4, 6);
        Tensor reshaped = Tensor.fromBytes(new int[] {6, 4}, tensor.toBytes());
        assertArrayEquals(Commitments.tensorRoot("out", tensor), Commitments.tensorRoot("out", reshaped));
        assertFalse(Arrays.equals(Commitments.outputRoot(tensor), Commitments.outputRoot(reshaped)));
    }

    @Test
    void everyTensorOfAStateProvesAgainstItsRootAndTheStepCounterIsCommitted() {
        ModelState state = MlpJob.demo().initialState();
        byte[] root = Commitments.stateRoot(state);
        for (String name : state.tensors().keySet()) {
            LeafProof proof = Commitments.stateProof(state, name);
            assertTrue(proof.verify(root, Commitments.tensorLeaf(name, state.tensor(name))), name);
            assertFalse(proof.verify(root, Commitments.tensorLeaf(name, Tensor.zeros(3))), name + " with other bytes");
        }
        assertEquals(state.tensors().size() + 1, Commitments.stateLeaves(state).size());
        assertFalse(Arrays.equals(root, Commitments.stateRoot(state.withStep(1))));
        assertThrows(IllegalArgumentException.class, () -> Commitments.stateProof(state, "nope"));
    }

    @Test
    void datasetTensorsProveAgainstTheDatasetRoot() {
        Dataset dataset = MlpJob.demo().dataset();
        byte[] root = Commitments.datasetRoot(dataset);
        for (String name : dataset.tensors().keySet()) {
            assertTrue(Commitments.datasetProof(dataset, name).verify(root, Commitments.tensorLeaf(name, dataset.tensor(name))));
        }
    }

    @Test
    void everyTraceLeafProvesAgainstTheTraceRoot() {
        MlpJob job = MlpJob.demo();
        StepTrace trace = MlpTrainer.step(job, job.dataset(), job.initialState(), Parallelism.single(), null).trace();
        byte[] root = Commitments.traceRoot(trace);
        for (int i = 0; i < trace.ops().size(); i++) {
            byte[] leaf = Commitments.traceLeaf(i, trace.ops().get(i).spec().kind(), OpSet.VERSION,
                    Commitments.outputRoot(trace.ops().get(i).output()));
            assertTrue(Commitments.traceProof(trace, i).verify(root, leaf), "op " + i);
            byte[] otherVersion = Commitments.traceLeaf(i, trace.ops().get(i).spec().kind(), OpSet.VERSION + 1,
                    Commitments.outputRoot(trace.ops().get(i).output()));
            assertFalse(Commitments.traceProof(trace, i).verify(root, otherVersion));
        }
    }

    @Test
    void theTraceRootIsTheSameOnFourThreads() {
        MlpJob job = MlpJob.demo();
        try (Parallelism four = Parallelism.of(4)) {
            StepTrace one = MlpTrainer.step(job, job.dataset(), job.initialState(), Parallelism.single(), null).trace();
            StepTrace many = MlpTrainer.step(job, job.dataset(), job.initialState(), four, null).trace();
            assertArrayEquals(Commitments.traceRoot(one), Commitments.traceRoot(many));
        }
    }
}
