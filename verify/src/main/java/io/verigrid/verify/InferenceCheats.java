package io.verigrid.verify;

import io.verigrid.engine.LlamaConfig;
import io.verigrid.engine.LlamaModel;
import io.verigrid.engine.InputRef;
import io.verigrid.engine.OpRecord;
import io.verigrid.engine.OpSpec;
import io.verigrid.engine.Ops;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The cheaper computations a dishonest inference provider might serve instead of the registered model, for drills
 * and tests that prove they are caught: other (e.g. smaller or cheaper) weights, a skipped last layer (keeping the
 * program's shape, or running a shorter program), and logits rounded to bfloat16. Each is a {@link InferenceTrace.Replica}, so the cheater also plays the dispute game
 * consistently with what it served.
 */
public final class InferenceCheats {
    private InferenceCheats() {}

    /** Serves {@code weights} under the registered model's name. */
    public static InferenceTrace.Replica otherWeights(LlamaModel model, SortedMap<String, Tensor> weights) {
        return new InferenceTrace.Replica(model, weights, null);
    }

    /**
     * Runs a model with one layer fewer: a different (shorter) program, so its traces cannot even take the shape of
     * the registered model's; such a provider cannot make its dispute moves and loses on the deadline.
     */
    public static InferenceTrace.Replica fewerLayers(InferenceTrace.Replica honest) {
        LlamaConfig c = honest.model().config();
        if (c.numHiddenLayers() < 2) throw new IllegalArgumentException("model: needs two layers to drop one");
        LlamaConfig fewer = new LlamaConfig(c.hiddenSize(), c.intermediateSize(), c.numHiddenLayers() - 1,
                c.numAttentionHeads(), c.numKeyValueHeads(), c.vocabSize(), c.maxPositionEmbeddings(), c.rmsNormEps(),
                c.ropeTheta(), c.tieWordEmbeddings());
        LlamaModel smaller = new LlamaModel(fewer);
        SortedMap<String, Tensor> kept = new TreeMap<>(honest.weights());
        kept.keySet().retainAll(smaller.parameterShapes().keySet());
        return new InferenceTrace.Replica(smaller, kept, null);
    }

    /**
     * Skips the last layer while keeping the registered program's shape: the layer's two residual additions claim
     * to return their input unchanged, and the final norm and LM head are recomputed from that. The logits are
     * exactly those of the model without its last layer ({@link #fewerLayers}), so the cheat serves consistently;
     * its trace first parts from an honest one at the layer's first residual addition, which the referee re-executes.
     */
    public static InferenceTrace.Replica skipLastLayer(InferenceTrace.Replica honest) {
        SortedMap<String, Tensor> weights = honest.weights();
        String lastNorm = "model.layers." + (honest.model().config().numHiddenLayers() - 1) + ".input_layernorm.weight";
        return new InferenceTrace.Replica(honest.model(), weights, (position, records) -> {
            int layerStart = indexReading(records, lastNorm, 0);
            int firstAdd = indexOfKind(records, "add", layerStart);
            int finalNorm = indexReading(records, "model.norm.weight", firstAdd);
            int secondAdd = finalNorm - 1;
            Tensor x = records.get(records.get(firstAdd).spec().inputs().get(0).op()).output();
            replace(records, firstAdd, x);
            replace(records, secondAdd, x);
            recomputeFrom(records, finalNorm, weights);
        });
    }

    /**
     * Adds 1 to one element of the last layer's output (its second residual addition) at every position, and recomputes
     * the final norm and LM head from it: a provider whose hidden states (so its embeddings and logits) are off in one
     * place. The caches are written before that addition, so later positions see nothing of it; its trace first parts
     * from an honest one at that addition of position 0, which the referee re-executes.
     */
    public static InferenceTrace.Replica corruptHiddenState(InferenceTrace.Replica honest) {
        SortedMap<String, Tensor> weights = honest.weights();
        return new InferenceTrace.Replica(honest.model(), weights, (position, records) -> {
            int finalNorm = indexReading(records, "model.norm.weight", 0);
            int residual = records.get(finalNorm).spec().inputs().get(0).op();
            Tensor x = records.get(residual).output();
            float[] data = x.data().clone();
            data[0] += 1f;
            replace(records, residual, Tensor.of(x.shape(), data));
            recomputeFrom(records, finalNorm, weights);
        });
    }

    /** Re-executes operators {@code from}.. of a position (they read only earlier operators and weights) after a change. */
    private static void recomputeFrom(List<OpRecord> records, int from, SortedMap<String, Tensor> weights) {
        for (int j = from; j < records.size(); j++) {
            OpSpec spec = records.get(j).spec();
            List<Tensor> inputs = new ArrayList<>();
            for (InputRef ref : spec.inputs()) {
                inputs.add(ref.source() == InputRef.Source.OP ? records.get(ref.op()).output() : weights.get(ref.name()));
            }
            replace(records, j, Ops.execute(spec.kind(), spec.attrs(), inputs, Parallelism.single()));
        }
    }

    private static int indexReading(List<OpRecord> records, String stateName, int from) {
        for (int j = from; j < records.size(); j++) {
            if (records.get(j).spec().inputs().contains(InputRef.state(stateName))) return j;
        }
        throw new IllegalStateException("no operator reads " + stateName);
    }

    private static int indexOfKind(List<OpRecord> records, String kind, int from) {
        for (int j = from; j < records.size(); j++) {
            if (records.get(j).spec().kind().equals(kind)) return j;
        }
        throw new IllegalStateException("no " + kind + " operator after " + from);
    }

    private static void replace(List<OpRecord> records, int j, Tensor output) {
        OpRecord old = records.get(j);
        records.set(j, new OpRecord(old.index(), old.spec(), output));
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
