package io.verigrid.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Realises a program: runs its {@link OpSpec}s in order through {@link Ops#execute}, resolving each input
 * from the state, the data or an earlier output, and records every output. The one loop trainers and
 * inference share, so what they compute is exactly what the referee replays.
 */
final class ProgramRunner {
    private ProgramRunner() {
    }

    /**
     * Runs {@code ops}; returns every operator's output and appends one {@link OpRecord} per operator to
     * {@code records} (nullable: nothing recorded). {@code fault} (nullable) corrupts one output at {@code step}.
     */
    static Tensor[] run(List<OpSpec> ops, Function<String, Tensor> state, Function<String, Tensor> data,
            Parallelism par, long step, Fault fault, List<OpRecord> records) {
        Tensor[] outputs = new Tensor[ops.size()];
        for (int index = 0; index < outputs.length; index++) {
            OpSpec spec = ops.get(index);
            List<Tensor> inputs = new ArrayList<>(spec.inputs().size());
            for (InputRef ref : spec.inputs()) {
                inputs.add(switch (ref.source()) {
                    case STATE -> state.apply(ref.name());
                    case DATA -> data.apply(ref.name());
                    case OP -> outputs[ref.op()];
                });
            }
            Tensor output = Ops.execute(spec.kind(), spec.attrs(), inputs, par);
            if (fault != null) {
                output = fault.apply(step, index, spec, inputs, output, par);
            }
            outputs[index] = output;
            if (records != null) {
                records.add(new OpRecord(index, spec, output));
            }
        }
        return outputs;
    }

    /** The value of {@code node} after a run: an operator output, or the state / data tensor it names. */
    static Tensor value(Graph.Node node, Tensor[] outputs, Function<String, Tensor> state,
            Function<String, Tensor> data) {
        InputRef ref = node.ref();
        return switch (ref.source()) {
            case OP -> outputs[ref.op()];
            case STATE -> state.apply(ref.name());
            case DATA -> data.apply(ref.name());
        };
    }
}
