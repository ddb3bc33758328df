package io.verigrid.engine.generate;

import io.verigrid.engine.HfCheckpoint;
import io.verigrid.engine.LlamaConfig;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.Tensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A Llama-architecture decoder (Hugging Face tensor names) with a KV cache per sequence and batched decode
 * steps, computing exactly what the engine's traced {@code io.verigrid.engine.LlamaModel} program computes.
 *
 * <p>The arithmetic is that program's, operator for operator ({@code embedding}, {@code rms_norm},
 * {@code matmul}, {@code rope}, {@code causal_attention}, {@code silu}, {@code bcast_mul}, {@code add}), so every
 * logit equals the one a verifier's re-execution gives (asserted bit for bit at every position in the tests).
 * What this class adds is speed without changing a bit:
 * <ul>
 *   <li>the projections are packed once at load ({@link PackedMatrix}), q/k/v stacked into one matrix and
 *       gate/up into another, and each step runs ONE product per matrix for all rows of all sequences
 *       (rows = streams); each output's K-sum is in-order FMA over its own row, so a row's bits never depend on
 *       the other rows;</li>
 *   <li>{@code rope}, the cache writes and attention run per (sequence, key/value head) on that sequence's
 *       cache, read in place ({@link CachedAttention}); the final norm and the LM head see only each sequence's
 *       last row;</li>
 *   <li>a step reuses pooled buffers instead of allocating tensors per operator;</li>
 *   <li>the step's thread and {@code par.threads() − 1} helpers run it as a {@link StepTeam}: each product,
 *       the attention and SiLU·up are split into chunks the helpers take as soon as the region opens, with no
 *       thread wake-up per operator.</li>
 * </ul>
 * Thread-safe: concurrent {@link #decode} calls on different caches each take their own buffers and team.
 */
public final class LlamaDecoder implements DecoderModel {
    private final LlamaConfig config;
    private final float[] embedTokens; // (vocab, hidden)
    private final Layer[] layers;
    private final float[] finalNorm; // (hidden)
    private final PackedMatrix lmHead; // (vocab, hidden)
    private final RopeTable rope;
    private final CachedAttention attention;
    private final int qWidth;
    private final int kvWidth;
    private final ConcurrentLinkedQueue<StepBuffers> buffers = new ConcurrentLinkedQueue<>();
    /** SiLU·up runs in spans of whole multiples of this many units (a span is one thread's chunk). */
    private static final int GATE_SPAN = 64;
    /** Below this many SiLU·up units in a step, handing spans to the team costs more than it saves. */
    private static final long GATE_PARALLEL_MIN = 512;
    /** Chunks per thread for the element-wise regions. */
    private static final int CHUNKS_PER_THREAD = 4;

    /** One transformer block: norms (hidden), q|k|v stacked (q + 2·kv, hidden), o, gate|up stacked, down. */
    private record Layer(float[] inputNorm, PackedMatrix qkv, PackedMatrix o, float[] postNorm, PackedMatrix gateUp,
            PackedMatrix down) {
    }

    public LlamaDecoder(LlamaConfig config, Map<String, Tensor> weights) {
        this.config = config;
        this.kvWidth = config.numKeyValueHeads() * config.headDim();
        this.qWidth = config.numAttentionHeads() * config.headDim();
        int d = config.hiddenSize();
        int ffn = config.intermediateSize();
        Tensor embed = weight(weights, "model.embed_tokens.weight", config.vocabSize(), d);
        this.embedTokens = embed.data();
        this.layers = new Layer[config.numHiddenLayers()];
        for (int i = 0; i < layers.length; i++) {
            String p = "model.layers." + i + ".";
            layers[i] = new Layer(
                    weight(weights, p + "input_layernorm.weight", d).data(),
                    PackedMatrix.stack(weight(weights, p + "self_attn.q_proj.weight", qWidth, d),
                            weight(weights, p + "self_attn.k_proj.weight", kvWidth, d),
                            weight(weights, p + "self_attn.v_proj.weight", kvWidth, d)),
                    PackedMatrix.stack(weight(weights, p + "self_attn.o_proj.weight", d, qWidth)),
                    weight(weights, p + "post_attention_layernorm.weight", d).data(),
                    PackedMatrix.stack(weight(weights, p + "mlp.gate_proj.weight", ffn, d),
                            weight(weights, p + "mlp.up_proj.weight", ffn, d)),
                    PackedMatrix.stack(weight(weights, p + "mlp.down_proj.weight", d, ffn)));
        }
        this.finalNorm = weight(weights, "model.norm.weight", d).data();
        this.lmHead = PackedMatrix.stack(config.tieWordEmbeddings() && !weights.containsKey("lm_head.weight") ? embed
                : weight(weights, "lm_head.weight", config.vocabSize(), d));
        this.rope = new RopeTable(config.ropeTheta(), config.headDim());
        this.attention = new CachedAttention(config.numAttentionHeads(), config.numKeyValueHeads(), config.headDim());
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
    public int hiddenSize() {
        return config.hiddenSize();
    }

    @Override
    public int contextLength() {
        return config.maxPositionEmbeddings();
    }

    @Override
    public KvCache newCache() {
        return new KvCache(config.numHiddenLayers(), kvWidth);
    }

    @Override
    public float[][] decode(List<KvCache> caches, List<int[]> tokens, Parallelism par) {
        int[] rowStart = checkBatch(caches, tokens);
        int hidden = config.hiddenSize();
        int vocab = config.vocabSize();
        StepBuffers b = takeBuffers(rowStart[caches.size()], caches.size());
        // One sequence's logits are written straight into the array returned; a batch's rows go through one
        // buffer, so that the head runs as one product for all of them.
        float[][] out = new float[caches.size()][];
        float[] logits = out.length == 1 ? new float[vocab] : b.logits;
        try {
            StepTeam team = b.team(par);
            forward(caches, tokens, rowStart, b, team);
            for (int s = 0; s < caches.size(); s++) {
                RowMath.rmsNorm(b.x, (rowStart[s + 1] - 1) * hidden, finalNorm, config.rmsNormEps(), b.last, s * hidden,
                        b.squares, b.partial);
            }
            lmHead.multiply(b.last, caches.size(), logits, 0, vocab, team);
            for (int s = 0; s < out.length; s++) {
                out[s] = out.length == 1 ? logits : Arrays.copyOfRange(logits, s * vocab, (s + 1) * vocab);
            }
            return out;
        } finally {
            buffers.offer(b);
        }
    }

    @Override
    public Tensor hiddenStates(int[] tokens, Parallelism par) {
        List<KvCache> caches = List.of(newCache());
        List<int[]> batch = List.<int[]>of(tokens.clone());
        int[] rowStart = checkBatch(caches, batch);
        int hidden = config.hiddenSize();
        StepBuffers b = takeBuffers(tokens.length, 1);
        try {
            forward(caches, batch, rowStart, b, b.team(par));
            float[] out = new float[tokens.length * hidden];
            for (int r = 0; r < tokens.length; r++) {
                RowMath.rmsNorm(b.x, r * hidden, finalNorm, config.rmsNormEps(), out, r * hidden, b.squares, b.partial);
            }
            return Tensor.of(new int[] {tokens.length, hidden}, out);
        } finally {
            buffers.offer(b);
        }
    }

    /**
     * Runs every block over all new rows of the batch (sequence after sequence), leaving the residual stream
     * in {@code b.x}; appends each row's keys and values to its sequence's cache.
     */
    private void forward(List<KvCache> caches, List<int[]> tokens, int[] rowStart, StepBuffers b, StepTeam team) {
        int rows = rowStart[caches.size()];
        int d = config.hiddenSize();
        int ffn = config.intermediateSize();
        int qkvWidth = qWidth + 2 * kvWidth;
        float eps = config.rmsNormEps();
        for (int s = 0; s < caches.size(); s++) {
            int[] seq = tokens.get(s);
            KvCache cache = caches.get(s);
            cache.reserve(cache.length() + seq.length);
            for (int i = 0; i < seq.length; i++) {
                int r = rowStart[s] + i;
                b.rowPosition[r] = cache.length() + i;
                System.arraycopy(embedTokens, seq[i] * d, b.x, r * d, d);
            }
        }
        rope.ensure(b.maxPosition(rows) + 1);
        for (int layer = 0; layer < layers.length; layer++) {
            Layer w = layers[layer];
            for (int r = 0; r < rows; r++) {
                RowMath.rmsNorm(b.x, r * d, w.inputNorm(), eps, b.h, r * d, b.squares, b.partial);
            }
            w.qkv().multiply(b.h, rows, b.qkv, 0, qkvWidth, team);
            attention.attend(caches, layer, rowStart, b.rowPosition, b.qkv, qkvWidth, rope, b.attended, team);
            w.o().multiply(b.attended, rows, b.projected, 0, d, team);
            RowMath.addInPlace(b.x, 0, b.projected, 0, rows * d);
            for (int r = 0; r < rows; r++) {
                RowMath.rmsNorm(b.x, r * d, w.postNorm(), eps, b.h, r * d, b.squares, b.partial);
            }
            w.gateUp().multiply(b.h, rows, b.gateUp, 0, 2 * ffn, team);
            gatedUnits(b, rows, ffn, team);
            w.down().multiply(b.mixed, rows, b.projected, 0, d, team);
            RowMath.addInPlace(b.x, 0, b.projected, 0, rows * d);
        }
        for (int s = 0; s < caches.size(); s++) {
            caches.get(s).advance(tokens.get(s).length);
        }
    }

    /**
     * silu(gate) · up for every row, split across the team in spans of whole {@link #GATE_SPAN}s, about
     * {@link #CHUNKS_PER_THREAD} per thread and row; a step with few units stays on the caller's thread.
     */
    private static void gatedUnits(StepBuffers b, int rows, int ffn, StepTeam team) {
        int wanted = (ffn + team.threads() * CHUNKS_PER_THREAD - 1) / (team.threads() * CHUNKS_PER_THREAD);
        int span = (long) rows * ffn < GATE_PARALLEL_MIN ? ffn
                : (Math.max(wanted, GATE_SPAN) + GATE_SPAN - 1) / GATE_SPAN * GATE_SPAN;
        int spans = (ffn + span - 1) / span;
        team.split(rows * spans, chunk -> {
            int r = chunk / spans;
            int from = (chunk % spans) * span;
            int count = Math.min(span, ffn - from);
            RowMath.siluTimes(b.gateUp, r * 2 * ffn + from, b.gateUp, r * 2 * ffn + ffn + from, b.mixed, r * ffn + from,
                    count);
        });
    }

    private StepBuffers takeBuffers(int rows, int sequences) {
        StepBuffers b = buffers.poll();
        if (b == null) {
            b = new StepBuffers();
        }
        b.fit(config, rows, sequences);
        return b;
    }

    /** The activations of one step, grown as needed and reused by later steps. */
    private static final class StepBuffers {
        float[] x = new float[0]; // (rows, hidden): the residual stream
        float[] h = new float[0]; // (rows, hidden): normed input of a projection
        float[] qkv = new float[0]; // (rows, q + 2·kv)
        float[] attended = new float[0]; // (rows, q)
        float[] projected = new float[0]; // (rows, hidden)
        float[] gateUp = new float[0]; // (rows, 2·ffn)
        float[] mixed = new float[0]; // (rows, ffn)
        float[] last = new float[0]; // (sequences, hidden)
        float[] logits = new float[0]; // (sequences, vocab)
        int[] rowPosition = new int[0];
        float[] squares = new float[0];
        final float[] partial = RowMath.partials();
        private StepTeam team = new StepTeam(1);

        /** The team of {@code par.threads()} threads that runs this buffer set's steps. */
        StepTeam team(Parallelism par) {
            if (team.threads() != par.threads()) {
                team = new StepTeam(par.threads());
            }
            return team;
        }

        void fit(LlamaConfig c, int rows, int sequences) {
            int d = c.hiddenSize();
            int q = c.numAttentionHeads() * c.headDim();
            int kv = c.numKeyValueHeads() * c.headDim();
            x = grow(x, rows * d);
            h = grow(h, rows * d);
            qkv = grow(qkv, rows * (q + 2 * kv));
            attended = grow(attended, rows * q);
            projected = grow(projected, rows * d);
            gateUp = grow(gateUp, rows * 2 * c.intermediateSize());
            mixed = grow(mixed, rows * c.intermediateSize());
            last = grow(last, sequences * d);
            logits = grow(logits, Math.multiplyExact(sequences, c.vocabSize()));
            squares = grow(squares, d);
            if (rowPosition.length < rows) {
                rowPosition = new int[rows];
            }
        }

        int maxPosition(int rows) {
            int max = 0;
            for (int r = 0; r < rows; r++) {
                max = Math.max(max, rowPosition[r]);
            }
            return max;
        }

        private static float[] grow(float[] buffer, int size) {
            return buffer.length >= size ? buffer : new float[size];
        }
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

    private static Tensor weight(Map<String, Tensor> weights, String name, int... shape) {
        Tensor tensor = weights.get(name);
        if (tensor == null) {
            throw new IllegalArgumentException("model weights: tensor " + name + " is missing");
        }
        if (!Arrays.equals(tensor.shape(), shape)) {
            throw new IllegalArgumentException("model weights: tensor " + name + " has shape "
                    + Arrays.toString(tensor.shape()) + ", config.json implies " + Arrays.toString(shape));
        }
        for (float value : tensor.data()) {
            if (!Float.isFinite(value)) {
                throw new IllegalArgumentException("model weights: tensor " + name + " holds a non-finite value " + value);
            }
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
