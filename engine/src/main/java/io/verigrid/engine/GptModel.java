package io.verigrid.engine;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A GPT-2-style decoder with Hugging Face GPT-2 tensor names (Conv1D weights are (in, out)):
 * <pre>
 *   x = wte[ids] + wpe[offset … offset+seq−1]                          // (batch·seq, d)
 *   per layer: x += c_proj(attn(split(c_attn(ln_1(x)))));  x += mlp.c_proj(gelu(c_fc(ln_2(x))))
 *   logits = ln_f(x) · (tied ? wte : lm_head)ᵀ                          // (batch·seq, vocab)
 * </pre>
 */
public final class GptModel implements LanguageModel {
    private final GptConfig config;

    public GptModel(GptConfig config) {
        if (config == null) {
            throw new IllegalArgumentException("config must not be null");
        }
        this.config = config;
    }

    public GptConfig config() {
        return config;
    }

    private static String layer(int l, String rest) {
        return "transformer.h." + l + "." + rest;
    }

    @Override
    public SortedMap<String, int[]> parameterShapes() {
        int d = config.nEmbd();
        SortedMap<String, int[]> shapes = new TreeMap<>();
        shapes.put("transformer.wte.weight", new int[] {config.vocabSize(), d});
        shapes.put("transformer.wpe.weight", new int[] {config.nPositions(), d});
        for (int l = 0; l < config.nLayer(); l++) {
            shapes.put(layer(l, "ln_1.weight"), new int[] {d});
            shapes.put(layer(l, "ln_1.bias"), new int[] {d});
            shapes.put(layer(l, "attn.c_attn.weight"), new int[] {d, 3 * d});
            shapes.put(layer(l, "attn.c_attn.bias"), new int[] {3 * d});
            shapes.put(layer(l, "attn.c_proj.weight"), new int[] {d, d});
            shapes.put(layer(l, "attn.c_proj.bias"), new int[] {d});
            shapes.put(layer(l, "ln_2.weight"), new int[] {d});
            shapes.put(layer(l, "ln_2.bias"), new int[] {d});
            shapes.put(layer(l, "mlp.c_fc.weight"), new int[] {d, 4 * d});
            shapes.put(layer(l, "mlp.c_fc.bias"), new int[] {4 * d});
            shapes.put(layer(l, "mlp.c_proj.weight"), new int[] {4 * d, d});
            shapes.put(layer(l, "mlp.c_proj.bias"), new int[] {d});
        }
        shapes.put("transformer.ln_f.weight", new int[] {d});
        shapes.put("transformer.ln_f.bias", new int[] {d});
        if (!config.tieWordEmbeddings()) {
            shapes.put("lm_head.weight", new int[] {config.vocabSize(), d});
        }
        return shapes;
    }

    @Override
    public SortedMap<String, Linear> linearModules() {
        int d = config.nEmbd();
        SortedMap<String, Linear> modules = new TreeMap<>();
        for (int l = 0; l < config.nLayer(); l++) {
            modules.put(layer(l, "attn.c_attn"), new Linear(d, 3 * d, true));
            modules.put(layer(l, "attn.c_proj"), new Linear(d, d, true));
            modules.put(layer(l, "mlp.c_fc"), new Linear(d, 4 * d, true));
            modules.put(layer(l, "mlp.c_proj"), new Linear(4 * d, d, true));
        }
        return modules;
    }

    @Override
    public int vocabSize() {
        return config.vocabSize();
    }

    @Override
    public int maxPositions() {
        return config.nPositions();
    }

    @Override
    public int kvWidth() {
        return config.nEmbd();
    }

    @Override
    public int layers() {
        return config.nLayer();
    }

