package io.verigrid.bench;

import io.verigrid.engine.MlpJob;
import io.verigrid.engine.MlpTrainer;
import io.verigrid.engine.ModelState;
import io.verigrid.engine.Ops;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.Tensor;
import io.verigrid.engine.Dataset;
import io.verigrid.engine.Decoder;
import io.verigrid.engine.LearningRate;
import io.verigrid.engine.LmJob;
import io.verigrid.engine.LmTrainer;
import java.util.Map;
import java.util.SortedMap;
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

    /**
     * Median seconds of an n×n by n×n matmul, twice: into one output array, as BLAS's sgemm writes into a caller's
     * C, and through the operator, which returns a new output array each call (the JVM zeroes it).
     */
    double[] gemmSeconds(int n) {
        Tensor a = random(n, n, 1);
        Tensor b = random(n, n, 2);
        float[] out = new float[n * n];
        double reused = Timing.medianSeconds(() -> Ops.matmulInto(a, b, out, par), warmupMillis, runs);
        List<Tensor> inputs = List.of(a, b);
        double newOutput = Timing.medianSeconds(() -> Ops.execute("matmul", PLAIN, inputs, par), warmupMillis, runs);
        return new double[] {reused, newOutput};
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

    /**
     * Median seconds of one forward of {@code llama} (batch·seq tokens to logits) through the engine's traced
     * program, as a verifier replays it. Also returns the sum of squared logits, to compare with PyTorch's.
     */
    double[] llamaForward(BenchLlama llama, SortedMap<String, Tensor> weights) {
        int[] tokens = llama.tokens(llama.batch() * llama.seq());
        Tensor logits = Decoder.logits(llama.model(), weights, tokens, llama.batch(), par);
        double seconds = Timing.medianSeconds(() -> Decoder.logits(llama.model(), weights, tokens, llama.batch(), par),
                warmupMillis, runs);
        return new double[] {seconds, sumOfSquares(logits.data())};
    }

    /**
     * Median seconds of one AdamW training step of {@code llama} (forward, cross-entropy, backward, global-norm
     * clipping, AdamW, trace recording), each run from the same starting state. Also returns step 1's loss.
     */
    double[] llamaTrainStep(BenchLlama llama, SortedMap<String, Tensor> weights) {
        LmJob job = new LmJob(llama.model(), 0, llama.batch(), llama.batch(), llama.seq(), 1, 1,
                new LearningRate(1e-3f, 1e-3f, 0, 1), 0.9f, 0.95f, 1e-8f, 0.1f, 1f);
        Dataset data = LmJob.windows(llama.tokens(llama.batch() * llama.seq() + 1), llama.seq(),
                llama.config().vocabSize());
        ModelState start = job.stateFrom(weights);
        float loss = LmTrainer.step(job, data, start, par, null).loss();
        double seconds = Timing.medianSeconds(() -> LmTrainer.step(job, data, start, par, null), warmupMillis, runs);
        return new double[] {seconds, loss};
    }

    /** Milliseconds per operator kind of {@link #llamaTrainStep}'s step, median of {@code rounds} replays. */
    Map<String, Double> llamaTrainStepProfile(BenchLlama llama, SortedMap<String, Tensor> weights, int rounds) {
        LmJob job = new LmJob(llama.model(), 0, llama.batch(), llama.batch(), llama.seq(), 1, 1,
                new LearningRate(1e-3f, 1e-3f, 0, 1), 0.9f, 0.95f, 1e-8f, 0.1f, 1f);
        Dataset data = LmJob.windows(llama.tokens(llama.batch() * llama.seq() + 1), llama.seq(),
                llama.config().vocabSize());
        return OpProfile.trainStep(job, data, job.stateFrom(weights), par, rounds);
    }

    private static double sumOfSquares(float[] values) {
        double total = 0;
        for (float value : values) {
            total += (double) value * value;
        }
        return total;
    }

    /**
     * Streaming-read bandwidth in GB/s over {@code floats} floats (the GEMV's weight size, so both read from the
     * same level of the memory hierarchy): every thread sums its own part, best of {@code rounds}. The
     * denominator of a GEMV's "% of bandwidth".
     */
    double memoryBandwidthGbs(int floats, int rounds) {
        float[] big = new float[floats];
        java.util.Arrays.fill(big, 1f);
        float[] sink = new float[par.threads() + 1];
        for (int warm = 0; warm < 20_000; warm++) {
            sink[par.threads()] += StreamRead.sum(big, 0, 4096);
        }
        double best = 0;
        for (int round = 0; round < rounds + 1; round++) {
            long start = System.nanoTime();
            par.forRange(par.threads(), (from, to) -> {
                for (int t = from; t < to; t++) {
                    int lo = (int) ((long) big.length * t / par.threads());
                    int hi = (int) ((long) big.length * (t + 1) / par.threads());
                    sink[t] += StreamRead.sum(big, lo, hi);
                }
            });
            double gbs = 4.0 * big.length / ((System.nanoTime() - start) / 1e9) / 1e9;
            if (round >= 1) {
                best = Math.max(best, gbs);
            }
        }
        if (Float.isNaN(sink[0])) {
            throw new IllegalStateException("bandwidth probe summed a NaN");
        }
        return best;
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
