package io.verigrid.engine;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A Llama-style decoder with Hugging Face tensor names; Linear weights are (out, in), so each projection
 * is {@code matmul(x, W)} with W transposed:
 * <pre>
 *   x = embed_tokens[ids]                                                 // (batch·seq, hidden)
 *   per layer: a = rms_norm(x, input_layernorm)
 *              x += o_proj(attn(rope(q_proj a), rope(k_proj a), v_proj a))  // grouped-query heads
 *              m = rms_norm(x, post_attention_layernorm)
 *              x += down_proj(silu(gate_proj m) · up_proj m)               // SwiGLU
 *   logits = norm(x) · (tied ? embed_tokens : lm_head)ᵀ
 * </pre>
 * A checkpoint's tensors load unchanged: see {@link LanguageModel#checkWeights}.
 */
public final class LlamaModel implements LanguageModel {
    private final LlamaConfig config;

    public LlamaModel(LlamaConfig config) {
        if (config == null) {
            throw new IllegalArgumentException("config must not be null");
        }
        this.config = config;
    }

    public LlamaConfig config() {
        return config;
    }

    private static String layer(int l, String rest) {
        return "model.layers." + l + "." + rest;
    }

    @Override
    public SortedMap<String, int[]> parameterShapes() {
        int d = config.hiddenSize();
        int kv = kvWidth();
        int ff = config.intermediateSize();
        SortedMap<String, int[]> shapes = new TreeMap<>();
        shapes.put("model.embed_tokens.weight", new int[] {config.vocabSize(), d});
        for (int l = 0; l < config.numHiddenLayers(); l++) {
            shapes.put(layer(l, "input_layernorm.weight"), new int[] {d});
            shapes.put(layer(l, "self_attn.q_proj.weight"), new int[] {d, d});
            shapes.put(layer(l, "self_attn.k_proj.weight"), new int[] {kv, d});
            shapes.put(layer(l, "self_attn.v_proj.weight"), new int[] {kv, d});
            shapes.put(layer(l, "self_attn.o_proj.weight"), new int[] {d, d});
            shapes.put(layer(l, "post_attention_layernorm.weight"), new int[] {d});
            shapes.put(layer(l, "mlp.gate_proj.weight"), new int[] {ff, d});
            shapes.put(layer(l, "mlp.up_proj.weight"), new int[] {ff, d});
            shapes.put(layer(l, "mlp.down_proj.weight"), new int[] {d, ff});
        }
        shapes.put("model.norm.weight", new int[] {d});
        if (!config.tieWordEmbeddings()) {
            shapes.put("lm_head.weight", new int[] {config.vocabSize(), d});
        }
        return shapes;
    }

    @Override
    public SortedMap<String, Linear> linearModules() {
        int d = config.hiddenSize();
        int kv = kvWidth();
        int ff = config.intermediateSize();
        SortedMap<String, Linear> modules = new TreeMap<>();
        for (int l = 0; l < config.numHiddenLayers(); l++) {
            modules.put(layer(l, "self_attn.q_proj"), new Linear(d, d, false));
            modules.put(layer(l, "self_attn.k_proj"), new Linear(d, kv, false));
            modules.put(layer(l, "self_attn.v_proj"), new Linear(d, kv, false));
            modules.put(layer(l, "self_attn.o_proj"), new Linear(d, d, false));
            modules.put(layer(l, "mlp.gate_proj"), new Linear(d, ff, false));
            modules.put(layer(l, "mlp.up_proj"), new Linear(d, ff, false));
            modules.put(layer(l, "mlp.down_proj"), new Linear(ff, d, false));
        }
        return modules;
    }

    @Override
    public int vocabSize() {
        return config.vocabSize();
    }

    @Override
    public int maxPositions() {
        return config.maxPositionEmbeddings();
    }

    @Override
    public int kvWidth() {
        return config.numKeyValueHeads() * config.headDim();
    }

    @Override
    public int layers() {
        return config.numHiddenLayers();
    }

    /** Matrices normal(0, 0.02), norm weights 1. */
    @Override
    public SortedMap<String, Tensor> initialParameters(long seed) {
        SortedMap<String, Tensor> weights = new TreeMap<>();
        for (Map.Entry<String, int[]> entry : parameterShapes().entrySet()) {
            String name = entry.getKey();
            weights.put(name, name.contains("norm")
                    ? Init.filled(1f, entry.getValue())
                    : Init.normal(seed, name, 0.02f, entry.getValue()));
        }
        return weights;
    }

    @Override
    public Graph.Node forward(Graph g, Graph.Node ids, int batch, int seq, int offset, Map<String, Graph.Node> cache) {
        if (offset + seq > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("positions up to " + (offset + seq) + " exceed max_position_embeddings "
                    + config.maxPositionEmbeddings());
        }
        long eps = Float.floatToRawIntBits(config.rmsNormEps());
        long theta = Float.floatToRawIntBits(config.ropeTheta());
        int heads = config.numAttentionHeads();
        int kvHeads = config.numKeyValueHeads();
        Graph.Node embed = g.parameter("model.embed_tokens.weight");
        Graph.Node x = g.apply("embedding", Graph.attrs(config.vocabSize()), embed, ids);
        for (int l = 0; l < config.numHiddenLayers(); l++) {
            Graph.Node a = rmsNorm(g, x, layer(l, "input_layernorm.weight"), eps);
            Graph.Node q = g.apply("rope", Graph.attrs(batch, heads, theta, offset, 0),
                    linear(g, a, layer(l, "self_attn.q_proj")));
            Graph.Node k = g.apply("rope", Graph.attrs(batch, kvHeads, theta, offset, 0),
                    linear(g, a, layer(l, "self_attn.k_proj")));
            Graph.Node v = linear(g, a, layer(l, "self_attn.v_proj"));
            if (cache != null) {
                k = Decoder.appendToCache(g, cache, LanguageModel.cacheKey(l), k);
                v = Decoder.appendToCache(g, cache, LanguageModel.cacheValue(l), v);
            }
            Graph.Node attention = g.apply("causal_attention", Graph.attrs(batch, heads, kvHeads), q, k, v);
            x = g.apply("add", Graph.attrs(), x, linear(g, attention, layer(l, "self_attn.o_proj")));
            Graph.Node m = rmsNorm(g, x, layer(l, "post_attention_layernorm.weight"), eps);
            Graph.Node gate = g.apply("silu", Graph.attrs(), linear(g, m, layer(l, "mlp.gate_proj")));
            Graph.Node up = linear(g, m, layer(l, "mlp.up_proj"));
            Graph.Node product = g.apply("bcast_mul", Graph.attrs(), gate, up);
            x = g.apply("add", Graph.attrs(), x, linear(g, product, layer(l, "mlp.down_proj")));
        }
        Graph.Node out = rmsNorm(g, x, "model.norm.weight", eps);
        Graph.Node head = config.tieWordEmbeddings() ? embed : g.parameter("lm_head.weight");
        return g.apply("matmul", Graph.attrs(0, 1), out, head);
    }

    private static Graph.Node rmsNorm(Graph g, Graph.Node x, String weight, long eps) {
        return g.apply("rms_norm", Graph.attrs(eps), x, g.parameter(weight));
    }

    /** Hugging Face Linear without bias: x · Wᵀ with W stored (out, in), plus the module's adapter if any. */
    private static Graph.Node linear(Graph g, Graph.Node x, String module) {
        return g.adapted(module, x, g.apply("matmul", Graph.attrs(0, 1), x, g.parameter(module + ".weight")));
    }
}
