package io.verigrid.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.verigrid.engine.io.Safetensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a fine-tuning job delivers, taken from its final {@link ModelState}: with LoRA the trained adapter in
 * PEFT naming ({@code base_model.model.<module>.lora_A.weight}), with full fine-tuning the new weights in Hugging
 * Face naming; written as safetensors next to the config a Hugging Face loader expects. {@link #merge} folds an
 * adapter into base weights for serving.
 */
public final class FineTuneResult {
    /** The prefix PEFT's {@code get_peft_model_state_dict} puts before a module path. */
    public static final String PEFT_PREFIX = "base_model.model.";
    public static final String ADAPTER_FILE = "adapter_model.safetensors";
    public static final String ADAPTER_CONFIG = "adapter_config.json";
    public static final String WEIGHTS_FILE = "model.safetensors";
    public static final String CONFIG = "config.json";

    private FineTuneResult() {
    }

    /** The trained LoRA tensors of {@code state}, PEFT-named. */
    public static SortedMap<String, Tensor> adapter(LmJob job, ModelState state) {
        FineTuning.Lora lora = lora(job);
        SortedMap<String, Tensor> adapter = new TreeMap<>();
        for (String name : LoraAdapter.shapes(job.model(), lora).keySet()) {
            adapter.put(PEFT_PREFIX + name, state.tensor(name));
        }
        return adapter;
    }

    /** The model weights of {@code state} under their Hugging Face names (the frozen ones unchanged). */
    public static SortedMap<String, Tensor> weights(LmJob job, ModelState state) {
        tuning(job);
        SortedMap<String, Tensor> weights = new TreeMap<>();
        for (String name : job.model().parameterShapes().keySet()) {
            weights.put(name, state.tensor(name));
        }
        return weights;
    }

    /**
     * Writes the result into {@code directory} (created if missing) and returns the safetensors file: with LoRA
     * {@value #ADAPTER_FILE} and {@value #ADAPTER_CONFIG}; with full fine-tuning {@value #WEIGHTS_FILE} and
     * {@value #CONFIG}.
     */
    public static Path write(LmJob job, ModelState state, Path directory) {
        FineTuning tuning = tuning(job);
        try {
            Files.createDirectories(directory);
            Map<String, Object> config;
            Path file;
            if (tuning.mode() instanceof FineTuning.Lora lora) {
                file = directory.resolve(ADAPTER_FILE);
                Safetensors.write(file, adapter(job, state), Map.of("format", "pt"));
                config = adapterConfig(job.model(), lora);
                Files.writeString(directory.resolve(ADAPTER_CONFIG), json(config));
            } else {
                file = directory.resolve(WEIGHTS_FILE);
                Safetensors.write(file, weights(job, state), Map.of("format", "pt"));
                config = job.model() instanceof GptModel gpt ? gpt.config().toJson()
                        : ((LlamaModel) job.model()).config().toJson();
                Files.writeString(directory.resolve(CONFIG), json(config));
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the fine-tuning result to " + directory, e);
        }
    }

    /**
     * Base weights with a PEFT-named adapter folded in: W + (alpha/r)·B·A per target, transposed for weights
     * stored (in, out). Deterministic: see {@link LoraAdapter#merge}.
     */
    public static SortedMap<String, Tensor> merge(LmJob job, SortedMap<String, Tensor> base,
            SortedMap<String, Tensor> adapter, Parallelism par) {
        FineTuning.Lora lora = lora(job);
        if (base == null || adapter == null || par == null) {
            throw new IllegalArgumentException("base, adapter and parallelism must not be null");
        }
        SortedMap<String, Tensor> stateNamed = new TreeMap<>();
        for (Map.Entry<String, Tensor> entry : adapter.entrySet()) {
            if (!entry.getKey().startsWith(PEFT_PREFIX)) {
                throw new IllegalArgumentException("adapter tensor " + entry.getKey() + " lacks the PEFT prefix "
                        + PEFT_PREFIX);
            }
            stateNamed.put(entry.getKey().substring(PEFT_PREFIX.length()), entry.getValue());
        }
        return LoraAdapter.merge(job.model(), lora, base, stateNamed, par);
    }

    /** PEFT's {@code adapter_config.json} for this adapter; GPT-2's Conv1D weights need fan_in_fan_out. */
    static Map<String, Object> adapterConfig(LanguageModel model, FineTuning.Lora lora) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("peft_type", "LORA");
        config.put("task_type", "CAUSAL_LM");
        config.put("r", lora.rank());
        config.put("lora_alpha", lora.alpha());
        config.put("lora_dropout", 0.0);
        config.put("bias", "none");
        config.put("fan_in_fan_out", model instanceof GptModel);
        config.put("target_modules", List.copyOf(lora.targets()));
        return config;
    }

    private static String json(Map<String, Object> value) throws IOException {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value);
    }

    private static FineTuning tuning(LmJob job) {
        if (job == null || job.fineTuning() == null) {
            throw new IllegalArgumentException("the job is not a fine-tuning job");
        }
        return job.fineTuning();
    }

    private static FineTuning.Lora lora(LmJob job) {
        if (!(tuning(job).mode() instanceof FineTuning.Lora lora)) {
            throw new IllegalArgumentException("the job fine-tunes all unfrozen weights; it has no LoRA adapter");
        }
        return lora;
    }
}
