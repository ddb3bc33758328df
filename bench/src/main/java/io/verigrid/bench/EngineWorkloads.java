package io.verigrid.bench;

import io.verigrid.engine.MlpJob;
import io.verigrid.engine.MlpTrainer;
import io.verigrid.engine.ModelState;
import io.verigrid.engine.Ops;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.Tensor;
import io.verigrid.engine.Dataset;
import java.util.List;
import java.util.SplittableRandom;

/** The Verigrid side of the bench: the engine's public operator path, exactly as jobs and the referee run it. */
final class EngineWorkloads {
    private static final long[] PLAIN = {0, 0};

    private final Parallelism par;
    private final long warmupMillis;
    private final int runs;

    EngineWorkloads(Parallelism par, long warmupMillis, int runs) {
        this.par = par;
        this.warmupMillis = warmupMillis;
        this.runs = runs;
    }

    /**
     * Runs matmuls for {@code millis} before anything is timed: C1-compiled Vector API code is slow but steady,
     * and a per-size warm-up could mistake it for the final code before C2 has compiled the kernel.
     */
    void warmUpCompiler(long millis) {
        List<Tensor> inputs = List.of(random(256, 256, 5), random(256, 256, 6));
        long end = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < end) {
            Ops.execute("matmul", PLAIN, inputs, par);
        }
    }

    /** Median seconds of an n×n by n×n matmul. */
    double gemmSeconds(int n) {
        List<Tensor> inputs = List.of(random(n, n, 1), random(n, n, 2));
        return Timing.medianSeconds(() -> Ops.execute("matmul", PLAIN, inputs, par), warmupMillis, runs);
    }

    /** Median seconds of a decoding-style product: one row x (1×k) times weights W (k×n). */
    double gemvSeconds(int k, int n) {
        List<Tensor> inputs = List.of(random(1, k, 3), random(k, n, 4));
        return Timing.medianSeconds(() -> Ops.execute("matmul", PLAIN, inputs, par), warmupMillis, runs);
    }

    /** Median seconds of one training step of the demo MLP job (forward, backward, momentum SGD, trace). */
    double mlpStepSeconds(MlpJob job) {
        Dataset data = job.dataset();
        ModelState start = job.initialState();
        return Timing.medianSeconds(() -> MlpTrainer.step(job, data, start, par, null), warmupMillis, runs * 5);
    }

    private static Tensor random(int rows, int cols, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] values = new float[rows * cols];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        return Tensor.of(new int[] {rows, cols}, values);
    }
}
