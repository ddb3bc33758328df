package io.verigrid.engine;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Incremental decoding with a KV cache (batch 1): {@link #next} feeds one token and returns the logits for
 * the position after it. Each call is a forward program over one position whose attention reads the cached
 * keys and values; because every operator computes each output row whole and attention skips masked keys
 * instead of summing them, the logits are bit-for-bit those of the full forward pass at that position
 * ({@link #logits}).
 */
public final class Decoder {
    private final LanguageModel model;
    private final SortedMap<String, Tensor> weights;
    private final Parallelism par;
    private final Map<String, Tensor> cache = new HashMap<>();
    private int position;

    public Decoder(LanguageModel model, SortedMap<String, Tensor> weights, Parallelism par) {
        if (model == null || weights == null || par == null) {
            throw new IllegalArgumentException("model, weights and parallelism must not be null");
        }
        model.checkWeights(weights);
        this.model = model;
        this.weights = new TreeMap<>(weights);
        this.par = par;
        for (int l = 0; l < model.layers(); l++) {
            cache.put(LanguageModel.cacheKey(l), Tensor.zeros(0, model.kvWidth()));
            cache.put(LanguageModel.cacheValue(l), Tensor.zeros(0, model.kvWidth()));
        }
    }

    /** Positions consumed so far. */
    public int position() {
        return position;
    }

    /** Feeds {@code token} at the next position; returns that position's logits (vocab). */
    public Tensor next(int token) {
        return next(token, null);
    }

    /**
     * As {@link #next(int)}, appending one {@link OpRecord} per operator of the position's program
     * ({@link #positionProgram}) to {@code records} (nullable): the position's trace for an inference dispute.
     */
    public Tensor next(int token, List<OpRecord> records) {
        if (token < 0 || token >= model.vocabSize()) {
            throw new IllegalArgumentException("token must be in [0, " + model.vocabSize() + "), got " + token);
        }
        if (position >= model.maxPositions()) {
            throw new IllegalArgumentException("the context is full: " + model.maxPositions() + " positions");
        }
        Graph graph = new Graph();
        Map<String, Graph.Node> nextCache = new HashMap<>();
        Graph.Node logits = model.forward(graph, graph.data("ids"), 1, 1, position, nextCache);
        Map<String, Tensor> data = Map.of("ids", Tensor.of(new int[] {1}, new float[] {token}));
        Tensor[] outputs = ProgramRunner.run(graph.specs(), this::stateTensor, data::get, par, position + 1, null, records);
        for (Map.Entry<String, Graph.Node> entry : nextCache.entrySet()) {
            cache.put(entry.getKey(), ProgramRunner.value(entry.getValue(), outputs, this::stateTensor, data::get));
        }
        position++;
        Tensor row = outputs[logits.ref().op()];
        return Tensor.of(new int[] {model.vocabSize()}, row.data());
    }

    /**
     * The program {@link #next} runs at {@code position} (0-based): STATE inputs are the weights and the cache
     * tensors {@code cache.<layer>.k|v} (rows 0..position−1), the one DATA input is {@code "ids"} = [token]. Every
     * position has the same operators; only attributes (the rope offset) change. The last operator's output
     * is the logits, shape (1, vocab); the cache after the position is the output of the {@code concat} that
     * reads the cache tensor.
     */
    public static List<OpSpec> positionProgram(LanguageModel model, int position) {
        if (position < 0 || position >= model.maxPositions()) {
            throw new IllegalArgumentException("position must be in [0, " + model.maxPositions() + "), got " + position);
        }
        Graph graph = new Graph();
        model.forward(graph, graph.data("ids"), 1, 1, position, new HashMap<>());
        return graph.specs();
    }

    private Tensor stateTensor(String name) {
        Tensor tensor = cache.containsKey(name) ? cache.get(name) : weights.get(name);
        if (tensor == null) {
            throw new IllegalArgumentException("no weight or cache tensor named " + name);
        }
        return tensor;
    }

    /** Greedy decoding: feeds {@code prompt}, then appends the argmax token {@code count} times. */
    public int[] greedy(int[] prompt, int count) {
        if (prompt == null || prompt.length == 0) {
            throw new IllegalArgumentException("prompt must hold at least one token");
        }
        int[] out = new int[prompt.length + count];
        Tensor logits = null;
        for (int i = 0; i < prompt.length; i++) {
            out[i] = prompt[i];
            logits = next(prompt[i]);
        }
        for (int i = prompt.length; i < out.length; i++) {
            out[i] = argmax(logits.data());
            if (i + 1 < out.length) {
                logits = next(out[i]);
            }
        }
        return out;
    }

    /** The first index of the largest value. */
    static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    /** The full forward pass over {@code tokens} (batch · seq, rows batch-major) → logits (batch·seq, vocab). */
    public static Tensor logits(LanguageModel model, SortedMap<String, Tensor> weights, int[] tokens, int batch,
            Parallelism par) {
        model.checkWeights(weights);
        if (tokens == null || batch < 1 || tokens.length == 0 || tokens.length % batch != 0) {
            throw new IllegalArgumentException("tokens must be batch · seq ids with batch >= 1");
        }
        float[] ids = new float[tokens.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = tokens[i];
        }
        Graph graph = new Graph();
        Graph.Node logits = model.forward(graph, graph.data("ids"), batch, tokens.length / batch, 0, null);
        Map<String, Tensor> data = Map.of("ids", Tensor.of(new int[] {ids.length}, ids));
        Tensor[] outputs = ProgramRunner.run(graph.specs(), name -> {
            Tensor tensor = weights.get(name);
            if (tensor == null) {
                throw new IllegalArgumentException("missing tensor " + name);
            }
            return tensor;
        }, data::get, par, 1, null, null);
        return outputs[logits.ref().op()];
    }

    /** Appends fresh keys or values to the cache tensor {@code name} and records the result under that name. */
    static Graph.Node appendToCache(Graph graph, Map<String, Graph.Node> cache, String name, Graph.Node fresh) {
        Graph.Node all = graph.apply("concat", Graph.attrs(0), graph.state(name), fresh);
        cache.put(name, all);
        return all;
    }
}
