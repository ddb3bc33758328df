package io.verigrid.engine.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.verigrid.engine.Decoder;
import io.verigrid.engine.LlamaConfig;
import io.verigrid.engine.LlamaModel;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;

/**
 * The packed decoder on shapes that cut every tile (hidden 40, five heads of 8 over one key/value head, ffn 72,
 * vocabulary 97, untied head) and on one wide enough to split across threads: prompts of several tokens, then
 * one token per step for up to six sequences in one batch, on one and three threads — every logit equals the
 * traced LlamaModel's at that position.
 */
class PackedDecodeTest {
    private static final LlamaConfig CONFIG = new LlamaConfig(40, 72, 2, 5, 1, 97, 64, 1e-5f, 10000f, false);

    /**
     * Wide enough (hidden 264, six heads of 44 over two key/value heads, ffn 520, vocabulary 1001) that the
     * products, the head and the attention of a 40-token prompt are split across threads.
     */
    private static final LlamaConfig WIDE = new LlamaConfig(264, 520, 1, 6, 2, 1001, 64, 1e-5f, 10000f, true);

    /**
     * Heads of 64 over one key/value head and prompts past 64 tokens: the attention's widest passes (four
     * vectors of keys per score pass, four vectors of dimensions per value pass) on every vector width.
     */
    private static final LlamaConfig LONG = new LlamaConfig(128, 96, 1, 2, 1, 211, 96, 1e-5f, 10000f, true);

    @Test
    void longContextsAndWideHeadsGiveTheTracedModelsLogits() {
        decodeAgainstTheTracedModel(LONG, 66);
    }

    @Test
    void raggedShapesBatchesAndThreadsGiveTheTracedModelsLogits() {
        decodeAgainstTheTracedModel(CONFIG, 1);
    }

    @Test
    void productsAndAttentionSplitAcrossThreadsGiveTheTracedModelsLogits() {
        decodeAgainstTheTracedModel(WIDE, 36);
    }

    private static void decodeAgainstTheTracedModel(LlamaConfig config, int promptBase) {
        LlamaModel model = new LlamaModel(config);
        SortedMap<String, Tensor> weights = model.initialParameters(23);
        LlamaDecoder decoder = new LlamaDecoder(config, weights);
        int sequences = 6;
        int[][] full = new int[sequences][];
        float[][] reference = new float[sequences][];
        for (int s = 0; s < sequences; s++) {
            full[s] = new int[promptBase + 8 + s];
            for (int i = 0; i < full[s].length; i++) {
                full[s][i] = (i * 31 + s * 7 + 5) % config.vocabSize();
            }
            reference[s] = Decoder.logits(model, weights, full[s], 1, Parallelism.single()).data();
        }
        for (int threads : new int[] {1, 3}) {
            try (Parallelism par = Parallelism.of(threads)) {
                List<KvCache> caches = new ArrayList<>();
                List<int[]> prompts = new ArrayList<>();
                int[] fed = new int[sequences];
                for (int s = 0; s < sequences; s++) {
                    caches.add(decoder.newCache());
                    fed[s] = promptBase + s % 3;
                    prompts.add(Arrays.copyOf(full[s], fed[s]));
                }
                int[] all = {0, 1, 2, 3, 4, 5};
                checkRows(config, reference, all, fed, decoder.decode(caches, prompts, par), threads);
                while (true) {
                    // Sequences drop out as they finish, so the batch shrinks from six rows to one.
                    List<KvCache> active = new ArrayList<>();
                    List<int[]> next = new ArrayList<>();
                    List<Integer> order = new ArrayList<>();
                    for (int s = 0; s < sequences; s++) {
                        if (fed[s] < full[s].length) {
                            active.add(caches.get(s));
                            next.add(new int[] {full[s][fed[s]]});
                            order.add(s);
                        }
                    }
                    if (active.isEmpty()) {
                        break;
                    }
                    float[][] logits = decoder.decode(active, next, par);
                    order.forEach(s -> fed[s]++);
                    checkRows(config, reference, order.stream().mapToInt(Integer::intValue).toArray(), fed, logits, threads);
                }
                for (int s = 0; s < sequences; s++) {
                    assertEquals(full[s].length, caches.get(s).length());
                }
            }
        }
    }

    private static void checkRows(LlamaConfig config, float[][] reference, int[] sequence, int[] fed, float[][] logits, int threads) {
        for (int i = 0; i < sequence.length; i++) {
            int s = sequence[i];
            assertArrayEquals(row(reference[s], fed[s] - 1, config.vocabSize()), logits[i],
                    "threads " + threads + ", sequence " + s + ", position " + (fed[s] - 1));
        }
    }

    @Test
    void hiddenStatesOfAPromptAreTheFinalNormOfEveryRow() {
        LlamaModel model = new LlamaModel(CONFIG);
        SortedMap<String, Tensor> weights = model.initialParameters(5);
        LlamaDecoder decoder = new LlamaDecoder(CONFIG, weights);
        int[] tokens = {4, 8, 15, 16, 23, 42};
        Tensor once = decoder.hiddenStates(tokens, Parallelism.single());
        try (Parallelism par = Parallelism.of(2)) {
            assertArrayEquals(once.data(), decoder.hiddenStates(tokens, par).data());
        }
        assertArrayEquals(new int[] {tokens.length, CONFIG.hiddenSize()}, once.shape());
    }

    private static float[] row(float[] logits, int position, int vocab) {
        return Arrays.copyOfRange(logits, position * vocab, (position + 1) * vocab);
    }
}
