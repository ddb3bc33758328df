package io.verigrid.engine.generate;

import io.verigrid.engine.HfCheckpoint;
import io.verigrid.engine.LlamaConfig;
import io.verigrid.engine.Ops;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A Llama-architecture decoder (Hugging Face tensor names) over the engine's operators, with a KV cache
 * per sequence and batched decode steps.
 *
 * <p>Why batching keeps every sequence's bits: the rows of all sequences in a step are stacked into one
 * matrix only for row-wise operators — embedding, {@code rms_norm}, {@code matmul} (each output's K-sum is
 * in-order FMA over its own row), {@code silu}, {@code bcast_mul}, {@code add} — whose result for a row
 * never reads another row. {@code rope} and {@code causal_attention} run per sequence on its own positions
 * and cache. The final norm and the LM head see only each sequence's last row.
 *
 * <p>The arithmetic is that of the engine's traced {@code io.verigrid.engine.LlamaModel} program, operator
 * for operator, so every logit equals the one a verifier's re-execution of that program gives (asserted bit
 * for bit at every position in the tests). Batching and the per-sequence cache are what this class adds.
 */
public final class LlamaDecoder implements DecoderModel {
    private final LlamaConfig config;
    private final Tensor embedTokens; // (vocab, hidden)
    private final Layer[] layers;
    private final Tensor finalNorm; // (hidden)
    private final Tensor lmHead; // (vocab, hidden)

    /** One transformer block's weights, HF layout (out, in) for the projections. */
    private record Layer(Tensor inputNorm, Tensor q, Tensor k, Tensor v, Tensor o, Tensor postNorm, Tensor gate,
            Tensor up, Tensor down) {
    }

    public LlamaDecoder(LlamaConfig config, Map<String, Tensor> weights) {
        this.config = config;
        int kvWidth = config.numKeyValueHeads() * config.headDim();
        int qWidth = config.numAttentionHeads() * config.headDim();
        this.embedTokens = weight(weights, "model.embed_tokens.weight", config.vocabSize(), config.hiddenSize());
        this.layers = new Layer[config.numHiddenLayers()];
        for (int i = 0; i < layers.length; i++) {
            String p = "model.layers." + i + ".";
            layers[i] = new Layer(
                    weight(weights, p + "input_layernorm.weight", config.hiddenSize()),
                    weight(weights, p + "self_attn.q_proj.weight", qWidth, config.hiddenSize()),
                    weight(weights, p + "self_attn.k_proj.weight", kvWidth, config.hiddenSize()),
                    weight(weights, p + "self_attn.v_proj.weight", kvWidth, config.hiddenSize()),
                    weight(weights, p + "self_attn.o_proj.weight", config.hiddenSize(), qWidth),
                    weight(weights, p + "post_attention_layernorm.weight", config.hiddenSize()),
                    weight(weights, p + "mlp.gate_proj.weight", config.intermediateSize(), config.hiddenSize()),
                    weight(weights, p + "mlp.up_proj.weight", config.intermediateSize(), config.hiddenSize()),
                    weight(weights, p + "mlp.down_proj.weight", config.hiddenSize(), config.intermediateSize()));
        }
        this.finalNorm = weight(weights, "model.norm.weight", config.hiddenSize());
        this.lmHead = config.tieWordEmbeddings() && !weights.containsKey("lm_head.weight") ? embedTokens
                : weight(weights, "lm_head.weight", config.vocabSize(), config.hiddenSize());
    }

    /** Loads {@code config.json} and the (possibly sharded) safetensors weights of a Hugging Face model directory. */
    public static LlamaDecoder load(Path modelDir) {
        HfCheckpoint checkpoint = HfCheckpoint.llama(modelDir);
        return new LlamaDecoder(checkpoint.model().config(), checkpoint.weights());
    }

    public LlamaConfig config() {
        return config;
    }

    @Override
    public int vocabSize() {
        return config.vocabSize();
    }

    @Override
    public int contextLength() {
        return config.maxPositionEmbeddings();
    }

    @Override
    public KvCache newCache() {
        return new KvCache(config.numHiddenLayers(), config.numKeyValueHeads() * config.headDim());
    }

