package io.verigrid.verify;

import io.verigrid.engine.Dataset;
import io.verigrid.engine.InputRef;
import io.verigrid.engine.ModelState;
import io.verigrid.engine.OpRecord;
import io.verigrid.engine.OpSpec;
import io.verigrid.engine.StepTrace;
import io.verigrid.engine.Tensor;
import io.verigrid.engine.TrainingJob;

import java.util.ArrayList;
import java.util.List;

/**
 * One input of the disputed operator as the provider hands it to the referee: the tensor (shape and bytes) and the
 * proof that it is what the agreed commitments say. Which root the proof is checked against follows from the
 * operator's {@link InputRef} in the job's program: STATE inputs against the agreed state root before the step
 * (leaf {@link Commitments#tensorLeaf}), OP inputs against the provider's trace root (leaf
 * {@link Commitments#traceLeaf} of the earlier operator), DATA inputs against the job's dataset root.
 */
public record InputEvidence(Tensor tensor, LeafProof proof) {
    /** Bound on the number of inputs one operator takes, so a decoder never allocates on a hostile count. */
    public static final int MAX_INPUTS = 64;

    public InputEvidence {
        if (tensor == null) throw new IllegalArgumentException("tensor: null");
        if (proof == null) throw new IllegalArgumentException("proof: null");
    }

    /** The evidence an honest provider posts for operator {@code j} of the step {@code traceOfStep} recorded. */
    public static List<InputEvidence> forOperator(TrainingJob job, ModelState stateAtLo, Dataset dataset,
                                                  StepTrace traceOfStep, int j) {
        if (stateAtLo == null || dataset == null || traceOfStep == null) {
            throw new IllegalArgumentException("stateAtLo, dataset and traceOfStep must not be null");
        }
        List<OpSpec> program = job.program(traceOfStep.step());
        if (j < 0 || j >= traceOfStep.ops().size()) {
            throw new IllegalArgumentException("j: " + j + " outside the trace's 0.." + (traceOfStep.ops().size() - 1));
        }
        // j is a trace position; under tiling (spec §2) the operator it records may have a smaller program index.
        OpRecord record = traceOfStep.ops().get(j);
        if (record.isTile()) throw new IllegalArgumentException("j: trace entry " + j + " is a tile; its evidence is a TileEvidence");
        List<InputEvidence> evidence = new ArrayList<>();
        for (InputRef ref : program.get(record.programIndex()).inputs()) {
            evidence.add(switch (ref.source()) {
                case STATE -> new InputEvidence(stateAtLo.tensor(ref.name()), Commitments.stateProof(stateAtLo, ref.name()));
                case DATA -> new InputEvidence(dataset.tensor(ref.name()), Commitments.datasetProof(dataset, ref.name()));
                case OP -> {
                    int at = TileEvidence.wholeEntry(traceOfStep, ref.op());
                    yield new InputEvidence(traceOfStep.ops().get(at).output(), Commitments.traceProof(traceOfStep, at));
                }
            });
        }
        return evidence;
    }

    /** u8 count, then per input: u32 rank ‖ u32 dims ‖ bytes (u32 length + canonical bytes) ‖ leaf proof. */
    public static byte[] encodeAll(List<InputEvidence> inputs) {
        if (inputs == null || inputs.size() > MAX_INPUTS) {
            throw new IllegalArgumentException("inputs: null or more than " + MAX_INPUTS);
        }
        CanonicalWriter out = new CanonicalWriter().u8(inputs.size());
        for (InputEvidence input : inputs) {
            Commitments.writeShape(out, input.tensor.shape());
            out.bytes(input.tensor.toBytes());
            input.proof.write(out);
        }
        return out.toByteArray();
    }

    public static List<InputEvidence> decodeAll(byte[] bytes) {
        CanonicalReader in = new CanonicalReader(bytes);
        int count = in.u8();
        if (count > MAX_INPUTS) throw new IllegalArgumentException("inputs: " + count + " > " + MAX_INPUTS);
        List<InputEvidence> inputs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int rank = in.u32();
            if (rank > 8) throw new IllegalArgumentException("inputs[" + i + "]: rank " + rank + " > 8");
            int[] shape = new int[rank];
            for (int d = 0; d < rank; d++) shape[d] = in.u32();
            Tensor tensor = Tensor.fromBytes(shape, in.bytes());
            inputs.add(new InputEvidence(tensor, LeafProof.read(in)));
        }
        in.expectEnd();
        return inputs;
    }
}
