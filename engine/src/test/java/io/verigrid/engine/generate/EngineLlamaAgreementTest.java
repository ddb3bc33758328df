package io.verigrid.engine.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.verigrid.engine.Decoder;
import io.verigrid.engine.LlamaModel;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.Tensor;
import io.verigrid.engine.io.SafetensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's batched decoder computes exactly what the engine's traced {@link LlamaModel} program
 * computes — the program a verifier re-executes and the referee replays — at every position.
 */
class EngineLlamaAgreementTest {
    @Test
    void batchedKvDecodeMatchesTheEnginesLlamaForwardBitForBit(@TempDir Path dir) throws Exception {
        TinyLlama.write(dir, 5);
        LlamaDecoder decoder = LlamaDecoder.load(dir);
        LlamaModel engineModel = new LlamaModel(io.verigrid.engine.LlamaConfig.fromJson(
                Files.readString(dir.resolve("config.json"))));
        SortedMap<String, Tensor> weights = SafetensorsFile.open(dir.resolve("model.safetensors")).loadAll();
        int[] tokens = {3, 100, 250, 7, 42, 300, 11, 0, 199};
        float[] reference = Decoder.logits(engineModel, weights, tokens, 1, Parallelism.single()).data();
        int vocab = decoder.vocabSize();
        KvCache mine = decoder.newCache();
        KvCache other = decoder.newCache();
        decoder.decode(List.of(other), List.<int[]>of(new int[] {9, 8, 7}), Parallelism.single());
        for (int position = 0; position < tokens.length; position++) {
            // Decoded one token at a time, next to an unrelated sequence in the same batch.
            float[][] logits = decoder.decode(List.of(other, mine), List.of(new int[] {5}, new int[] {tokens[position]}),
                    Parallelism.single());
            assertArrayEquals(Arrays.copyOfRange(reference, position * vocab, (position + 1) * vocab), logits[1],
                    "position " + position);
        }
    }
}
