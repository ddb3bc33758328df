package io.verigrid.node.work;

import io.verigrid.engine.Dataset;
import io.verigrid.engine.Fault;
import io.verigrid.engine.MlpTrainer;
import io.verigrid.engine.ModelState;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.TrainingJob;
import io.verigrid.verify.Commitments;
import io.verigrid.verify.LocalRun;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One participant's own execution of a job: the spec, the dataset it trains on, the engine's thread count and,
 * for fault drills only, the fault switch. Units run step by step from the unit before through the job's own
 * {@code step}, exactly as {@link LocalRun} replays them in a dispute (a stale-checkpoint drill runs the unit as a
 * {@code LocalRun}, which applies that cheat), so a cheater's commitments and its dispute answers come from the
 * same execution, and an honest party's moves are always what re-execution gives.
 */
public final class Execution {
    private final TrainingJob job;
    private final Dataset dataset;
    private final Parallelism par;
    private final Fault fault;
    private final TreeMap<Integer, ModelState> checkpoints = new TreeMap<>();
    private final Map<Integer, Float> losses = new HashMap<>();

    /** An execution of {@code job} on {@code dataset} from the spec's seeded initial state. */
    public Execution(TrainingJob job, Dataset dataset, Parallelism par, Fault fault) {
        this(job, dataset, job.initialState(), par, fault);
    }

    /** An execution from {@code initial}, the state before step 1 (a fine-tuning job's, built from its checkpoint). */
    public Execution(TrainingJob job, Dataset dataset, ModelState initial, Parallelism par, Fault fault) {
        if (job == null || dataset == null || initial == null) {
            throw new IllegalArgumentException("job, dataset and initial state must not be null");
        }
        this.job = job;
        this.dataset = dataset;
        this.par = par;
        this.fault = fault;
        checkpoints.put(0, initial);
    }

    /** An execution of a job whose data its seed generates. */
    public static Execution seeded(TrainingJob job, Parallelism par, Fault fault) {
        Dataset data = job.seededDataset().orElseThrow(() -> new IllegalArgumentException("job: a " + job.kind().tag()
                + " job trains on a dataset blob; pass the dataset"));
        return new Execution(job, data, par, fault);
    }

    public TrainingJob job() {
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
            long end = (long) u * job.checkpointInterval();
            float loss = Float.NaN;
            if (fault == null || fault.kind() != Fault.Kind.STALE_CHECKPOINT) {
                while (state.step() < end) { // keeps one state at a time
                    MlpTrainer.StepResult result = job.step(dataset, state, par, fault);
                    state = result.next();
                    loss = result.loss();
                }
            } else {
                // A stale checkpoint needs the unit's starting state: the drill's LocalRun holds the unit.
                LocalRun run = LocalRun.execute(job, dataset, state, end, par, fault);
                state = run.state(end);
                loss = run.loss(end);
            }
            checkpoints.put(u, state);
            losses.put(u, loss);
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

    /** This execution's fault switch (null when honest). */
    public Fault fault() {
        return fault;
    }
}
