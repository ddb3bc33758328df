package io.verigrid.node.inference;

import io.verigrid.engine.HfCheckpoint;
import io.verigrid.engine.LlamaConfig;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.Tensor;
import io.verigrid.engine.generate.DecoderModel;
import io.verigrid.engine.generate.KvCache;
import io.verigrid.engine.generate.LlamaDecoder;
import io.verigrid.verify.InferenceCheats;
import io.verigrid.verify.InferenceTrace;
import java.nio.file.Path;
import java.util.List;

/**
 * What a provider or verifier actually computes for a model: the serving decoder (KV cache, packed kernels) and
 * the engine replica it replays in a dispute. {@link #honest} is the registered model; the others are the cheaper
 * computations drills use to show that a dishonest provider (or verifier) loses: {@link InferenceCheats}.
 */
public record Computation(DecoderModel decoder, InferenceTrace.Replica replica) {
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

    /** Runs every layer but the last. */
    public static Computation skipLastLayer(Path modelDir) {
        InferenceTrace.Replica fewer = InferenceCheats.skipLastLayer(honest(modelDir).replica());
        LlamaConfig config = fewer.model().config();
        return new Computation(new LlamaDecoder(config, fewer.weights()), fewer);
    }

    /** Rounds every position's logits to bfloat16. */
    public static Computation bf16Logits(Path modelDir) {
        Computation honest = honest(modelDir);
        return new Computation(new Bf16Logits(honest.decoder()), InferenceCheats.bf16Logits(honest.replica()));
    }

    /** A decoder whose logits are rounded to bfloat16 (a cheaper LM head). */
    private record Bf16Logits(DecoderModel inner) implements DecoderModel {
        public int vocabSize() { return inner.vocabSize(); }

        public int contextLength() { return inner.contextLength(); }

        public KvCache newCache() { return inner.newCache(); }

        public float[][] decode(List<KvCache> caches, List<int[]> tokens, Parallelism par) {
            float[][] logits = inner.decode(caches, tokens, par);
            for (int i = 0; i < logits.length; i++) logits[i] = InferenceCheats.toBf16(logits[i]);
            return logits;
        }

        public Tensor hiddenStates(int[] tokens, Parallelism par) { return inner.hiddenStates(tokens, par); }
    }
}
