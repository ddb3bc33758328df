package io.verigrid.bench;

import io.verigrid.engine.Parallelism;
import io.verigrid.engine.generate.DecoderModel;
import io.verigrid.engine.generate.KvCache;
import io.verigrid.engine.generate.Sampler;
import java.util.ArrayList;
import java.util.List;

/**
 * Greedy generation on Verigrid's decoder the way the gateway batches it: c streams, each with its own KV cache,
 * the prompts prefilled in one {@link DecoderModel#decode} call, then ONE call per step for all c streams
 * (rows = streams), the next token the highest logit. {@code torch_inference.py} does the same with PyTorch.
 */
final class InferenceRun {
    /** One measurement: seconds to the first token, seconds to the last, and stream 0's tokens. */
    record Result(double ttftSeconds, double totalSeconds, int[] stream0) {
    }

    /** Tokens per stream of one warm-up generation. */
    private static final int WARMUP_TOKENS = 32;

    private InferenceRun() {
    }

    /** Stream s's prompt: ids (s·1009 + i·7919 + 13) mod vocab, as in torch_inference.py. */
    static int[] prompt(int stream, int length, int vocab) {
        int[] ids = new int[length];
        for (int i = 0; i < length; i++) {
            ids[i] = (int) ((stream * 1009L + i * 7919L + 13) % vocab);
        }
        return ids;
    }

    /** One generation of {@code tokens} tokens per stream for {@code concurrency} streams. */
    static Result generate(DecoderModel model, int concurrency, int promptLength, int tokens, Parallelism par) {
        List<KvCache> caches = new ArrayList<>(concurrency);
        List<int[]> inputs = new ArrayList<>(concurrency);
        for (int s = 0; s < concurrency; s++) {
            caches.add(model.newCache());
            inputs.add(prompt(s, promptLength, model.vocabSize()));
        }
        int[] stream0 = new int[tokens];
        long start = System.nanoTime();
        long first = 0;
        for (int t = 0; t < tokens; t++) {
            float[][] logits = model.decode(caches, inputs, par);
            List<int[]> next = new ArrayList<>(concurrency);
            for (float[] row : logits) {
                next.add(new int[] {Sampler.argmax(row)});
            }
            stream0[t] = next.get(0)[0];
            inputs = next;
            if (t == 0) {
                first = System.nanoTime();
            }
        }
        long end = System.nanoTime();
        return new Result((first - start) / 1e9, (end - start) / 1e9, stream0);
    }

    /**
     * Warm-up generations of up to {@link #WARMUP_TOKENS} tokens per stream (the JIT compiles the kernels) for at
     * least {@code warmupMillis} and until their times settle ({@link Timing#warmUp}), then the run with the
     * median total time of {@code runs}; its time to first token is the median of theirs.
     */
    static Result measure(DecoderModel model, int concurrency, int promptLength, int tokens, int runs,
            long warmupMillis, Parallelism par) {
        if (runs < 1) {
            throw new IllegalArgumentException("runs must be >= 1, got " + runs);
        }
        Timing.warmUp(() -> generate(model, concurrency, promptLength, Math.min(tokens, WARMUP_TOKENS), par),
                warmupMillis);
        double[] ttft = new double[runs];
        double[] total = new double[runs];
        int[] stream0 = null;
        for (int run = 0; run < runs; run++) {
            Result result = generate(model, concurrency, promptLength, tokens, par);
            ttft[run] = result.ttftSeconds();
            total[run] = result.totalSeconds();
            stream0 = result.stream0();
        }
        return new Result(Timing.median(ttft), Timing.median(total), stream0);
    }
}
