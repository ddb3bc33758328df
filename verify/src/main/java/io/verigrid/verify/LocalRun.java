package io.verigrid.verify;

import io.verigrid.engine.Dataset;
import io.verigrid.engine.Fault;
import io.verigrid.engine.MatmulTiles;
import io.verigrid.engine.MlpTrainer;
import io.verigrid.engine.ModelState;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.StepTrace;
import io.verigrid.engine.TrainingJob;

import java.util.ArrayList;
import java.util.List;

/**
 * One party's own execution of a range of steps, from which it computes its dispute moves: the state and state
 * root after every step, and any step's trace on demand. A drill {@link Fault} (nullable) makes it a cheating
 * provider's execution, reproduced consistently in every answer: operator cheats and skipped steps through the
 * engine's step, a stale checkpoint here (the state after the faulted step carries the tensors of its unit's
 * starting state, which must lie in the run). Keeps every state of the range in memory, and each step's loss.
 */
public final class LocalRun {
    private final TrainingJob job;
    private final Dataset dataset;
    private final Parallelism parallelism;
    private final Fault fault;
    private final long maxRefereeBytes;
    private final long firstStep;
    private final List<ModelState> states = new ArrayList<>(); // states.get(i): the state after step firstStep + i
    private final List<byte[]> roots = new ArrayList<>();
    private final List<Float> losses = new ArrayList<>(); // losses.get(i): the loss of step firstStep + i + 1
    private StepTrace lastTrace;

    private LocalRun(TrainingJob job, Dataset dataset, ModelState start, Parallelism parallelism, Fault fault,
                     long maxRefereeBytes) {
        this.job = job;
        this.maxRefereeBytes = maxRefereeBytes;
        this.dataset = dataset;
        this.parallelism = parallelism;
        this.fault = fault;
        this.firstStep = start.step();
        states.add(start);
        roots.add(Commitments.stateRoot(start));
    }

    /** Runs {@code job} from {@code start} until {@code toStep} steps are complete. */
    public static LocalRun execute(TrainingJob job, Dataset dataset, ModelState start, long toStep, Parallelism parallelism,
                                   Fault fault) {
        return execute(job, dataset, start, toStep, parallelism, fault, MatmulTiles.UNLIMITED);
    }

    /**
     * As above, tracing every step under the ledger's max_referee_bytes (spec §2), so that the trace leaves are the
     * tiles the game bisects; the states are the same bits.
     */
    public static LocalRun execute(TrainingJob job, Dataset dataset, ModelState start, long toStep, Parallelism parallelism,
                                   Fault fault, long maxRefereeBytes) {
        if (maxRefereeBytes < 1) throw new IllegalArgumentException("maxRefereeBytes: must be positive, got " + maxRefereeBytes);
        if (job == null || dataset == null || start == null || parallelism == null) {
            throw new IllegalArgumentException("job, dataset, start and parallelism must not be null");
        }
        if (toStep < start.step()) {
            throw new IllegalArgumentException("toStep: " + toStep + " is before the start state's step " + start.step());
        }
        LocalRun run = new LocalRun(job, dataset, start, parallelism, fault, maxRefereeBytes);
        ModelState state = start;
        while (state.step() < toStep) {
            MlpTrainer.StepResult result = TracedStep.run(job, dataset, state, parallelism, fault, maxRefereeBytes);
            state = result.next();
            if (fault != null && fault.stale(state.step())) {
                long unitStart = (state.step() - 1) / job.checkpointInterval() * job.checkpointInterval();
                if (unitStart < run.firstStep) {
                    throw new IllegalArgumentException("fault: a stale checkpoint at step " + state.step()
                            + " needs the unit's start state, step " + unitStart + ", which is before this run");
                }
                state = new ModelState(run.state(unitStart).tensors(), state.step());
            }
            run.states.add(state);
            run.roots.add(Commitments.stateRoot(state));
            run.losses.add(result.loss());
        }
        return run;
    }

    /** The batch loss of step {@code step} (1-based, within the run). */
    public float loss(long step) {
        if (step <= firstStep || step > lastStep()) {
            throw new IllegalArgumentException("step: " + step + " outside this run's steps " + (firstStep + 1) + ".." + lastStep());
        }
        return losses.get((int) (step - firstStep - 1));
    }

    public TrainingJob job() {
        return job;
    }

    /** The bound this run's traces are tiled under. */
    public long maxRefereeBytes() {
        return maxRefereeBytes;
    }

    public Dataset dataset() {
        return dataset;
    }

    public long firstStep() {
        return firstStep;
    }

    public long lastStep() {
        return firstStep + states.size() - 1;
    }

    /** The state after {@code step} completed steps. */
    public ModelState state(long step) {
        return states.get(offset(step));
    }

    public byte[] stateRoot(long step) {
        return roots.get(offset(step)).clone();
    }

    /** The trace of step {@code step} (1-based, within the run), re-executed from the state before it. */
    public StepTrace trace(long step) {
        if (step <= firstStep || step > lastStep()) {
            throw new IllegalArgumentException("step: " + step + " outside this run's steps " + (firstStep + 1) + ".." + lastStep());
        }
        if (lastTrace == null || lastTrace.step() != step) {
            lastTrace = TracedStep.run(job, dataset, state(step - 1), parallelism, fault, maxRefereeBytes).trace();
        }
        return lastTrace;
    }

    private int offset(long step) {
        if (step < firstStep || step > lastStep()) {
            throw new IllegalArgumentException("step: " + step + " outside this run's " + firstStep + ".." + lastStep());
        }
        return (int) (step - firstStep);
    }
}
