package io.verigrid.node.inference;

import io.verigrid.engine.HfCheckpoint;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.Tensor;
import io.verigrid.engine.generate.DecoderModel;
import io.verigrid.engine.generate.KvCache;
import io.verigrid.engine.generate.LlamaDecoder;
import io.verigrid.verify.InferenceCheats;
import io.verigrid.verify.InferenceRequest;
import io.verigrid.verify.InferenceTrace;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.Predicate;

/**
 * What a provider or verifier actually computes for a model: the serving decoder (KV cache, packed kernels) and
 * the engine replica it replays in a dispute. {@link #honest} is the registered model; the others are the cheaper
 * computations drills use to show that a dishonest provider (or verifier) loses: {@link InferenceCheats}.
 */
public record Computation(DecoderModel decoder, InferenceTrace.Replica replica, InferenceTrace.Replica targeted,
        Predicate<int[]> targets) {
    /** The same computation for every request. */
    public Computation(DecoderModel decoder, InferenceTrace.Replica replica) {
        this(decoder, replica, null, null);
    }

    /** The replica a party replays {@code request} with: {@code targeted} for the prompts {@code targets} picks. */
    public InferenceTrace.Replica replicaFor(InferenceRequest request) {
        return targets != null && targets.test(request.prompt()) ? targeted : replica;
    }

    public static Computation honest(Path modelDir) {
        HfCheckpoint checkpoint = HfCheckpoint.llama(modelDir);
        return new Computation(new LlamaDecoder(checkpoint.model().config(), checkpoint.weights()),
                new InferenceTrace.Replica(checkpoint.model(), checkpoint.weights(), null));
    }

    /** Serves the weights in {@code otherDir} (same shapes and vocabulary) as if they were the model in {@code modelDir}. */
    public static Computation otherWeights(Path modelDir, Path otherDir) {
        HfCheckpoint registered = HfCheckpoint.llama(modelDir);
        HfCheckpoint other = HfCheckpoint.llama(otherDir);
        return new Computation(new LlamaDecoder(registered.model().config(), other.weights()),
                InferenceCheats.otherWeights(registered.model(), other.weights()));
    }

    /** Skips the last layer; in a dispute it posts traces of the registered shape (see {@link InferenceCheats#skipLastLayer}). */
    public static Computation skipLastLayer(Path modelDir) {
        Computation honest = honest(modelDir);
        InferenceTrace.Replica fewer = InferenceCheats.fewerLayers(honest.replica());
        return new Computation(new LlamaDecoder(fewer.model().config(), fewer.weights()),
                InferenceCheats.skipLastLayer(honest.replica()));
    }

    /** Runs a model with one layer fewer, and replays that shorter program in a dispute. */
    public static Computation fewerLayers(Path modelDir) {
        InferenceTrace.Replica fewer = InferenceCheats.fewerLayers(honest(modelDir).replica());
        return new Computation(new LlamaDecoder(fewer.model().config(), fewer.weights()), fewer);
    }

    /** Rounds every position's logits to bfloat16. */
    public static Computation bf16Logits(Path modelDir) {
        Computation honest = honest(modelDir);
        return new Computation(new Bf16Logits(honest.decoder()), InferenceCheats.bf16Logits(honest.replica()));
    }

    /**
     * Rounds the logits to bfloat16 only on requests whose prompt {@code targets} picks (say, the long and costly
     * ones), and computes the rest honestly: a provider cheating on a fraction of its requests.
     */
    public static Computation bf16LogitsOn(Path modelDir, Predicate<int[]> targets) {
        Computation honest = honest(modelDir);
        InferenceTrace.Replica cheat = InferenceCheats.bf16Logits(honest.replica());
        return new Computation(new Bf16LogitsOn(honest.decoder(), targets, new WeakHashMap<>()), honest.replica(), cheat,
                targets);
    }

    /**
     * Adds 1 to one element of the last layer's output at every position ({@link InferenceCheats#corruptHiddenState}) in
     * the embeddings it serves, and replays that in a dispute; its completions stay honest.
     */
    public static Computation corruptHiddenState(Path modelDir) {
        Computation honest = honest(modelDir);
        InferenceTrace.Replica cheat = InferenceCheats.corruptHiddenState(honest.replica());
        return new Computation(new Embeddings(honest.decoder(), tokens -> InferenceTrace.run(cheat, tokens).hiddenStates()), cheat);
    }

    /**
     * Pools an embedding over all positions but the last (a cheaper pooling), while its traces stay honest: a dispute
     * over such an embedding is settled at the pooling.
     */
    public static Computation poolFewerPositions(Path modelDir) {
        Computation honest = honest(modelDir);
        DecoderModel inner = honest.decoder();
        return new Computation(new Embeddings(inner, tokens -> {
            Tensor states = inner.hiddenStates(tokens, Parallelism.single());
            int kept = Math.max(1, tokens.length - 1);
            float[] rows = java.util.Arrays.copyOf(states.data(), kept * states.dim(1));
            return Tensor.of(new int[] {kept, states.dim(1)}, rows);
        }), honest.replica());
    }

    /** A decoder whose hidden states (so its embeddings) come from {@code states}; its logits are {@code inner}'s. */
    private record Embeddings(DecoderModel inner, java.util.function.Function<int[], Tensor> states) implements DecoderModel {
        public int vocabSize() { return inner.vocabSize(); }

        public int contextLength() { return inner.contextLength(); }

        public int hiddenSize() { return inner.hiddenSize(); }

        public KvCache newCache() { return inner.newCache(); }

        public float[][] decode(List<KvCache> caches, List<int[]> tokens, Parallelism par) { return inner.decode(caches, tokens, par); }

        public Tensor hiddenStates(int[] tokens, Parallelism par) { return states.apply(tokens); }
    }

    /** A decoder whose logits are rounded to bfloat16 (a cheaper LM head). */
    private record Bf16Logits(DecoderModel inner) implements DecoderModel {
        public int vocabSize() { return inner.vocabSize(); }

        public int contextLength() { return inner.contextLength(); }

        public int hiddenSize() { return inner.hiddenSize(); }

        public KvCache newCache() { return inner.newCache(); }

        public float[][] decode(List<KvCache> caches, List<int[]> tokens, Parallelism par) {
            float[][] logits = inner.decode(caches, tokens, par);
            for (int i = 0; i < logits.length; i++) logits[i] = InferenceCheats.toBf16(logits[i]);
            return logits;
        }

        public Tensor hiddenStates(int[] tokens, Parallelism par) { return inner.hiddenStates(tokens, par); }
    }

    /**
     * Rounds the logits of the sequences whose prompt (the tokens of a cache's first decode) {@code targets} picks.
     * Each sequence is remembered by its cache (caches compare by identity) until the cache is collected.
     */
    private record Bf16LogitsOn(DecoderModel inner, Predicate<int[]> targets, Map<KvCache, Boolean> cheating)
            implements DecoderModel {
        public int vocabSize() { return inner.vocabSize(); }

        public int contextLength() { return inner.contextLength(); }

        public int hiddenSize() { return inner.hiddenSize(); }

        public KvCache newCache() { return inner.newCache(); }

        public float[][] decode(List<KvCache> caches, List<int[]> tokens, Parallelism par) {
            boolean[] round = new boolean[caches.size()];
            synchronized (cheating) {
                for (int i = 0; i < round.length; i++) {
                    int[] seq = tokens.get(i);
                    round[i] = cheating.computeIfAbsent(caches.get(i), c -> targets.test(seq));
                }
            }
            float[][] logits = inner.decode(caches, tokens, par);
            for (int i = 0; i < logits.length; i++) {
                if (round[i]) logits[i] = InferenceCheats.toBf16(logits[i]);
            }
            return logits;
        }

        public Tensor hiddenStates(int[] tokens, Parallelism par) { return inner.hiddenStates(tokens, par); }
    }
}