    /**
     * GPT-2 initialisation: matrices normal(0, 0.02), the residual projections (c_proj) scaled by
     * 1/√(2·n_layer), layer-norm weights 1, biases 0.
     */
    @Override
    public SortedMap<String, Tensor> initialParameters(long seed) {
        float residualStd = (float) (0.02 / StrictMath.sqrt(2.0 * config.nLayer()));
        SortedMap<String, Tensor> weights = new TreeMap<>();
        for (Map.Entry<String, int[]> entry : parameterShapes().entrySet()) {
            String name = entry.getKey();
            int[] shape = entry.getValue();
            Tensor tensor;
            if (name.contains("ln_") && name.endsWith(".weight")) {
                tensor = Init.filled(1f, shape);
            } else if (name.endsWith(".bias")) {
                tensor = Init.filled(0f, shape);
            } else {
                tensor = Init.normal(seed, name, name.endsWith("c_proj.weight") ? residualStd : 0.02f, shape);
            }
            weights.put(name, tensor);
        }
        return weights;
    }

    @Override
    public Graph.Node forward(Graph g, Graph.Node ids, int batch, int seq, int offset, Map<String, Graph.Node> cache) {
        int d = config.nEmbd();
        if (offset + seq > config.nPositions()) {
            throw new IllegalArgumentException("positions up to " + (offset + seq) + " exceed n_positions "
                    + config.nPositions());
        }
        long eps = Float.floatToRawIntBits(config.layerNormEpsilon());
        Graph.Node wte = g.parameter("transformer.wte.weight");
        Graph.Node tokens = g.apply("embedding", Graph.attrs(config.vocabSize()), wte, ids);
        Graph.Node positions = g.apply("slice", Graph.attrs(0, offset, seq), g.parameter("transformer.wpe.weight"));
        Graph.Node summed = g.apply("bcast_add", Graph.attrs(),
                g.apply("reshape", Shapes.toAttrs(batch, seq, d), tokens), positions);
        Graph.Node x = g.apply("reshape", Shapes.toAttrs(batch * seq, d), summed);
        for (int l = 0; l < config.nLayer(); l++) {
            Graph.Node a = layerNorm(g, x, layer(l, "ln_1"), eps);
            Graph.Node qkv = linear(g, a, layer(l, "attn.c_attn"));
            Graph.Node q = g.apply("slice", Graph.attrs(1, 0, d), qkv);
            Graph.Node k = g.apply("slice", Graph.attrs(1, d, d), qkv);
            Graph.Node v = g.apply("slice", Graph.attrs(1, 2 * d, d), qkv);
            if (cache != null) {
                k = Decoder.appendToCache(g, cache, LanguageModel.cacheKey(l), k);
                v = Decoder.appendToCache(g, cache, LanguageModel.cacheValue(l), v);
            }
            Graph.Node attention = g.apply("causal_attention", Graph.attrs(batch, config.nHead(), config.nHead()), q, k, v);
            x = g.apply("add", Graph.attrs(), x, linear(g, attention, layer(l, "attn.c_proj")));
            Graph.Node m = layerNorm(g, x, layer(l, "ln_2"), eps);
            Graph.Node hidden = g.apply("gelu", Graph.attrs(), linear(g, m, layer(l, "mlp.c_fc")));
            x = g.apply("add", Graph.attrs(), x, linear(g, hidden, layer(l, "mlp.c_proj")));
        }
        Graph.Node out = layerNorm(g, x, "transformer.ln_f", eps);
        Graph.Node head = config.tieWordEmbeddings() ? wte : g.parameter("lm_head.weight");
        return g.apply("matmul", Graph.attrs(0, 1), out, head);
    }

    private static Graph.Node layerNorm(Graph g, Graph.Node x, String prefix, long eps) {
        return g.apply("layer_norm", Graph.attrs(eps), x, g.parameter(prefix + ".weight"), g.parameter(prefix + ".bias"));
    }

    /** Conv1D: x · W + b with W stored (in, out), plus the module's adapter if any. */
    private static Graph.Node linear(Graph g, Graph.Node x, String prefix) {
        return g.adapted(prefix, x, g.apply("add_bias", Graph.attrs(),
                g.apply("matmul", Graph.attrs(0, 0), x, g.parameter(prefix + ".weight")), g.parameter(prefix + ".bias")));
    }
}
