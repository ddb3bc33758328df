package io.verigrid.ledger;

import io.verigrid.engine.LlamaConfig;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.Tensor;
import io.verigrid.engine.generate.KvCache;
import io.verigrid.engine.generate.LlamaDecoder;
import io.verigrid.engine.io.Safetensors;
import io.verigrid.ledger.tx.ByteWriter;
import io.verigrid.verify.Hashes;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The built-in language-model quality subnet's task, the one definition every validator, challenger and the
 * ledger's referee use. A miner serves a Llama model (Hugging Face {@code config.json} + {@code model.safetensors})
 * and commits to it on the ledger with {@link #commitment}. The held-out evaluation set is {@value #ITEMS}
 * sequences of {@value #SPAN} byte tokens drawn from a block hash, each followed by itself: a model is scored on
 * how much probability it gives the repeated half. The score is Σ over the {@value #ITEMS}·{@value #SPAN}
 * scored positions of ⌊p(reference token)·10^6⌋, an integer in {@code 0..}{@link #MAX_SCORE}. The engine's
 * decoder is bit-exact and the softmax below is plain ordered double arithmetic with {@link StrictMath#exp}, so
 * every party computes the same integer. The work is small by construction ({@value #ITEMS}·2·{@value #SPAN}
 * decode steps of a model of at most {@value #MAX_MODEL_BYTES} bytes) so the ledger can replay it in a
 * challenge.
 */
public final class LmQuality {
    public static final int ITEMS = 4;
    public static final int SPAN = 6;
    /** Token ids are bytes: every byte-level BPE vocabulary has them. */
    public static final int TOKEN_RANGE = 256;
    public static final int PPM = 1_000_000;
    public static final int MAX_SCORE = ITEMS * SPAN * PPM;
    /** The referee's bound on a model: config plus weights, in bytes. */
    public static final int MAX_MODEL_BYTES = 2 << 20;

    private LmQuality() {}

    /** SHA-256 over the two files, length-prefixed, domain-separated: what a miner commits on the ledger. */
    public static byte[] commitment(byte[] configJson, byte[] safetensors) {
        if (configJson == null || safetensors == null) throw new IllegalArgumentException("configJson and safetensors must not be null");
        return Hashes.sha256(new ByteWriter().string("verigrid-lm-model").bytes(configJson).bytes(safetensors).toBytes());
    }

    /** The evaluation seed of block {@code blockHash} on subnet {@code netuid}. */
    public static byte[] evalSeed(int netuid, byte[] blockHash) {
        return Hashes.sha256(new ByteWriter().string("verigrid-lm-quality-eval").i32(netuid).raw(blockHash).toBytes());
    }

    /** The {@value #ITEMS} evaluation sequences of {@code evalSeed}: {@value #SPAN} seeded byte tokens, twice. */
    public static int[][] evalSet(byte[] evalSeed) {
        int[][] items = new int[ITEMS][2 * SPAN];
        for (int i = 0; i < ITEMS; i++) {
            byte[] h = Hashes.sha256(evalSeed, new ByteWriter().i32(i).toBytes());
            for (int k = 0; k < SPAN; k++) {
                items[i][k] = h[k] & 0xff;
                items[i][SPAN + k] = items[i][k];
            }
        }
        return items;
    }

    /**
     * The score of the model in the two files on the evaluation set of {@code evalSeed}. A model that is too
     * large, does not parse, lacks a tensor or cannot hold the sequence scores 0: the rule is the same for the
     * referee and for everyone recomputing it.
     */
    public static int score(byte[] evalSeed, byte[] configJson, byte[] safetensors) {
        if (configJson.length + (long) safetensors.length > MAX_MODEL_BYTES) return 0;
        LlamaDecoder decoder;
        try {
            LlamaConfig config = LlamaConfig.fromJson(new String(configJson, StandardCharsets.UTF_8));
            Map<String, Tensor> weights = Safetensors.decode(safetensors).tensors();
            if (config.vocabSize() < TOKEN_RANGE || config.maxPositionEmbeddings() < 2 * SPAN) return 0;
            decoder = new LlamaDecoder(config, weights);
        } catch (RuntimeException malformed) {
            return 0;
        }
        long total = 0;
        try (Parallelism par = Parallelism.single()) {
            for (int[] item : evalSet(evalSeed)) {
                KvCache cache = decoder.newCache();
                for (int pos = 0; pos < 2 * SPAN - 1; pos++) {
                    float[] logits = decoder.decode(List.of(cache), List.of(new int[] {item[pos]}), par)[0];
                    if (pos >= SPAN - 1) total += probabilityPpm(logits, item[pos + 1]);
                }
            }
        }
        return (int) total;
    }

    /** ⌊softmax(logits)[target]·10^6⌋ with the sum in index order; non-finite logits give 0. */
    static int probabilityPpm(float[] logits, int target) {
        float max = Float.NEGATIVE_INFINITY;
        for (float l : logits) {
            if (!Float.isFinite(l)) return 0;
            max = Math.max(max, l);
        }
        double sum = 0;
        for (float l : logits) sum += StrictMath.exp((double) l - max);
        double p = StrictMath.exp((double) logits[target] - max) / sum;
        return (int) StrictMath.floor(p * PPM);
    }
}
