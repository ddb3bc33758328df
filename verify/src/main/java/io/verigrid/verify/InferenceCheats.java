package io.verigrid.verify;

import io.verigrid.engine.LlamaConfig;
import io.verigrid.engine.LlamaModel;
import io.verigrid.engine.OpRecord;
import io.verigrid.engine.Tensor;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The cheaper computations a dishonest inference provider might serve instead of the registered model, for drills
 * and tests that prove they are caught: other (e.g. smaller or cheaper) weights, a skipped last layer, and logits
 * rounded to bfloat16. Each is a {@link InferenceTrace.Replica}, so the cheater also plays the dispute game
 * consistently with what it served.
 */
public final class InferenceCheats {
    private InferenceCheats() {}

    /** Serves {@code weights} under the registered model's name. */
    public static InferenceTrace.Replica otherWeights(LlamaModel model, SortedMap<String, Tensor> weights) {
        return new InferenceTrace.Replica(model, weights, null);
    }

    /** Runs every layer but the last. */
    public static InferenceTrace.Replica skipLastLayer(InferenceTrace.Replica honest) {
        LlamaConfig c = honest.model().config();
        if (c.numHiddenLayers() < 2) throw new IllegalArgumentException("model: needs two layers to skip one");
        LlamaConfig fewer = new LlamaConfig(c.hiddenSize(), c.intermediateSize(), c.numHiddenLayers() - 1,
                c.numAttentionHeads(), c.numKeyValueHeads(), c.vocabSize(), c.maxPositionEmbeddings(), c.rmsNormEps(),
                c.ropeTheta(), c.tieWordEmbeddings());
        LlamaModel smaller = new LlamaModel(fewer);
        SortedMap<String, Tensor> kept = new TreeMap<>(honest.weights());
        kept.keySet().retainAll(smaller.parameterShapes().keySet());
        return new InferenceTrace.Replica(smaller, kept, null);
    }

    /** Rounds each position's logits (its last operator's output) to bfloat16, as a cheaper LM head would. */
    public static InferenceTrace.Replica bf16Logits(InferenceTrace.Replica honest) {
        return new InferenceTrace.Replica(honest.model(), honest.weights(), (position, records) -> {
            OpRecord last = records.get(records.size() - 1);
            records.set(records.size() - 1, new OpRecord(last.index(), last.spec(),
                    Tensor.of(last.output().shape(), toBf16(last.output().data()))));
        });
    }

    /** Each value rounded to the nearest bfloat16 (ties to even), kept as float32. */
    public static float[] toBf16(float[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            int bits = Float.floatToRawIntBits(values[i]);
            int rounded = (bits + 0x7FFF + ((bits >>> 16) & 1)) & 0xFFFF0000;
            out[i] = Float.isFinite(values[i]) ? Float.intBitsToFloat(rounded) : values[i];
        }
        return out;
    }
}
