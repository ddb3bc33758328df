package io.verigrid.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Trains an {@link LmJob}, exactly as {@link MlpTrainer} trains an MLP: one step is a program computed from
 * the job and the step number alone ({@link #program}), realised in order through {@link Ops#execute} by
 * {@link #step}, which records every operator. Step s:
 * <pre>
 *   rows    = slice_rows(tokens, ((s−1)·batch) mod sequences, batch)            // (batch, seq+1)
 *   ids     = reshape(slice(rows, axis 1, 0, seq)),  targets = reshape(slice(rows, axis 1, 1, seq))
 *   loss    = cross_entropy(model.forward(ids), targets)                        // mean over batch·seq
 *   backward; then, parameters in name order:
 *   clip    = clip_coefficient(add(…add(sum_squares(g_1), sum_squares(g_2))…)) // when clipNorm > 0
 *   g'      = bcast_mul(g, clip)
 *   m', v'  = adam_m(m, g'), adam_v(v, g');  w' = adamw_apply(w, m', v')  at lr = schedule(s)
 * </pre>
 * Weight decay applies to parameters of rank ≥ 2 (matrices and embeddings), not to norms or biases.
 * A fine-tuning job ({@link FineTuning}) builds the same program over its trainable tensors only: frozen
 * weights take no gradient (backward emits nothing only they need) and get no optimizer operators; LoRA
 * adds each target's adapter operators to the forward pass ({@link LoraAdapter}).
 */
public final class LmTrainer {
    /** The cross-entropy ignore index: no token id is negative, so every target counts. */
    static final long NO_IGNORE = -1;

    private record Program(List<OpSpec> ops, Map<String, Integer> nextState, int lossOp) {
    }

    private LmTrainer() {
    }

    /** The full operator list of step {@code step} (1-based), from the job alone. */
    public static List<OpSpec> program(LmJob job, long step) {
        return compile(job, step).ops();
    }

    private static Program compile(LmJob job, long step) {
        if (job == null) {
            throw new IllegalArgumentException("job must not be null");
        }
        if (step < 1 || step > job.steps()) {
            throw new IllegalArgumentException("step must be in [1, " + job.steps() + "], got " + step);
        }
        int batch = job.batch();
        int seq = job.seqLen();
        Graph g = new Graph(job.fineTuning());
        long start = Math.floorMod((step - 1) * batch, (long) job.sequences());
        Graph.Node rows = g.apply("slice_rows", Graph.attrs(start, batch), g.data("tokens"));
        Graph.Node ids = g.apply("reshape", Shapes.toAttrs(batch * seq), g.apply("slice", Graph.attrs(1, 0, seq), rows));
        Graph.Node targets = g.apply("reshape", Shapes.toAttrs(batch * seq),
                g.apply("slice", Graph.attrs(1, 1, seq), rows));
        Graph.Node logits = job.model().forward(g, ids, batch, seq, 0, null);
        Graph.Node loss = g.apply("cross_entropy", Graph.attrs(NO_IGNORE), logits, targets);
        g.backward(loss);

        SortedMap<String, int[]> shapes = job.trainableShapes();
        Map<String, Graph.Node> grads = new TreeMap<>();
        for (String name : shapes.keySet()) {
            grads.put(name, g.gradient(g.parameter(name)));
        }
        if (job.clipNorm() > 0f) {
            Graph.Node total = null;
            for (Graph.Node grad : grads.values()) {
                Graph.Node squares = g.apply("sum_squares", Graph.attrs(), grad);
                total = total == null ? squares : g.apply("add", Graph.attrs(), total, squares);
            }
            Graph.Node coefficient = g.apply("clip_coefficient", Graph.attrs(bits(job.clipNorm())), total);
            grads.replaceAll((name, grad) -> g.apply("bcast_mul", Graph.attrs(), grad, coefficient));
        }
        long lr = bits(job.schedule().at(step));
        Map<String, Integer> nextState = new TreeMap<>();
        for (Map.Entry<String, int[]> entry : shapes.entrySet()) {
            String name = entry.getKey();
            Graph.Node grad = grads.get(name);
            Graph.Node m = g.apply("adam_m", Graph.attrs(bits(job.beta1())), g.state(LmJob.firstMoment(name)), grad);
            Graph.Node v = g.apply("adam_v", Graph.attrs(bits(job.beta2())), g.state(LmJob.secondMoment(name)), grad);
            float decay = entry.getValue().length >= 2 ? job.weightDecay() : 0f;
            Graph.Node w = g.apply("adamw_apply", Graph.attrs(lr, bits(job.beta1()), bits(job.beta2()), bits(job.eps()),
                    bits(decay), step), g.parameter(name), m, v);
            nextState.put(LmJob.firstMoment(name), m.ref().op());
            nextState.put(LmJob.secondMoment(name), v.ref().op());
            nextState.put(name, w.ref().op());
        }
        return new Program(g.specs(), nextState, loss.ref().op());
    }

    private static long bits(float value) {
        return Float.floatToRawIntBits(value);
    }

    static void checkDataset(LmJob job, Dataset dataset) {
        if (dataset == null) {
            throw new IllegalArgumentException("dataset must not be null");
        }
        Tensor tokens = dataset.tensor("tokens");
        if (tokens.rank() != 2 || tokens.dim(0) != job.sequences() || tokens.dim(1) != job.seqLen() + 1) {
            throw new IllegalArgumentException("dataset tensor tokens has shape " + java.util.Arrays.toString(tokens.shape())
                    + ", the job needs [" + job.sequences() + ", " + (job.seqLen() + 1) + "]");
        }
    }

    /**
     * Runs step {@code state.step() + 1}: exactly {@link #program}'s operators, in order, through
     * {@link Ops#execute}. {@code fault} (nullable) corrupts one operator's output at one step.
     */
    public static MlpTrainer.StepResult step(LmJob job, Dataset dataset, ModelState state, Parallelism par,
            Fault fault) {
        return step(job, dataset, state, par, fault, MatmulTiles.UNLIMITED);
    }

    /**
     * As above, recording every matmul whose inputs exceed {@code maxRefereeBytes} as its {@link MatmulTiles}; the
     * next state and the loss are the same bits.
     */
    public static MlpTrainer.StepResult step(LmJob job, Dataset dataset, ModelState state, Parallelism par,
            Fault fault, long maxRefereeBytes) {
        if (state == null || par == null) {
            throw new IllegalArgumentException("state and parallelism must not be null");
        }
        long stepNumber = state.step() + 1;
        checkDataset(job, dataset);
        Program program = compile(job, stepNumber);
        List<OpRecord> records = new ArrayList<>(program.ops().size());
        Tensor[] outputs = ProgramRunner.run(program.ops(), state::tensor, dataset::tensor, par, stepNumber, fault,
                records, maxRefereeBytes);
        float loss = outputs[program.lossOp()].data()[0];
        if (fault != null && fault.skips(stepNumber)) {
            return new MlpTrainer.StepResult(state.withStep(stepNumber), new StepTrace(stepNumber, records), loss);
        }
        ModelState next = state;
        for (Map.Entry<String, Integer> update : program.nextState().entrySet()) {
            next = next.with(update.getKey(), outputs[update.getValue()]);
        }
        return new MlpTrainer.StepResult(next.withStep(stepNumber), new StepTrace(stepNumber, records), loss);
    }

    /** Steps from {@code from} until {@code toStep} steps are complete; returns the final state. */
    public static ModelState run(LmJob job, Dataset dataset, ModelState from, long toStep, Parallelism par,
            Fault fault) {
        if (from == null || toStep < from.step()) {
            throw new IllegalArgumentException("from must not be null and toStep >= its step");
        }
        ModelState state = from;
        while (state.step() < toStep) {
            state = step(job, dataset, state, par, fault).next();
        }
        return state;
    }
}
