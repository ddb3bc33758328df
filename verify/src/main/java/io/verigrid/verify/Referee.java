package io.verigrid.verify;

import io.verigrid.engine.Dataset;
import io.verigrid.engine.InputRef;
import io.verigrid.engine.ModelState;
import io.verigrid.engine.OpSet;
import io.verigrid.engine.OpSpec;
import io.verigrid.engine.Ops;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.Tensor;
import io.verigrid.engine.TrainingJob;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The ledger's referee (spec §3.5): re-executes exactly one operator from proven inputs and compares its output
 * root with both claims. Pure and deterministic: single-threaded engine, no clock, no I/O. Evidence that does not
 * prove what the program says the operator reads loses the game for the provider, who had to supply it.
 */
public final class Referee {
    private Referee() {}

    /**
     * Settles operator {@code j} of step {@code step}.
     *
     * @param inputs               the provider's evidence, one per input of op j in program order
     * @param rootLo               the agreed state root before the step
     * @param providerTraceRoot    the provider's trace root of the step (earlier operators' leaves are agreed)
     * @param datasetRoot          the job's dataset root
     * @param providerOutputRoot   the provider's {@link Commitments#outputRoot} of op j
     * @param challengerOutputRoot the challenger's claim for the same
     */
    public static Verdict decide(TrainingJob job, long step, int j, List<InputEvidence> inputs, byte[] rootLo,
                                 byte[] providerTraceRoot, byte[] datasetRoot, byte[] providerOutputRoot,
                                 byte[] challengerOutputRoot) {
        int length = job.program(step).size();
        return decide(job, step, j, j, length, inputs, rootLo, providerTraceRoot, datasetRoot, providerOutputRoot,
                challengerOutputRoot);
    }

    /**
     * As above for a trace recorded under max_referee_bytes (spec §2), where tiles of large matmuls shift the
     * operators: program operator {@code j} sits at trace position {@code position} of a trace of
     * {@code traceLength} leaves, and an earlier operator's output is proven by its leaf anywhere before it.
     */
    public static Verdict decide(TrainingJob job, long step, int j, int position, int traceLength,
                                 List<InputEvidence> inputs, byte[] rootLo, byte[] providerTraceRoot, byte[] datasetRoot,
                                 byte[] providerOutputRoot, byte[] challengerOutputRoot) {
        List<OpSpec> program = job.program(step);
        if (j < 0 || j >= program.size()) {
            throw new IllegalArgumentException("j: " + j + " outside step " + step + "'s 0.." + (program.size() - 1));
        }
        if (position < j || position >= traceLength) {
            throw new IllegalArgumentException("position: " + position + " outside " + j + ".." + (traceLength - 1));
        }
        OpSpec spec = program.get(j);
        if (inputs == null || inputs.size() != spec.inputs().size()) return Verdict.CHALLENGER_WINS;
        List<Tensor> tensors = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            InputEvidence input = inputs.get(i);
            if (input == null || !proven(spec.inputs().get(i), input, program, j, position, traceLength, rootLo,
                    providerTraceRoot, datasetRoot)) {
                return Verdict.CHALLENGER_WINS;
            }
            tensors.add(input.tensor());
        }
        Tensor output;
        try {
            output = Ops.execute(spec.kind(), spec.attrs(), tensors, Parallelism.single());
        } catch (IllegalArgumentException e) {
            return Verdict.CHALLENGER_WINS; // proven inputs the operator rejects: the provider's commitments are bad
        }
        return judge(Commitments.outputRoot(output), providerOutputRoot, challengerOutputRoot);
    }

    /**
     * Settles a dispute where every operator of the step agrees but the state root after it does not (the
     * provider assembled a state its own trace does not give): re-runs the whole step from the full agreed state.
     * Costs one step of work instead of one operator; only a provider that posted a state root inconsistent
     * with its own trace can be brought here.
     *
     * @param stateLo the full state before the step, as the provider posts it; it must hash to {@code rootLo}
     */
    public static Verdict decideAssembly(TrainingJob job, long step, ModelState stateLo, byte[] rootLo,
                                         byte[] providerRootHi) {
        Dataset seeded = seeded(job);
        return decideAssembly(job, seeded, Commitments.datasetRoot(seeded), step, stateLo, rootLo, providerRootHi);
    }

    /**
     * As above for a job that trains on a given dataset (a dataset blob): the provider supplies it and it must
     * hash to the job's {@code datasetRoot}, else the provider loses.
     */
    public static Verdict decideAssembly(TrainingJob job, Dataset dataset, byte[] datasetRoot, long step, ModelState stateLo,
                                         byte[] rootLo, byte[] providerRootHi) {
        if (stateLo == null || stateLo.step() != step - 1 || !Arrays.equals(Commitments.stateRoot(stateLo), rootLo)
                || dataset == null || !Arrays.equals(Commitments.datasetRoot(dataset), datasetRoot)) {
            return Verdict.CHALLENGER_WINS;
        }
        ModelState next;
        try {
            next = job.step(dataset, stateLo, Parallelism.single(), null).next();
        } catch (IllegalArgumentException e) {
            return Verdict.CHALLENGER_WINS;
        }
        return Arrays.equals(Commitments.stateRoot(next), providerRootHi) ? Verdict.PROVIDER_WINS : Verdict.CHALLENGER_WINS;
    }

    /** The dataset {@code job}'s seed generates; IllegalArgumentException for a job whose data is given by its root. */
    static Dataset seeded(TrainingJob job) {
        return job.seededDataset().orElseThrow(() -> new IllegalArgumentException("job: a " + job.kind().tag()
                + " job trains on a dataset given by its root; pass the dataset and its root"));
    }

    static Verdict judge(byte[] actual, byte[] providerOutputRoot, byte[] challengerOutputRoot) {
        if (Arrays.equals(actual, providerOutputRoot)) return Verdict.PROVIDER_WINS;
        if (Arrays.equals(actual, challengerOutputRoot)) return Verdict.CHALLENGER_WINS;
        return Verdict.BOTH_LOSE;
    }

    private static boolean proven(InputRef ref, InputEvidence input, List<OpSpec> program, int j, int position,
                                  int traceLength, byte[] rootLo, byte[] providerTraceRoot, byte[] datasetRoot) {
        LeafProof proof = input.proof();
        return switch (ref.source()) {
            case STATE -> proof.verify(rootLo, Commitments.tensorLeaf(ref.name(), input.tensor()));
            case DATA -> proof.verify(datasetRoot, Commitments.tensorLeaf(ref.name(), input.tensor()));
            // The leaf names its operator, so it proves op ref.op()'s output wherever it sits before this one.
            case OP -> ref.op() < j && proof.index() >= ref.op() && proof.index() < position && proof.leafCount() == traceLength
                    && proof.verify(providerTraceRoot, Commitments.traceLeaf(ref.op(), program.get(ref.op()).kind(),
                            OpSet.VERSION, Commitments.outputRoot(input.tensor())));
        };
    }
}
