package io.verigrid.engine;

import io.verigrid.engine.io.SafetensorsFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A Hugging Face Llama-family checkpoint directory ({@link #gpt} reads GPT-2 ones): {@code config.json} plus one or more
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
        LlamaConfig config = LlamaConfig.fromJson(config(directory));
        return new HfCheckpoint(new LlamaModel(config), tensors(directory, name -> !name.endsWith("rotary_emb.inv_freq")));
    }

    /**
     * Reads and checks a GPT-2 checkpoint directory. Names saved without the {@code transformer.} prefix (a bare
     * GPT2Model) get it; the causal-mask buffers ({@code attn.bias}, {@code attn.masked_bias}) are dropped, and so
     * is a tied checkpoint's copy of {@code lm_head.weight}.
     */
    public static Gpt gpt(Path directory) {
        GptConfig config = GptConfig.fromJson(config(directory));
        SortedMap<String, Tensor> weights = new TreeMap<>();
        tensors(directory, name -> !name.endsWith(".attn.bias") && !name.endsWith(".attn.masked_bias")
                && !(config.tieWordEmbeddings() && name.equals("lm_head.weight"))).forEach((name, tensor) -> {
                    String full = name.startsWith("transformer.") || name.equals("lm_head.weight") ? name
                            : "transformer." + name;
                    if (weights.put(full, tensor) != null) {
                        throw new IllegalArgumentException("tensor " + full + " appears twice");
                    }
                });
        return new Gpt(new GptModel(config), weights);
    }

    /** A GPT-2 checkpoint: the model and its checked weights. */
    public record Gpt(GptModel model, SortedMap<String, Tensor> weights) {
        public Gpt {
            if (model == null || weights == null) {
                throw new IllegalArgumentException("model and weights must not be null");
            }
            model.checkWeights(weights);
        }
    }

    private static String config(Path directory) {
        try {
            return Files.readString(directory.resolve("config.json"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + directory, e);
        }
    }

    /** Every tensor {@code keep} accepts from the directory's {@code *.safetensors} shards, widened to float32. */
    private static SortedMap<String, Tensor> tensors(Path directory, Predicate<String> keep) {
        try {
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
                    if (keep.test(name) && weights.put(name, file.load(name)) != null) {
                        throw new IllegalArgumentException("tensor " + name + " appears in more than one shard");
                    }
                }
            }
            return weights;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + directory, e);
        }
    }
}
