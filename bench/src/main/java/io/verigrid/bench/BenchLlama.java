package io.verigrid.bench;

import io.verigrid.engine.LlamaConfig;
import io.verigrid.engine.LlamaModel;
import io.verigrid.engine.Tensor;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One Llama workload of {@code bench engine}: the shape of a llama2.c "stories" model with seeded weights that
 * {@code torch_bench.py} regenerates bit for bit, so both sides run the same weights on the same tokens.
 *
 * <p>Weights: norms 1; every other element i of the t-th tensor in name order is {@code (2u − 1) · s} in float32,
 * with s = (float) (1/√fan_in) and u = (h >>> 8) · 2⁻²⁴ from a 32-bit integer hash h of (seed, t, i) ({@link #hash});
 * only integer arithmetic and exact float steps, so Python gets the same bits. Tokens: id i is
 * {@code (i · 7919 + 13) mod vocab}.
 */
record BenchLlama(String name, LlamaConfig config, int batch, int seq, boolean trainStep) {
    private static final long MASK = 0xFFFFFFFFL;

    /** stories15M: dim 288, 6 layers, 6 heads, hidden 768, vocabulary 32000, tied classifier. */
    static LlamaConfig stories15m() {
        return new LlamaConfig(288, 768, 6, 6, 6, 32000, 256, 1e-5f, 10000f, true);
    }

    /** stories110M: dim 768, 12 layers, 12 heads, hidden 2048, vocabulary 32000, tied classifier. */
    static LlamaConfig stories110m() {
        return new LlamaConfig(768, 2048, 12, 12, 12, 32000, 1024, 1e-5f, 10000f, true);
    }

    LlamaModel model() {
        return new LlamaModel(config);
    }

    /** The seeded weights, by Hugging Face name. */
    SortedMap<String, Tensor> weights(long seed) {
        SortedMap<String, Tensor> weights = new TreeMap<>();
        long t = 0;
        for (Map.Entry<String, int[]> entry : model().parameterShapes().entrySet()) {
            int[] shape = entry.getValue();
            float[] values = new float[shape.length == 2 ? shape[0] * shape[1] : shape[0]];
            if (entry.getKey().endsWith("norm.weight")) {
                java.util.Arrays.fill(values, 1f);
            } else {
                float scale = (float) (1.0 / StrictMath.sqrt(shape[shape.length - 1]));
                for (int i = 0; i < values.length; i++) {
                    float u = (hash(seed, t, i) >>> 8) * 0x1.0p-24f;
                    values[i] = (2f * u - 1f) * scale;
                }
            }
            weights.put(entry.getKey(), Tensor.of(shape, values));
            t++;
        }
        return weights;
    }

    /** A 32-bit mix of (seed, tensor, index); every product stays below 2⁶³ so Python's int64 tensors agree. */
    static long hash(long seed, long tensor, long index) {
        long h = (index * 0x2545F491L + tensor * 0x3C6EF372L + seed * 0x1B873593L) & MASK;
        h ^= h >>> 15;
        h = (h * 0x2C1B3C6DL) & MASK;
        h ^= h >>> 12;
        h = (h * 0x297A2D39L) & MASK;
        h ^= h >>> 15;
        return h;
    }

    /** The batch·seq token ids of the forward (and the first batch·seq of a training window). */
    int[] tokens(int count) {
        int[] ids = new int[count];
        for (int i = 0; i < count; i++) {
            ids[i] = (int) ((i * 7919L + 13) % config.vocabSize());
        }
        return ids;
    }

    /** A checksum Python reproduces exactly: the sum of every weight's raw int32 bits, tensors in name order. */
    static long bitSum(SortedMap<String, Tensor> weights) {
        long sum = 0;
        for (Tensor tensor : weights.values()) {
            for (float value : tensor.data()) {
                sum += Float.floatToRawIntBits(value);
            }
        }
        return sum;
    }

    /** The argument torch_bench.py parses: name:dim,hidden,layers,heads,kvHeads,vocab,batch,seq,train,seed. */
    String torchSpec(long seed) {
        return name + ":" + config.hiddenSize() + "," + config.intermediateSize() + "," + config.numHiddenLayers() + ","
                + config.numAttentionHeads() + "," + config.numKeyValueHeads() + "," + config.vocabSize() + "," + batch
                + "," + seq + "," + (trainStep ? 1 : 0) + "," + seed;
    }
}
