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
        return run(ops, state, data, par, step, fault, records, MatmulTiles.UNLIMITED);
    }

    /**
     * As above; a matmul whose inputs exceed {@code maxRefereeBytes} is recorded as its {@link MatmulTiles} (the
     * operator still runs whole: the tiles' last K-blocks are cut from its output, so no bit differs), followed by
     * one assembly entry: the matmul recorded whole, so later operators prove their input against it as against
     * any other operator.
     */
    static Tensor[] run(List<OpSpec> ops, Function<String, Tensor> state, Function<String, Tensor> data,
            Parallelism par, long step, Fault fault, List<OpRecord> records, long maxRefereeBytes) {
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
                record(records, index, spec, inputs, output, maxRefereeBytes, par);
            }
        }
        return outputs;
    }

    private static void record(List<OpRecord> records, int index, OpSpec spec, List<Tensor> inputs, Tensor output,
            long maxRefereeBytes, Parallelism par) {
        if (spec.kind().equals("matmul")) {
            long[] attrs = spec.attrs();
            boolean transA = attrs[0] == 1;
            boolean transB = attrs[1] == 1;
            Tensor a = inputs.get(0);
            Tensor b = inputs.get(1);
            int m = output.dim(0);
            int n = output.dim(1);
            int k = transA ? a.dim(0) : a.dim(1);
            if (k > 0 && MatmulTiles.needsTiling(m, k, n, maxRefereeBytes)) {
                List<MatmulTiles.Tile> tiles = MatmulTiles.plan(m, k, n, transA, transB, maxRefereeBytes);
                List<Tensor> parts = MatmulTiles.tileOutputs(a, transA, b, transB, output, tiles, par);
                for (int t = 0; t < tiles.size(); t++) {
                    OpSpec tile = new OpSpec(MatmulTiles.TILE_KIND, tiles.get(t).attrs(transA, transB), spec.inputs());
                    records.add(new OpRecord(records.size(), tile, parts.get(t), index));
                }
                records.add(new OpRecord(records.size(), spec, output, index)); // the assembly entry
                return;
            }
        }
        records.add(new OpRecord(records.size(), spec, output, index));
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
