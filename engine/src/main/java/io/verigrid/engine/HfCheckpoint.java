package io.verigrid.engine;

import io.verigrid.engine.io.SafetensorsFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A Hugging Face Llama-family checkpoint directory: {@code config.json} plus one or more
 * {@code *.safetensors} shards (F32, F16 or BF16, widened to float32). Tensors keep their names; the
 * precomputed {@code rotary_emb.inv_freq} buffers some older checkpoints carry are dropped because the
 * engine derives RoPE from rope_theta.
 */
public record HfCheckpoint(LlamaModel model, SortedMap<String, Tensor> weights) {
    public HfCheckpoint {
        if (model == null || weights == null) {
            throw new IllegalArgumentException("model and weights must not be null");
        }
        model.checkWeights(weights);
    }

    /** Reads and checks a checkpoint directory; IllegalArgumentException naming a bad field or tensor. */
    public static HfCheckpoint llama(Path directory) {
        try {
            LlamaConfig config = LlamaConfig.fromJson(Files.readString(directory.resolve("config.json")));
            List<Path> shards;
            try (Stream<Path> files = Files.list(directory)) {
                shards = files.filter(path -> path.getFileName().toString().endsWith(".safetensors")).sorted().toList();
            }
            if (shards.isEmpty()) {
                throw new IllegalArgumentException("no .safetensors file in " + directory);
            }
            SortedMap<String, Tensor> weights = new TreeMap<>();
            for (Path shard : shards) {
                SafetensorsFile file = SafetensorsFile.open(shard);
                for (String name : file.names()) {
                    if (name.endsWith("rotary_emb.inv_freq")) {
                        continue;
                    }
                    if (weights.put(name, file.load(name)) != null) {
                        throw new IllegalArgumentException("tensor " + name + " appears in more than one shard");
                    }
                }
            }
            return new HfCheckpoint(new LlamaModel(config), weights);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + directory, e);
        }
    }
}
