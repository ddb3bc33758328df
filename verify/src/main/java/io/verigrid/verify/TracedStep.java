package io.verigrid.verify;

import io.verigrid.engine.Dataset;
import io.verigrid.engine.Fault;
import io.verigrid.engine.LmJob;
import io.verigrid.engine.LmTrainer;
import io.verigrid.engine.MatmulTiles;
import io.verigrid.engine.MlpJob;
import io.verigrid.engine.MlpTrainer;
import io.verigrid.engine.ModelState;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.TrainingJob;

/**
 * One training step traced under a max_referee_bytes bound (spec §2): every party of a game records the step this way,
 * so provider, challenger and ledger agree on which matmuls are tiles. The state and the loss are the bits
 * {@link TrainingJob#step} gives; only the trace layout depends on the bound.
 */
public final class TracedStep {
    private TracedStep() {}

    public static MlpTrainer.StepResult run(TrainingJob job, Dataset dataset, ModelState state, Parallelism par, Fault fault,
                                            long maxRefereeBytes) {
        if (job == null) throw new IllegalArgumentException("job: null");
        if (maxRefereeBytes < 1) throw new IllegalArgumentException("maxRefereeBytes: must be positive, got " + maxRefereeBytes);
        if (maxRefereeBytes == MatmulTiles.UNLIMITED) return job.step(dataset, state, par, fault);
        if (job instanceof MlpJob mlp) {
            MlpTrainer.StepResult result = MlpTrainer.step(mlp, dataset, state, par, fault, maxRefereeBytes);
            long step = result.next().step();
            // The bounded MLP path does not apply a skipped-step drill; the state is then the one before it.
            return fault != null && fault.skips(step)
                    ? new MlpTrainer.StepResult(state.withStep(step), result.trace(), result.loss()) : result;
        }
        return LmTrainer.step((LmJob) job, dataset, state, par, fault, maxRefereeBytes);
    }
}
