package io.verigrid.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.verigrid.engine.io.Safetensors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Llama checkpoint in Hugging Face layout: its config and tensors load unchanged, and the engine's logits
 * match the Hugging Face forward pass computed by PyTorch ({@code golden/torch_llama.json}).
 */
class LlamaCheckpointTest {
    private static JsonNode golden;
    private static SortedMap<String, Tensor> weights;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = LlamaCheckpointTest.class.getResourceAsStream("/golden/torch_llama.json")) {
            golden = new ObjectMapper().readTree(in);
        }
        weights = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = golden.get("weights").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> entry = it.next();
            weights.put(entry.getKey(), tensor(entry.getValue()));
        }
    }

    private static Tensor tensor(JsonNode node) {
        int[] shape = new int[node.get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = node.get("shape").get(i).intValue();
        }
        float[] data = new float[node.get("data").size()];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) node.get("data").get(i).doubleValue();
        }
        return Tensor.of(shape, data);
    }

    private static int[] tokens() {
        int[] ids = new int[golden.get("tokens").size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = golden.get("tokens").get(i).intValue();
        }
        return ids;
    }

    private static void writeCheckpoint(Path dir, SortedMap<String, Tensor> tensors) throws IOException {
        Files.writeString(dir.resolve("config.json"), golden.get("config").toString());
        SortedMap<String, Tensor> first = new TreeMap<>(tensors.headMap("model.layers.1"));
        SortedMap<String, Tensor> second = new TreeMap<>(tensors.tailMap("model.layers.1"));
        Safetensors.write(dir.resolve("model-00001-of-00002.safetensors"), first, Map.of());
        Safetensors.write(dir.resolve("model-00002-of-00002.safetensors"), second, Map.of());
    }

    @Test
    void aShardedCheckpointLoadsAndMatchesTheHuggingFaceForwardPass(@TempDir Path dir) throws IOException {
        writeCheckpoint(dir, weights);
        HfCheckpoint checkpoint = HfCheckpoint.llama(dir);
        assertEquals(new LlamaConfig(16, 40, 2, 4, 2, 41, 16, 1e-6f, 10000f, false), checkpoint.model().config());
        Tensor logits = Decoder.logits(checkpoint.model(), checkpoint.weights(), tokens(), 1, Parallelism.single());
        Tensor expected = tensor(golden.get("logits"));
        assertArrayEquals(expected.shape(), logits.shape());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.data()[i], logits.data()[i], 1e-5 + 1e-5 * Math.abs(expected.data()[i]),
                    "logit " + i);
        }
    }

    @Test
    void aCheckpointCanBeFineTunedFromItsWeights(@TempDir Path dir) throws IOException {
        writeCheckpoint(dir, weights);
        HfCheckpoint checkpoint = HfCheckpoint.llama(dir);
        LmJob job = new LmJob(checkpoint.model(), 1, 32, 4, 8, 6, 3, new LearningRate(1e-3f, 1e-4f, 2, 6), 0.9f, 0.95f,
                1e-8f, 0f, 1f);
        Dataset data = LmJob.windows(CharCorpus.tokens(4, 32 * 8 + 1), 8, 41);
        ModelState start = job.stateFrom(checkpoint.weights());
        float first = LmTrainer.step(job, data, start, Parallelism.single(), null).loss();
        ModelState end = LmTrainer.run(job, data, start, 6, Parallelism.single(), null);
        float later = LmTrainer.step(new LmJob(checkpoint.model(), 1, 32, 4, 8, 7, 7, new LearningRate(1e-3f, 1e-4f, 2, 7),
                0.9f, 0.95f, 1e-8f, 0f, 1f), data, end.withStep(0), Parallelism.single(), null).loss();
        assertTrue(later < first, "fine-tuning lowers the loss on the first batch: " + first + " -> " + later);
    }

    @Test
    void aMissingTensorOrUnknownFieldIsNamed(@TempDir Path dir) throws IOException {
        SortedMap<String, Tensor> partial = new TreeMap<>(weights);
        partial.remove("model.layers.0.self_attn.k_proj.weight");
        writeCheckpoint(dir, partial);
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> HfCheckpoint.llama(dir));
        assertTrue(missing.getMessage().contains("model.layers.0.self_attn.k_proj.weight"), missing.getMessage());
        Files.writeString(dir.resolve("config.json"), golden.get("config").toString().replace("\"model_type\"",
                "\"quantization_config\""));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> HfCheckpoint.llama(dir));
        assertTrue(unknown.getMessage().contains("quantization_config"), unknown.getMessage());
    }
}
