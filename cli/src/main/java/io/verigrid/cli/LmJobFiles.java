package io.verigrid.cli;

import io.verigrid.engine.Dataset;
import io.verigrid.engine.GptConfig;
import io.verigrid.engine.GptModel;
import io.verigrid.engine.LmJob;
import io.verigrid.engine.TrainingJob;
import io.verigrid.engine.io.Safetensors;
import io.verigrid.node.http.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The files {@code verigrid job init --kind lm|lm-finetune} writes next to its manifest, so the example runs as is:
 * a tiny GPT-2 config.json (vocab 64, 16 positions, width 32, 2 layers), tokens.safetensors (64 windows of 17 token
 * ids, generated from a fixed seed) and, to fine-tune, base.safetensors (the config's weights from another seed,
 * standing in for a published checkpoint).
 */
final class LmJobFiles {
    static final GptConfig CONFIG = new GptConfig(64, 16, 32, 2, 2, 1e-5f, true);
    private static final int SEQUENCES = 64;
    private static final int SEQ_LEN = 16;

    private LmJobFiles() {}

    /** Writes the files into {@code dir}; returns their names. */
    static List<String> write(Path dir, TrainingJob.Kind kind) throws IOException {
        List<String> names = new ArrayList<>(List.of("config.json", "tokens.safetensors"));
        Map<String, Object> config = new TreeMap<>(CONFIG.toJson());
        config.put("model_type", "gpt2");
        Files.writeString(dir.resolve("config.json"), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(config));
        int[] stream = new int[SEQUENCES * SEQ_LEN + 1];
        SplittableRandom random = new SplittableRandom(2026);
        for (int i = 0; i < stream.length; i++) stream[i] = random.nextInt(CONFIG.vocabSize());
        Dataset tokens = LmJob.windows(stream, SEQ_LEN, CONFIG.vocabSize());
        Safetensors.write(dir.resolve("tokens.safetensors"), new TreeMap<>(tokens.tensors()), Map.of());
        if (kind == TrainingJob.Kind.LM_FINETUNE) {
            Safetensors.write(dir.resolve("base.safetensors"), new GptModel(CONFIG).initialParameters(1234), Map.of());
            names.add("base.safetensors");
        }
        return names;
    }
}
