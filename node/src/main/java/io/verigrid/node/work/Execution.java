package io.verigrid.node.work;

import io.verigrid.engine.Dataset;
import io.verigrid.engine.Fault;
import io.verigrid.engine.MlpJob;
import io.verigrid.engine.MlpTrainer;
import io.verigrid.engine.ModelState;
import io.verigrid.engine.Parallelism;
import io.verigrid.verify.Commitments;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One participant's own execution of a job: the spec, the dataset it generates, the engine's thread count and,
 * for fault drills only, the fault switch. Providers and verifiers both compute every root and trace they
 * post from here, so an honest party's moves are always what re-execution gives.
 */
public final class Execution {
    private final MlpJob job;
    private final Dataset dataset;
    private final Parallelism par;
    private final Fault fault;
    private final TreeMap<Integer, ModelState> checkpoints = new TreeMap<>();
    private final Map<Integer, Float> losses = new HashMap<>();

    public Execution(MlpJob job, Parallelism par, Fault fault) {
        this(job, job.dataset(), par, fault);
    }

    /** An execution on {@code dataset}, which a job whose data is a blob brings instead of the seeded one. */
    public Execution(MlpJob job, Dataset dataset, Parallelism par, Fault fault) {
        if (dataset == null) throw new IllegalArgumentException("dataset must not be null");
        this.job = job;
        this.dataset = dataset;
        this.par = par;
        this.fault = fault;
        checkpoints.put(0, job.initialState());
    }

    public MlpJob job() {
        return job;
    }

    public Dataset dataset() {
        return dataset;
    }

    /** The state at the end of checkpoint unit {@code unit} (0 = initial), computing and caching it if needed. */
    public synchronized ModelState checkpoint(int unit) {
        ModelState known = checkpoints.get(unit);
        if (known != null) return known;
        int below = checkpoints.floorKey(unit);
        ModelState state = checkpoints.get(below);
        for (int u = below + 1; u <= unit; u++) {
            state = MlpTrainer.run(job, dataset, state, (long) u * job.checkpointInterval() - 1, par, fault);
            MlpTrainer.StepResult last = MlpTrainer.step(job, dataset, state, par, fault);
            state = last.next();
            checkpoints.put(u, state);
            losses.put(u, last.loss());
        }
        return state;
    }

    public synchronized boolean hasCheckpoint(int unit) {
        return checkpoints.containsKey(unit);
    }

    /** The batch loss of the last step of {@code unit}, once that unit was computed here. */
    public synchronized float loss(int unit) {
        Float loss = losses.get(unit);
        return loss == null ? Float.NaN : loss;
    }

    /** Adopts a checkpoint obtained elsewhere (its root was checked by the caller). */
    public synchronized void adopt(int unit, ModelState state) {
        checkpoints.put(unit, state);
    }

    public byte[] root(ModelState state) {
        return Commitments.stateRoot(state);
    }
}
