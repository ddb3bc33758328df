package io.verigrid.verify;

import io.verigrid.engine.InputRef;
import io.verigrid.engine.OpSet;
import io.verigrid.engine.OpSpec;
import io.verigrid.engine.Ops;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The ledger's referee for an inference dispute: re-executes operator j of one position's program from proven
 * inputs. Where each input comes from:
 * <ul>
 *   <li>a weight (STATE, not a cache name) — proven against the registered model's weights root;</li>
 *   <li>a cache tensor (STATE {@code cache.<layer>.k|v}) — empty (0, kvWidth) at position 0, else the output of
 *       the {@code concat} that appends to it at position t−1, proven against the agreed trace root of t−1;</li>
 *   <li>the fed token (DATA {@code ids}) — must be [token], the token the game already checked;</li>
 *   <li>an earlier operator of the same position (OP i &lt; j) — proven against the provider's trace root of t.</li>
 * </ul>
 * Evidence that does not prove what the program reads loses for the provider, who had to supply it.
 */
public final class InferenceReferee {
    private InferenceReferee() {}

    public static Verdict decide(List<OpSpec> program, int j, List<InputEvidence> inputs, byte[] weightsRoot, int kvWidth,
                                 int position, int token, byte[] traceRoot, byte[] previousTraceRoot,
                                 byte[] providerOutputRoot, byte[] challengerOutputRoot) {
        if (j < 0 || j >= program.size()) throw new IllegalArgumentException("j: " + j + " outside 0.." + (program.size() - 1));
        OpSpec spec = program.get(j);
        if (inputs == null || inputs.size() != spec.inputs().size()) return Verdict.CHALLENGER_WINS;
        List<Tensor> tensors = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            InputEvidence input = inputs.get(i);
            if (input == null || !proven(spec.inputs().get(i), input, program, j, weightsRoot, kvWidth, position, token,
                    traceRoot, previousTraceRoot)) {
                return Verdict.CHALLENGER_WINS;
            }
            tensors.add(input.tensor());
        }
        Tensor output;
        try {
            output = Ops.execute(spec.kind(), spec.attrs(), tensors, Parallelism.single());
        } catch (IllegalArgumentException e) {
            return Verdict.CHALLENGER_WINS;
        }
        return Referee.judge(Commitments.outputRoot(output), providerOutputRoot, challengerOutputRoot);
    }

    /** True for the names of the per-layer cache tensors the position programs read. */
    public static boolean isCache(String name) {
        return name.startsWith("cache.");
    }

    /** The index of the {@code concat} in {@code program} that appends to cache tensor {@code name}, or −1. */
    public static int cacheWriter(List<OpSpec> program, String name) {
        for (int i = 0; i < program.size(); i++) {
            OpSpec op = program.get(i);
            if (op.kind().equals("concat") && !op.inputs().isEmpty() && op.inputs().get(0).equals(InputRef.state(name))) return i;
        }
        return -1;
    }

    private static boolean proven(InputRef ref, InputEvidence input, List<OpSpec> program, int j, byte[] weightsRoot,
                                  int kvWidth, int position, int token, byte[] traceRoot, byte[] previousTraceRoot) {
        Tensor tensor = input.tensor();
        LeafProof proof = input.proof();
        return switch (ref.source()) {
            case STATE -> {
                if (!isCache(ref.name())) yield proof.verify(weightsRoot, Commitments.tensorLeaf(ref.name(), tensor));
                if (position == 0) yield Arrays.equals(tensor.shape(), new int[] {0, kvWidth});
                int writer = cacheWriter(program, ref.name());
                yield writer >= 0 && previousTraceRoot != null && proof.index() == writer && proof.leafCount() == program.size()
                        && proof.verify(previousTraceRoot, Commitments.traceLeaf(writer, "concat", OpSet.VERSION,
                                Commitments.outputRoot(tensor)));
            }
            case DATA -> Arrays.equals(tensor.shape(), new int[] {1}) && tensor.data()[0] == (float) token;
            case OP -> ref.op() < j && proof.index() == ref.op() && proof.leafCount() == program.size()
                    && proof.verify(traceRoot, Commitments.traceLeaf(ref.op(), program.get(ref.op()).kind(), OpSet.VERSION,
                            Commitments.outputRoot(tensor)));
        };
    }
}
