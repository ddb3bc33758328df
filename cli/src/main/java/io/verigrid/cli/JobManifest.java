package io.verigrid.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.verigrid.engine.MlpJob;
import io.verigrid.engine.TrainingJob;
import io.verigrid.node.blob.BlobStore;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.verify.Commitments;
import io.verigrid.verify.Hashes;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A buyer's job manifest (YAML; format in {@code docs/job-manifest.md}, schema in
 * {@code docs/job-manifest.schema.json}): what to run, on which data, what a provider must offer, the most the
 * buyer pays per verified unit and how long it waits. Unknown fields are errors, so a typo never silently
 * changes a job. The dataset is either the root of the data the model's seed generates (mlp), or a file of tensors
 * that {@code job submit} publishes as a blob to the named replica nodes before posting the order (always for lm
 * and lm-finetune, whose base checkpoint it publishes to the same replicas).
 */
record JobManifest(@JsonProperty("kind") String kind, @JsonProperty("model") JsonNode model,
                   @JsonProperty("fine_tuning") JsonNode fineTuning,
                   @JsonProperty("dataset") JsonNode dataset, @JsonProperty("resources") Resources resources,
                   @JsonProperty("max_price_per_unit") String maxPricePerUnit,
                   @JsonProperty("auction_blocks") Integer auctionBlocks,
                   @JsonProperty("deadline_blocks") Integer deadlineBlocks,
                   @JsonProperty("sampling_rate") Double samplingRate) {
    private static final long GIB = 1L << 30;

    /** The MLP training job: {@code MlpJob}'s fields. */
    record Model(@JsonProperty("seed") Long seed, @JsonProperty("input_dim") Integer inputDim,
                 @JsonProperty("hidden") Integer hidden, @JsonProperty("classes") Integer classes,
                 @JsonProperty("samples") Integer samples, @JsonProperty("batch") Integer batch,
                 @JsonProperty("learning_rate") Float learningRate, @JsonProperty("momentum") Float momentum,
                 @JsonProperty("steps") Integer steps, @JsonProperty("checkpoint_interval") Integer checkpointInterval) {}

    /**
     * A dataset held as a blob: {@code file} holds its tensors ({@code x}, {@code y}) as safetensors, relative to the
     * manifest; {@code replicas} are the nodes that must hold it (at least {@link #MIN_REPLICAS}).
     */
    record BlobDataset(String file, List<String> replicas) {}

    static final int MIN_REPLICAS = 2; // MarketRules.MIN_DATASET_REPLICAS on the ledger

    /** What a provider must offer: memory in GiB and measured engine throughput in GFLOP/s. */
    record Resources(@JsonProperty("memory_gib") Double memoryGib, @JsonProperty("min_gflops") Double minGflops) {}

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    static JobManifest read(Path file) {
        try {
            return parse(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read manifest " + file + ": " + e.getMessage());
        }
    }

    static JobManifest parse(String yaml, String source) {
        if (yaml == null || yaml.isBlank()) throw new IllegalArgumentException(source + ": the manifest is empty");
        JobManifest m;
        try {
            m = YAML.readValue(yaml, JobManifest.class);
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException(source + ": unknown field '" + e.getPropertyName() + "' at " + path(e)
                    + " (known: " + e.getKnownPropertyIds() + ")");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": not a valid manifest: " + e.getOriginalMessage());
        }
        if (m == null) throw new IllegalArgumentException(source + ": the manifest is empty");
        m.validate(source);
        return m;
    }

    private static String path(UnrecognizedPropertyException e) {
        StringBuilder sb = new StringBuilder();
        var refs = e.getPath();
        for (var ref : refs.subList(0, Math.max(0, refs.size() - 1))) { // the last one is the unknown field itself
            if (ref.getFieldName() != null) sb.append(sb.length() == 0 ? "" : ".").append(ref.getFieldName());
        }
        return sb.length() == 0 ? "top level" : sb.toString();
    }

    /** The job kind the manifest names; IllegalArgumentException naming the known ones. */
    TrainingJob.Kind jobKind(String source) {
        try {
            return TrainingJob.Kind.ofTag(kind);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage());
        }
    }

    private void validate(String source) {
        TrainingJob.Kind jobKind = jobKind(source);
        if (model == null || !model.isObject()) throw new IllegalArgumentException(source + ": model is required");
        if (dataset == null) throw new IllegalArgumentException(source + ": dataset is required");
        BlobDataset blob = dataset.isObject() ? blobDataset(source) : null;
        if (jobKind != TrainingJob.Kind.MLP) {
            lmModel(source);
            if (blob == null) throw new IllegalArgumentException(source + ": a " + kind + " job trains on a blob dataset: dataset must be {file: …, replicas: […]}");
            if ((jobKind == TrainingJob.Kind.LM_FINETUNE) != (fineTuning != null)) {
                throw new IllegalArgumentException(source + ": fine_tuning is " + (fineTuning == null ? "required for" : "only for") + " kind lm-finetune");
            }
            if (fineTuning != null) fineTune(source);
        } else if (fineTuning != null) {
            throw new IllegalArgumentException(source + ": fine_tuning is only for kind lm-finetune");
        }
        if (blob == null && (!dataset.isTextual() || !dataset.asText().matches("[0-9a-fA-F]{64}"))) {
            throw new IllegalArgumentException(source + ": dataset must be the 64-hex-digit dataset root or {file: …, replicas: […]}, got " + dataset);
        }
        if (maxPricePerUnit == null) throw new IllegalArgumentException(source + ": max_price_per_unit is required");
        maxUnitPrice(source);
        if (jobKind == TrainingJob.Kind.MLP) spec(source);
        if (resources != null) {
            nonNegative(resources.memoryGib(), "resources.memory_gib", source);
            nonNegative(resources.minGflops(), "resources.min_gflops", source);
        }
        if (samplingRate != null && (samplingRate < 0 || samplingRate > 1)) {
            throw new IllegalArgumentException(source + ": sampling_rate must be in 0..1, got " + samplingRate);
        }
        if (auctionBlocks != null && auctionBlocks < 1) throw new IllegalArgumentException(source + ": auction_blocks must be at least 1, got " + auctionBlocks);
        if (deadlineBlocks != null && deadlineBlocks < 1) throw new IllegalArgumentException(source + ": deadline_blocks must be at least 1, got " + deadlineBlocks);
        if (blob != null) return; // its root is computed from the file when the order is posted
        String expected = Hashes.hex(Commitments.datasetRoot(spec(source).dataset()));
        if (!expected.equalsIgnoreCase(dataset.asText())) {
            throw new IllegalArgumentException(source + ": unknown dataset " + dataset.asText() + ": the model's seeded dataset has root " + expected);
        }
    }

    /** The dataset as a blob, or null when the manifest names a seeded dataset's root. */
    BlobDataset blobDataset() {
        return dataset != null && dataset.isObject() ? blobDataset("manifest") : null;
    }

    private BlobDataset blobDataset(String source) {
        List<String> fields = new ArrayList<>();
        dataset.fieldNames().forEachRemaining(fields::add);
        for (String f : fields) {
            if (!f.equals("file") && !f.equals("replicas")) {
                throw new IllegalArgumentException(source + ": unknown field '" + f + "' at dataset (known: [file, replicas])");
            }
        }
        JsonNode file = dataset.path("file");
        if (!file.isTextual() || file.asText().isBlank()) throw new IllegalArgumentException(source + ": dataset.file must name a safetensors file");
        JsonNode replicas = dataset.path("replicas");
        if (!replicas.isArray()) throw new IllegalArgumentException(source + ": dataset.replicas must be a list of node URLs");
        List<String> urls = new ArrayList<>();
        for (JsonNode r : replicas) {
            if (!r.isTextual() || !r.asText().matches("https?://\\S+")) {
                throw new IllegalArgumentException(source + ": dataset.replicas entries must be http(s) URLs, got " + r);
            }
            if (urls.contains(r.asText())) throw new IllegalArgumentException(source + ": dataset.replicas names " + r.asText() + " twice");
            urls.add(r.asText());
        }
        if (urls.size() < MIN_REPLICAS) {
            throw new IllegalArgumentException(source + ": dataset.replicas names " + urls.size() + " node(s); a blob dataset must be held by at least "
                    + MIN_REPLICAS);
        }
        return new BlobDataset(file.asText(), List.copyOf(urls));
    }

    private static void nonNegative(Double v, String name, String source) {
        if (v != null && (v < 0 || v.isNaN() || v.isInfinite())) throw new IllegalArgumentException(source + ": " + name + " must be a non-negative number, got " + v);
    }

    private <T> T section(JsonNode node, Class<T> type, String where, String source) {
        try {
            return YAML.treeToValue(node, type);
        } catch (UnrecognizedPropertyException e) {
            String inner = path(e);
            throw new IllegalArgumentException(source + ": unknown field '" + e.getPropertyName() + "' at " + where
                    + (inner.equals("top level") ? "" : "." + inner) + " (known: " + e.getKnownPropertyIds() + ")");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": " + where + " is not valid: " + e.getOriginalMessage());
        }
    }

    LmManifest lmModel(String source) {
        return section(model, LmManifest.class, "model", source);
    }

    LmManifest.FineTune fineTune(String source) {
        return section(fineTuning, LmManifest.FineTune.class, "fine_tuning", source);
    }

    /**
     * The spec the order carries. Files (a language model's config.json, a fine-tuning checkpoint) are relative to
     * {@code dir}; a fine-tuning checkpoint is put into {@code store}, whose blob id the spec names.
     */
    TrainingJob spec(Path dir, BlobStore store) {
        TrainingJob.Kind jobKind = jobKind("manifest");
        try {
            return switch (jobKind) {
                case MLP -> spec("manifest");
                case LM -> lmModel("manifest").seeded(dir);
                case LM_FINETUNE -> lmModel("manifest").fineTuned(dir, fineTune("manifest"), store);
            };
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("manifest: " + e.getMessage());
        }
    }

    MlpJob spec(String source) {
        Model s = section(model, Model.class, "model", source);
        try {
            return new MlpJob(required(s.seed(), "model.seed"), required(s.inputDim(), "model.input_dim"), required(s.hidden(), "model.hidden"),
                    required(s.classes(), "model.classes"), required(s.samples(), "model.samples"), required(s.batch(), "model.batch"),
                    required(s.learningRate(), "model.learning_rate"), required(s.momentum(), "model.momentum"),
                    required(s.steps(), "model.steps"), required(s.checkpointInterval(), "model.checkpoint_interval"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage());
        }
    }

    private static <T> T required(T value, String name) {
        if (value == null) throw new IllegalArgumentException(name + " is required");
        return value;
    }

    long maxUnitPrice(String source) {
        try {
            BigDecimal units = new BigDecimal(maxPricePerUnit.trim()).movePointRight(9);
            if (units.signum() <= 0) throw new IllegalArgumentException(source + ": max_price_per_unit must be positive, got " + maxPricePerUnit);
            return units.longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(source + ": max_price_per_unit must be a token amount with at most 9 decimals, got " + maxPricePerUnit);
        }
    }

    /** The order transaction this manifest posts, for a seeded dataset. */
    TxBody.PostOrder toOrder() {
        if (blobDataset() != null) throw new IllegalStateException("a blob dataset must be published first; use toOrder(blob, root)");
        return toOrder(spec("manifest"), Hashes.unhex(dataset.asText()), null);
    }

    /** The order transaction for {@code spec} on a dataset published as {@code blob}, whose tensors have root {@code datasetRoot}. */
    TxBody.PostOrder toOrder(TrainingJob spec, byte[] datasetRoot, TxBody.DatasetBlob blob) {
        long memory = resources == null || resources.memoryGib() == null ? 0 : (long) (resources.memoryGib() * GIB);
        long mflops = resources == null || resources.minGflops() == null ? 0 : (long) (resources.minGflops() * 1000);
        int auction = auctionBlocks == null ? 5 : auctionBlocks;
        int deadline = deadlineBlocks == null ? 600 : deadlineBlocks;
        int ppm = samplingRate == null ? 100_000 : (int) Math.round(samplingRate * 1_000_000);
        return new TxBody.PostOrder(spec.kind().code(), spec.encode(), datasetRoot, maxUnitPrice("manifest"), ppm, memory, mflops,
                auction, deadline, blob);
    }

    /**
     * A manifest for a tiny language-model job of kind {@code kind} (lm or lm-finetune) whose files — config.json,
     * tokens.safetensors and, to fine-tune, base.safetensors — {@code job init} writes next to it.
     */
    static String lmTemplate(TrainingJob.Kind kind, String maxPrice, List<String> replicas) {
        List<String> lines = new ArrayList<>(List.of(
                "# Verigrid job manifest: docs/job-manifest.md",
                "kind: " + kind.tag(),
                "model:",
                "  config: config.json          # Hugging Face config.json (model_type gpt2 or llama)",
                "  seed: 7",
                "  sequences: 64                # rows of the token dataset",
                "  batch: 8",
                "  seq_len: 16",
                "  steps: 20",
                "  checkpoint_interval: 5",
                "  learning_rate: 0.01",
                "  min_learning_rate: 0.001",
                "  warmup: 2",
                "  beta1: 0.9",
                "  beta2: 0.95",
                "  eps: 1.0e-8",
                "  weight_decay: 0.01",
                "  clip_norm: 1.0"));
        if (kind == TrainingJob.Kind.LM_FINETUNE) {
            lines.addAll(List.of(
                    "fine_tuning:",
                    "  checkpoint: base.safetensors   # published to the dataset's replicas; its blob id goes into the spec",
                    "  lora:",
                    "    rank: 4",
                    "    alpha: 8",
                    "    targets: [c_attn]"));
        }
        lines.addAll(List.of("dataset:", "  file: tokens.safetensors       # one tensor: tokens (sequences × (seq_len + 1))", "  replicas:"));
        replicas.forEach(r -> lines.add("    - " + r));
        lines.addAll(List.of("resources:", "  memory_gib: 0.25", "  min_gflops: 0.1", "max_price_per_unit: \"" + maxPrice + "\"",
                "auction_blocks: 5", "deadline_blocks: 600", "sampling_rate: 0.1", ""));
        return String.join("\n", lines);
    }

    /** A manifest for {@code spec} with its dataset root filled in: what {@code verigrid job init} writes. */
    static String template(MlpJob spec, String maxPrice) {
        return String.join("\n",
                "# Verigrid job manifest: docs/job-manifest.md",
                "kind: mlp",
                "model:",
                "  seed: " + spec.seed(),
                "  input_dim: " + spec.inputDim(),
                "  hidden: " + spec.hidden(),
                "  classes: " + spec.classes(),
                "  samples: " + spec.samples(),
                "  batch: " + spec.batch(),
                "  learning_rate: " + spec.learningRate(),
                "  momentum: " + spec.momentum(),
                "  steps: " + spec.steps(),
                "  checkpoint_interval: " + spec.checkpointInterval(),
                "dataset: " + Hashes.hex(Commitments.datasetRoot(spec.dataset())),
                "resources:",
                "  memory_gib: 0.25",
                "  min_gflops: 0.1",
                "max_price_per_unit: \"" + maxPrice + "\"",
                "auction_blocks: 5",
                "deadline_blocks: 600",
                "sampling_rate: 0.1",
                "");
    }
}
