package io.verigrid.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.verigrid.engine.FineTuning;
import io.verigrid.engine.GptConfig;
import io.verigrid.engine.GptModel;
import io.verigrid.engine.LanguageModel;
import io.verigrid.engine.LearningRate;
import io.verigrid.engine.LlamaConfig;
import io.verigrid.engine.LlamaModel;
import io.verigrid.engine.LmJob;
import io.verigrid.engine.Tensor;
import io.verigrid.engine.io.Safetensors;
import io.verigrid.node.blob.BlobStore;
import io.verigrid.verify.Commitments;
import io.verigrid.verify.Hashes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The {@code model} and {@code fine_tuning} sections of an {@code lm} or {@code lm-finetune} manifest
 * (docs/job-manifest.md), turned into the {@link LmJob} the order carries. Files are relative to the manifest.
 * A fine-tuning spec names its base checkpoint by blob id and declares the root of its initial state, so building
 * it reads the checkpoint: {@link #job} puts it into the local blob store (whose id the replicas keep) and computes
 * the root the provider and verifiers must reproduce.
 */
record LmManifest(@JsonProperty("config") String config, @JsonProperty("seed") Long seed,
                  @JsonProperty("sequences") Integer sequences, @JsonProperty("batch") Integer batch,
                  @JsonProperty("seq_len") Integer seqLen, @JsonProperty("steps") Integer steps,
                  @JsonProperty("checkpoint_interval") Integer checkpointInterval,
                  @JsonProperty("learning_rate") Float learningRate, @JsonProperty("min_learning_rate") Float minLearningRate,
                  @JsonProperty("warmup") Integer warmup, @JsonProperty("beta1") Float beta1, @JsonProperty("beta2") Float beta2,
                  @JsonProperty("eps") Float eps, @JsonProperty("weight_decay") Float weightDecay,
                  @JsonProperty("clip_norm") Float clipNorm) {

    /** {@code fine_tuning}: the base checkpoint file and either a LoRA adapter or frozen prefixes. */
    record FineTune(@JsonProperty("checkpoint") String checkpoint, @JsonProperty("lora") Lora lora,
                    @JsonProperty("frozen") List<String> frozen) {}

    record Lora(@JsonProperty("rank") Integer rank, @JsonProperty("alpha") Float alpha,
                @JsonProperty("targets") List<String> targets) {}

    /** The job training from seed, or the draft of a fine-tuning one (its checkpoint id and root still zero). */
    LmJob seeded(Path dir) {
        LanguageModel model = model(dir.resolve(required(config, "model.config")));
        int total = required(steps, "model.steps");
        LearningRate schedule = new LearningRate(required(learningRate, "model.learning_rate"),
                minLearningRate == null ? 0f : minLearningRate, warmup == null ? 0 : warmup, total);
        return new LmJob(model, required(seed, "model.seed"), required(sequences, "model.sequences"),
                required(batch, "model.batch"), required(seqLen, "model.seq_len"), total,
                required(checkpointInterval, "model.checkpoint_interval"), schedule, beta1 == null ? 0.9f : beta1,
                beta2 == null ? 0.95f : beta2, eps == null ? 1e-8f : eps, weightDecay == null ? 0f : weightDecay,
                clipNorm == null ? 0f : clipNorm);
    }

    /**
     * The fine-tuning job of {@code tune}: its checkpoint is put into {@code store} (the blob id goes into the spec)
     * and the initial state built from it gives the declared root.
     */
    LmJob fineTuned(Path dir, FineTune tune, BlobStore store) {
        LmJob draft = seeded(dir);
        if (tune == null) throw new IllegalArgumentException("fine_tuning is required for kind lm-finetune");
        Path file = dir.resolve(required(tune.checkpoint(), "fine_tuning.checkpoint"));
        byte[] bytes = read(file);
        SortedMap<String, Tensor> base = new TreeMap<>(Safetensors.decode(bytes).tensors());
        byte[] id = Hashes.unhex(store.put(bytes));
        byte[] zero = new byte[32];
        FineTuning.Mode mode = mode(tune);
        LmJob unrooted = draft.withFineTuning(new FineTuning(id, zero, mode));
        byte[] root = Commitments.stateRoot(unrooted.initialState(base));
        return draft.withFineTuning(new FineTuning(id, root, mode));
    }

    private static FineTuning.Mode mode(FineTune tune) {
        if ((tune.lora() == null) == (tune.frozen() == null)) {
            throw new IllegalArgumentException("fine_tuning needs exactly one of lora {rank, alpha, targets} and frozen [prefixes]");
        }
        if (tune.frozen() != null) return new FineTuning.Full(tune.frozen());
        Lora l = tune.lora();
        return new FineTuning.Lora(required(l.rank(), "fine_tuning.lora.rank"), required(l.alpha(), "fine_tuning.lora.alpha"),
                required(l.targets(), "fine_tuning.lora.targets"));
    }

    /** A Hugging Face config.json: {@code model_type} gpt2 or llama; anything else is an unknown architecture. */
    static LanguageModel model(Path file) {
        String json = new String(read(file), java.nio.charset.StandardCharsets.UTF_8);
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + " is not valid JSON: " + e.getMessage());
        }
        String type = root == null ? "" : root.path("model_type").asText("");
        return switch (type) {
            case "gpt2" -> new GptModel(GptConfig.fromJson(json));
            case "llama" -> new LlamaModel(LlamaConfig.fromJson(json));
            default -> throw new IllegalArgumentException(file + ": unknown model architecture '" + type
                    + "' (model_type must be gpt2 or llama)");
        };
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
        }
    }

    private static <T> T required(T value, String name) {
        if (value == null) throw new IllegalArgumentException(name + " is required");
        return value;
    }
}
