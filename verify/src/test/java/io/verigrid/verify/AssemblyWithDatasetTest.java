package io.verigrid.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.verigrid.engine.Dataset;
import io.verigrid.engine.MlpJob;
import io.verigrid.engine.MlpTrainer;
import io.verigrid.engine.ModelState;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.Tensor;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The assembly referee for a job that trains on a supplied dataset (a dataset blob) rather than its seed's. */
class AssemblyWithDatasetTest {
    private static final MlpJob JOB = MlpJob.demo();

    /** The seed's dataset with its first feature negated: a different, valid dataset of the same shape. */
    private static Dataset otherDataset() {
        Dataset seeded = JOB.dataset();
        float[] x = seeded.tensor("x").data().clone();
        for (int i = 0; i < x.length; i += JOB.inputDim()) x[i] = -x[i];
        SortedMap<String, Tensor> tensors = new TreeMap<>(seeded.tensors());
        tensors.put("x", Tensor.of(seeded.tensor("x").shape(), x));
        return new Dataset(tensors);
    }

    @Test
    void anHonestStepOnTheSuppliedDatasetWinsAndTheSeedsDatasetDoesNot() {
        Dataset data = otherDataset();
        byte[] datasetRoot = Commitments.datasetRoot(data);
        ModelState lo = MlpTrainer.run(JOB, data, JOB.initialState(), 4, Parallelism.single(), null);
        ModelState hi = MlpTrainer.step(JOB, data, lo, Parallelism.single(), null).next();
        byte[] rootLo = Commitments.stateRoot(lo);
        byte[] rootHi = Commitments.stateRoot(hi);

        assertEquals(Verdict.PROVIDER_WINS, Referee.decideAssembly(JOB, data, datasetRoot, 5, lo, rootLo, rootHi));
        assertEquals(Verdict.CHALLENGER_WINS, Referee.decideAssembly(JOB, JOB.dataset(), datasetRoot, 5, lo, rootLo, rootHi),
                "data that does not hash to the job's dataset root loses");
        assertEquals(Verdict.CHALLENGER_WINS, Referee.decideAssembly(JOB, null, datasetRoot, 5, lo, rootLo, rootHi),
                "missing data loses");
        assertEquals(Verdict.CHALLENGER_WINS, Referee.decideAssembly(JOB, 5, lo, rootLo, rootHi),
                "the seed's data does not reproduce a step trained on other data");
    }
}
