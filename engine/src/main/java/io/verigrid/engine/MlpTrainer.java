package io.verigrid.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Trains an {@link MlpJob}. One step's work is a program — a list of {@link OpSpec}s computed from the job
 * spec and the step number alone ({@link #program}) — realised in order by {@link #step}, which records every
 * operator's output. The ledger's referee calls {@link #program} to learn what operator j is; providers and
 * verifiers call {@link #step} / {@link #run}. The model:
 * <pre>
 *   xb, yb = slice_rows(x), slice_rows(y)           // batch of step s starts at row ((s−1)·batch) mod samples
 *   h      = relu(add_bias(matmul(xb, w1), b1))      // (batch, hidden)
 *   logits = add_bias(matmul(h, w2), b2)             // (batch, classes)
 *   loss   = softmax_xent(logits, yb)                // scalar
 *   backward; then per parameter p in name order: v_p' = momentum_update(v_p, dp), p' = sgd_apply(p, v_p')
 * </pre>
 */
public final class MlpTrainer {
    private static final List<String> PARAMETERS = List.of("b1", "b2", "w1", "w2");

    /** What running one step gives: the next state, the trace of every operator, and the batch loss. */
    public record StepResult(ModelState next, StepTrace trace, float loss) {
    }

    /** A step's operators plus which outputs become the next state and which is the loss. */
    private record Program(List<OpSpec> ops, Map<String, Integer> nextState, int lossOp) {
    }

    private MlpTrainer() {
    }

    /** The full operator list of step {@code step} (1-based) — forward, loss, backward, optimizer — without tensor math. */
    public static List<OpSpec> program(MlpJob job, long step) {
        return compile(job, step).ops();
    }

    private static Program compile(MlpJob job, long step) {
        if (job == null) {
            throw new IllegalArgumentException("job must not be null");
        }
        if (step < 1 || step > job.steps()) {
            throw new IllegalArgumentException("step must be in [1, " + job.steps() + "], got " + step);
        }
        Graph graph = new Graph();
        long start = Math.floorMod((step - 1) * job.batch(), (long) job.samples());
        Graph.Node x = graph.apply("slice_rows", Graph.attrs(start, job.batch()), graph.data("x"));
        Graph.Node y = graph.apply("slice_rows", Graph.attrs(start, job.batch()), graph.data("y"));
        Map<String, Graph.Node> params = new TreeMap<>();
        for (String name : PARAMETERS) {
            params.put(name, graph.parameter(name));
        }
        Graph.Node hidden = graph.apply("relu", Graph.attrs(), graph.apply("add_bias", Graph.attrs(),
                graph.apply("matmul", Graph.attrs(0, 0), x, params.get("w1")), params.get("b1")));
        Graph.Node logits = graph.apply("add_bias", Graph.attrs(),
                graph.apply("matmul", Graph.attrs(0, 0), hidden, params.get("w2")), params.get("b2"));
        Graph.Node loss = graph.apply("softmax_xent", Graph.attrs(), logits, y);
        graph.backward(loss);

        Map<String, Integer> nextState = new TreeMap<>();
        long momentumBits = Float.floatToRawIntBits(job.momentum());
        long learningRateBits = Float.floatToRawIntBits(job.learningRate());
        for (String name : PARAMETERS) {
            Graph.Node velocity = graph.apply("momentum_update", Graph.attrs(momentumBits),
                    graph.state("v_" + name), graph.gradient(params.get(name)));
            Graph.Node updated = graph.apply("sgd_apply", Graph.attrs(learningRateBits), params.get(name), velocity);
            nextState.put("v_" + name, velocity.ref().op());
            nextState.put(name, updated.ref().op());
        }
        return new Program(graph.specs(), nextState, loss.ref().op());
    }

    /**
     * Runs step {@code state.step() + 1}: exactly {@link #program}'s operators, in order, through
     * {@link Ops#execute}. {@code fault} (nullable) corrupts one operator's output at one step.
     */
    public static StepResult step(MlpJob job, Dataset dataset, ModelState state, Parallelism par, Fault fault) {
        if (dataset == null || state == null || par == null) {
            throw new IllegalArgumentException("dataset, state and parallelism must not be null");
        }
        long stepNumber = state.step() + 1;
        Program program = compile(job, stepNumber);
        List<OpRecord> records = new ArrayList<>(program.ops().size());
        Tensor[] outputs = ProgramRunner.run(program.ops(), state::tensor, dataset::tensor, par, stepNumber, fault,
                records);
        if (fault != null && fault.skips(stepNumber)) {
            return new StepResult(state.withStep(stepNumber), new StepTrace(stepNumber, records),
                    outputs[program.lossOp()].data()[0]);
        }
        ModelState next = state;
        for (Map.Entry<String, Integer> update : program.nextState().entrySet()) {
            next = next.with(update.getKey(), outputs[update.getValue()]);
        }
        float loss = outputs[program.lossOp()].data()[0];
        return new StepResult(next.withStep(stepNumber), new StepTrace(stepNumber, records), loss);
    }

    /**
     * As {@link #step(MlpJob, Dataset, ModelState, Parallelism, Fault)}, recording every matmul whose inputs exceed
     * {@code maxRefereeBytes} as its {@link MatmulTiles}; the next state and the loss are the same bits.
     */
    public static StepResult step(MlpJob job, Dataset dataset, ModelState state, Parallelism par, Fault fault,
            long maxRefereeBytes) {
        if (dataset == null || state == null || par == null) {
            throw new IllegalArgumentException("dataset, state and parallelism must not be null");
        }
        long stepNumber = state.step() + 1;
        Program program = compile(job, stepNumber);
        List<OpRecord> records = new ArrayList<>(program.ops().size());
        Tensor[] outputs = ProgramRunner.run(program.ops(), state::tensor, dataset::tensor, par, stepNumber, fault,
                records, maxRefereeBytes);
        ModelState next = state;
        for (Map.Entry<String, Integer> update : program.nextState().entrySet()) {
            next = next.with(update.getKey(), outputs[update.getValue()]);
        }
        float loss = outputs[program.lossOp()].data()[0];
        return new StepResult(next.withStep(stepNumber), new StepTrace(stepNumber, records), loss);
    }

    /** Steps from {@code from} until the state has completed {@code toStep} steps; keeps no traces. */
    public static ModelState run(MlpJob job, Dataset dataset, ModelState from, long toStep, Parallelism par,
            Fault fault) {
        if (from == null) {
            throw new IllegalArgumentException("from must not be null");
        }
        if (toStep < from.step()) {
            throw new IllegalArgumentException("toStep (" + toStep + ") is before the state's step (" + from.step()
                    + ")");
        }
        ModelState state = from;
        while (state.step() < toStep) {
            state = step(job, dataset, state, par, fault).next();
        }
        return state;
    }
}