    @Override
    public float[][] decode(List<KvCache> caches, List<int[]> tokens, Parallelism par) {
        int[] rowStart = checkBatch(caches, tokens);
        Tensor x = forward(caches, tokens, rowStart, par);
        float[] rows = x.data();
        int hidden = config.hiddenSize();
        float[] last = new float[caches.size() * hidden];
        for (int b = 0; b < caches.size(); b++) {
            System.arraycopy(rows, (rowStart[b + 1] - 1) * hidden, last, b * hidden, hidden);
        }
        Tensor normed = rmsNorm(Tensor.of(new int[] {caches.size(), hidden}, last), finalNorm, par);
        float[] logits = linear(normed, lmHead, par).data();
        float[][] out = new float[caches.size()][];
        for (int b = 0; b < out.length; b++) {
            out[b] = Arrays.copyOfRange(logits, b * config.vocabSize(), (b + 1) * config.vocabSize());
        }
        return out;
    }

    @Override
    public Tensor hiddenStates(int[] tokens, Parallelism par) {
        List<KvCache> caches = List.of(newCache());
        List<int[]> batch = List.<int[]>of(tokens.clone());
        return rmsNorm(forward(caches, batch, checkBatch(caches, batch), par), finalNorm, par);
    }

    /** The residual stream after the last block for all new rows of the batch, sequence after sequence. */
    private Tensor forward(List<KvCache> caches, List<int[]> tokens, int[] rowStart, Parallelism par) {
        int total = rowStart[caches.size()];
        float[] ids = new float[total];
        for (int b = 0; b < caches.size(); b++) {
            int[] seq = tokens.get(b);
            for (int i = 0; i < seq.length; i++) {
                ids[rowStart[b] + i] = seq[i];
            }
        }
        Tensor x = Ops.execute("embedding", new long[] {config.vocabSize()},
                List.of(embedTokens, Tensor.of(new int[] {total}, ids)), par);
        for (int layer = 0; layer < layers.length; layer++) {
            Layer w = layers[layer];
            Tensor h = rmsNorm(x, w.inputNorm(), par);
            Tensor attention = attention(layer, caches, rowStart, linear(h, w.q(), par), linear(h, w.k(), par),
                    linear(h, w.v(), par), par);
            x = Ops.execute("add", new long[0], List.of(x, linear(attention, w.o(), par)), par);
            h = rmsNorm(x, w.postNorm(), par);
            Tensor gated = Ops.execute("silu", new long[0], List.of(linear(h, w.gate(), par)), par);
            Tensor mixed = Ops.execute("bcast_mul", new long[0], List.of(gated, linear(h, w.up(), par)), par);
            x = Ops.execute("add", new long[0], List.of(x, linear(mixed, w.down(), par)), par);
        }
        return x;
    }

    /** Rotary positions, cache append and causal attention, each sequence on its own rows. */
    private Tensor attention(int layer, List<KvCache> caches, int[] rowStart, Tensor q, Tensor k, Tensor v,
            Parallelism par) {
        int qWidth = config.numAttentionHeads() * config.headDim();
        int kvWidth = config.numKeyValueHeads() * config.headDim();
        long theta = Float.floatToRawIntBits(config.ropeTheta());
        float[] out = new float[rowStart[caches.size()] * qWidth];
        for (int b = 0; b < caches.size(); b++) {
            KvCache cache = caches.get(b);
            int from = rowStart[b];
            int rows = rowStart[b + 1] - from;
            int cached = cache.length();
            Tensor qb = Ops.execute("rope", new long[] {1, config.numAttentionHeads(), theta, cached, 0},
                    List.of(rows(q, from, rows)), par);
            Tensor kb = Ops.execute("rope", new long[] {1, config.numKeyValueHeads(), theta, cached, 0},
                    List.of(rows(k, from, rows)), par);
            cache.append(layer, kb.data(), rows(v, from, rows).data());
            int seen = cached + rows;
            Tensor keys = Tensor.of(new int[] {seen, kvWidth}, cache.keys(layer, seen));
            Tensor values = Tensor.of(new int[] {seen, kvWidth}, cache.values(layer, seen));
            Tensor attended = Ops.execute("causal_attention", new long[] {1, config.numAttentionHeads(), config.numKeyValueHeads()},
                    List.of(qb, keys, values), par);
            System.arraycopy(attended.data(), 0, out, from * qWidth, rows * qWidth);
        }
        return Tensor.of(new int[] {rowStart[caches.size()], qWidth}, out);
    }

