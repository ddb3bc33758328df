package io.verigrid.verify;

import io.verigrid.engine.Dataset;
import io.verigrid.engine.InputRef;
import io.verigrid.engine.MatmulTiles;
import io.verigrid.engine.ModelState;
import io.verigrid.engine.OpRecord;
import io.verigrid.engine.OpSpec;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.StepTrace;
import io.verigrid.engine.Tensor;
import io.verigrid.engine.TrainingJob;

import java.util.List;

/**
 * Whether every leaf of a job's step traces can be settled by evidence within max_referee_bytes (spec §2, §6). A
 * large matmul is tiled, but nothing else is: a job with an operator no evidence could settle would be accepted and
 * then leave an honest provider unable to answer a dispute on it, so it is refused up front instead. The leaves
 * that cannot be settled:
 * <ul>
 * <li>an operator other than matmul whose inputs exceed the bound (cross-entropy over huge logits, an optimizer
 * update of a large parameter): its referee would read all of them;</li>
 * <li>a tiled matmul whose output exceeds the bound: its assembly leaf is settled by reading the assembled output
 * ({@link TiledOutputReferee}), whoever reads it;</li>
 * <li>a matmul no tiling under the bound can hold ({@link MatmulTiles#plan} refuses it).</li>
 * </ul>
 * The operand shapes follow from running one step (the op set has no shape inference), so this costs one
 * training step: cheap for a buyer's client before it posts an order, too dear for the ledger on every PostOrder.
 * A step's program has the same operators and shapes at every step; only attributes (row offsets, learning rates)
 * change, so step 1 stands for all.
 */
public final class RefereeBounds {
    private RefereeBounds() {}

    /**
     * Checks the step after {@code start} of {@code job} on {@code dataset}; IllegalArgumentException naming the first
     * operator that could not be settled within {@code maxRefereeBytes}, its kind and the bytes it would need.
     */
    public static void check(TrainingJob job, Dataset dataset, ModelState start, long maxRefereeBytes) {
        if (job == null || dataset == null || start == null) throw new IllegalArgumentException("job, dataset, start: null");
        if (maxRefereeBytes < 1) throw new IllegalArgumentException("maxRefereeBytes: must be positive, got " + maxRefereeBytes);
        long step = start.step() + 1;
        List<OpSpec> program = job.program(step);
        StepTrace trace;
        try {
            trace = TracedStep.run(job, dataset, start, Parallelism.single(), null, maxRefereeBytes).trace();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("job: a step cannot be traced within maxRefereeBytes " + maxRefereeBytes + ": "
                    + e.getMessage(), e);
        }
        for (OpRecord r : trace.ops()) {
            if (r.isTile()) continue;
            int p = r.programIndex();
            OpSpec spec = program.get(p);
            boolean tiled = TiledOutputEvidence.isAssembly(trace, r.index());
            long bytes = tiled ? 4L * r.output().size() : inputBytes(spec, trace, start, dataset);
            if (bytes > maxRefereeBytes) {
                throw new IllegalArgumentException("job: operator #" + p + " (" + spec.kind() + ") "
                        + (tiled ? "is tiled, but the referee of its assembled output reads " : "reads ") + bytes
                        + " bytes, more than maxRefereeBytes " + maxRefereeBytes + "; no dispute on it could be settled"
                        + " (only matmuls are tiled): shrink the model or batch, or use a chain with a larger bound");
            }
        }
    }

    /** The bytes of every input of {@code spec}, as the referee of its whole leaf reads them. */
    private static long inputBytes(OpSpec spec, StepTrace trace, ModelState start, Dataset dataset) {
        long bytes = 0;
        for (InputRef ref : spec.inputs()) {
            Tensor input = switch (ref.source()) {
                case STATE -> start.tensor(ref.name());
                case DATA -> dataset.tensor(ref.name());
                case OP -> trace.ops().get(TileEvidence.wholeEntry(trace, ref.op())).output();
            };
            bytes += 4L * input.size();
        }
        return bytes;
    }
}
