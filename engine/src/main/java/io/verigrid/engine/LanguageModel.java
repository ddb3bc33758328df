package io.verigrid.engine;

import java.util.Arrays;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A decoder-only language model as a builder of operator graphs: it owns no tensors, only its
 * configuration; weights live in a {@link ModelState} under Hugging Face tensor names. Every forward pass is
 * a program of {@link OpSpec}s, so training steps and inference steps are traced and refereed like any other.
 */
public interface LanguageModel {
    /** Every parameter's name and shape, in name order. */
    SortedMap<String, int[]> parameterShapes();

    int vocabSize();

    int maxPositions();

    /** Key/value width per layer (kvHeads · headDim), the row width of the KV cache. */
    int kvWidth();

    int layers();

    /**
     * A linear layer's weight layout: {@code in} → {@code out} features; {@code inOut} when the weight is
     * stored (in, out) as GPT-2's Conv1D does, otherwise (out, in) as torch.nn.Linear.
     */
    record Linear(int in, int out, boolean inOut) {
    }

    /**
     * The linear layers a LoRA adapter may target, by module path (the weight's name without
     * {@code .weight}), in name order. The output head is not among them.
     */
    SortedMap<String, Linear> linearModules();

    /**
     * Appends the forward pass to {@code graph}: {@code ids} holds batch·seq token ids (rows batch-major) at
     * positions offset … offset + seq − 1; returns the logits node (batch·seq, vocab). With {@code cache}
     * non-null (batch 1), each layer's keys and values are appended to the state tensors
     * {@code cache.<layer>.k} / {@code cache.<layer>.v} and the full key/value nodes are put in {@code cache}
     * under the same names, so a decoder can keep them as the next cache.
     */
    Graph.Node forward(Graph graph, Graph.Node ids, int batch, int seq, int offset, Map<String, Graph.Node> cache);

    /** Freshly initialised weights, every value a function of {@code seed} and the tensor's name. */
    SortedMap<String, Tensor> initialParameters(long seed);

    /** Throws IllegalArgumentException naming the first missing, unexpected or misshapen tensor. */
    default void checkWeights(SortedMap<String, Tensor> weights) {
        SortedMap<String, int[]> expected = parameterShapes();
        for (Map.Entry<String, int[]> entry : expected.entrySet()) {
            Tensor tensor = weights.get(entry.getKey());
            if (tensor == null) {
                throw new IllegalArgumentException("missing tensor " + entry.getKey() + " with shape "
                        + Arrays.toString(entry.getValue()));
            }
            if (!Arrays.equals(tensor.shape(), entry.getValue())) {
                throw new IllegalArgumentException("tensor " + entry.getKey() + " has shape "
                        + Arrays.toString(tensor.shape()) + ", expected " + Arrays.toString(entry.getValue()));
            }
        }
        for (String name : weights.keySet()) {
            if (!expected.containsKey(name)) {
                throw new IllegalArgumentException("unexpected tensor " + name + " for this model configuration");
            }
        }
    }

    /** The names of the cache tensors of one layer. */
    static String cacheKey(int layer) {
        return "cache." + layer + ".k";
    }

    static String cacheValue(int layer) {
        return "cache." + layer + ".v";
    }

    /** Shared initialisation: normal(0, std) from the counter RNG (Box–Muller in double with StrictMath). */
    final class Init {
        private Init() {
        }

        static Tensor normal(long seed, String name, float std, int... shape) {
            long stream = stream(name);
            float[] values = new float[Shapes.size(shape)];
            for (int i = 0; i < values.length; i++) {
                double u1 = (CounterRng.bits(seed, stream, 2L * i) >>> 11) * 0x1.0p-53;
                double u2 = (CounterRng.bits(seed, stream, 2L * i + 1) >>> 11) * 0x1.0p-53;
                double radius = StrictMath.sqrt(-2.0 * StrictMath.log(1.0 - u1));
                values[i] = (float) (std * radius * StrictMath.cos(2.0 * StrictMath.PI * u2));
            }
            return Tensor.wrap(shape, values);
        }

        /** uniform(−bound, bound) from the counter RNG (24 random bits, one float rounding per value). */
        static Tensor uniform(long seed, String name, float bound, int... shape) {
            long stream = stream(name);
            float[] values = new float[Shapes.size(shape)];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) (((double) CounterRng.uniform(seed, stream, i) * 2.0 - 1.0) * bound);
            }
            return Tensor.wrap(shape, values);
        }

        static Tensor filled(float value, int... shape) {
            float[] values = new float[Shapes.size(shape)];
            Arrays.fill(values, value);
            return Tensor.wrap(shape, values);
        }

        /** FNV-1a over the name's characters: the RNG stream of a named tensor. */
        private static long stream(String name) {
            long hash = 0xcbf29ce484222325L;
            for (int i = 0; i < name.length(); i++) {
                hash = (hash ^ name.charAt(i)) * 0x100000001b3L;
            }
            return hash;
        }

        static SortedMap<String, Tensor> sorted() {
            return new TreeMap<>();
        }
    }
}