    private int[] checkBatch(List<KvCache> caches, List<int[]> tokens) {
        if (caches == null || tokens == null || caches.isEmpty() || caches.size() != tokens.size()) {
            throw new IllegalArgumentException("caches and tokens must be non-empty lists of the same length");
        }
        int[] rowStart = new int[caches.size() + 1];
        for (int b = 0; b < caches.size(); b++) {
            int[] seq = tokens.get(b);
            if (seq == null || seq.length == 0) {
                throw new IllegalArgumentException("tokens[" + b + "] must hold at least one id");
            }
            if (caches.get(b).length() + seq.length > config.maxPositionEmbeddings()) {
                throw new IllegalArgumentException("tokens[" + b + "]: " + (caches.get(b).length() + seq.length)
                        + " positions exceed the context length " + config.maxPositionEmbeddings());
            }
            for (int i = 0; i < seq.length; i++) {
                if (seq[i] < 0 || seq[i] >= config.vocabSize()) {
                    throw new IllegalArgumentException("tokens[" + b + "][" + i + "] = " + seq[i]
                            + " is outside the vocabulary [0, " + config.vocabSize() + ")");
                }
            }
            rowStart[b + 1] = rowStart[b] + seq.length;
        }
        return rowStart;
    }

    private static Tensor rows(Tensor matrix, int from, int count) {
        int width = matrix.dim(1);
        return Tensor.of(new int[] {count, width},
                Arrays.copyOfRange(matrix.data(), from * width, (from + count) * width));
    }

    private Tensor rmsNorm(Tensor x, Tensor weight, Parallelism par) {
        return Ops.execute("rms_norm", new long[] {Float.floatToRawIntBits(config.rmsNormEps())}, List.of(x, weight),
                par);
    }

    /** x · Wᵀ for an HF (out, in) weight. */
    private static Tensor linear(Tensor x, Tensor weight, Parallelism par) {
        return Ops.execute("matmul", new long[] {0, 1}, List.of(x, weight), par);
    }

    private static Tensor weight(Map<String, Tensor> weights, String name, int... shape) {
        Tensor tensor = weights.get(name);
        if (tensor == null) {
            throw new IllegalArgumentException("model weights: tensor " + name + " is missing");
        }
        if (!Arrays.equals(tensor.shape(), shape)) {
            throw new IllegalArgumentException("model weights: tensor " + name + " has shape "
                    + Arrays.toString(tensor.shape()) + ", config.json implies " + Arrays.toString(shape));
        }
        return tensor;
    }

    /** All weight names and shapes for {@code config}, HF layout, sorted as safetensors stores them. */
    public static Map<String, int[]> weightShapes(LlamaConfig config) {
        Map<String, int[]> shapes = new java.util.TreeMap<>();
        int kvWidth = config.numKeyValueHeads() * config.headDim();
        int qWidth = config.numAttentionHeads() * config.headDim();
        int d = config.hiddenSize();
        shapes.put("model.embed_tokens.weight", new int[] {config.vocabSize(), d});
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            String p = "model.layers." + i + ".";
            shapes.put(p + "input_layernorm.weight", new int[] {d});
            shapes.put(p + "self_attn.q_proj.weight", new int[] {qWidth, d});
            shapes.put(p + "self_attn.k_proj.weight", new int[] {kvWidth, d});
            shapes.put(p + "self_attn.v_proj.weight", new int[] {kvWidth, d});
            shapes.put(p + "self_attn.o_proj.weight", new int[] {d, qWidth});
            shapes.put(p + "post_attention_layernorm.weight", new int[] {d});
            shapes.put(p + "mlp.gate_proj.weight", new int[] {config.intermediateSize(), d});
            shapes.put(p + "mlp.up_proj.weight", new int[] {config.intermediateSize(), d});
            shapes.put(p + "mlp.down_proj.weight", new int[] {d, config.intermediateSize()});
        }
        shapes.put("model.norm.weight", new int[] {d});
        if (!config.tieWordEmbeddings()) {
            shapes.put("lm_head.weight", new int[] {config.vocabSize(), d});
        }
        return shapes;
    }
}
