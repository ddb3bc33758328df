package io.verigrid.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.verigrid.engine.MlpJob;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.verify.Commitments;
import io.verigrid.verify.Hashes;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A buyer's job manifest (YAML; format in {@code docs/job-manifest.md}, schema in
 * {@code docs/job-manifest.schema.json}): what to run, on which data, what a provider must offer, the most the
 * buyer pays per verified unit and how long it waits. Unknown fields are errors, so a typo never silently
 * changes a job.
 */
record JobManifest(@JsonProperty("kind") String kind, @JsonProperty("model") Model model,
                   @JsonProperty("dataset") String dataset, @JsonProperty("resources") Resources resources,
                   @JsonProperty("max_price_per_unit") String maxPricePerUnit,
                   @JsonProperty("auction_blocks") Integer auctionBlocks,
                   @JsonProperty("deadline_blocks") Integer deadlineBlocks,
                   @JsonProperty("sampling_rate") Double samplingRate) {
    static final int MLP_KIND = 1; // MarketRules.KIND_MLP on the ledger
    private static final long GIB = 1L << 30;

    /** The MLP training job: {@code MlpJob}'s fields. */
    record Model(@JsonProperty("seed") Long seed, @JsonProperty("input_dim") Integer inputDim,
                 @JsonProperty("hidden") Integer hidden, @JsonProperty("classes") Integer classes,
                 @JsonProperty("samples") Integer samples, @JsonProperty("batch") Integer batch,
                 @JsonProperty("learning_rate") Float learningRate, @JsonProperty("momentum") Float momentum,
                 @JsonProperty("steps") Integer steps, @JsonProperty("checkpoint_interval") Integer checkpointInterval) {}

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

    private void validate(String source) {
        if (!"mlp".equals(kind)) throw new IllegalArgumentException(source + ": kind must be mlp (the job kind this ledger referees), got " + kind);
        if (model == null) throw new IllegalArgumentException(source + ": model is required");
        if (dataset == null || !dataset.matches("[0-9a-fA-F]{64}")) {
            throw new IllegalArgumentException(source + ": dataset must be the 64-hex-digit dataset root, got " + dataset);
        }
        if (maxPricePerUnit == null) throw new IllegalArgumentException(source + ": max_price_per_unit is required");
        maxUnitPrice(source);
        spec(source);
        if (resources != null) {
            nonNegative(resources.memoryGib(), "resources.memory_gib", source);
            nonNegative(resources.minGflops(), "resources.min_gflops", source);
        }
        if (samplingRate != null && (samplingRate < 0 || samplingRate > 1)) {
            throw new IllegalArgumentException(source + ": sampling_rate must be in 0..1, got " + samplingRate);
        }
        if (auctionBlocks != null && auctionBlocks < 1) throw new IllegalArgumentException(source + ": auction_blocks must be at least 1, got " + auctionBlocks);
        if (deadlineBlocks != null && deadlineBlocks < 1) throw new IllegalArgumentException(source + ": deadline_blocks must be at least 1, got " + deadlineBlocks);
        String expected = Hashes.hex(Commitments.datasetRoot(spec(source).dataset()));
        if (!expected.equalsIgnoreCase(dataset)) {
            throw new IllegalArgumentException(source + ": unknown dataset " + dataset + ": the model's seeded dataset has root " + expected);
        }
    }

    private static void nonNegative(Double v, String name, String source) {
        if (v != null && (v < 0 || v.isNaN() || v.isInfinite())) throw new IllegalArgumentException(source + ": " + name + " must be a non-negative number, got " + v);
    }

    MlpJob spec(String source) {
        Model s = model;
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

    /** The order transaction this manifest posts. */
    TxBody.PostOrder toOrder() {
        MlpJob spec = spec("manifest");
        long memory = resources == null || resources.memoryGib() == null ? 0 : (long) (resources.memoryGib() * GIB);
        long mflops = resources == null || resources.minGflops() == null ? 0 : (long) (resources.minGflops() * 1000);
        int auction = auctionBlocks == null ? 5 : auctionBlocks;
        int deadline = deadlineBlocks == null ? 600 : deadlineBlocks;
        int ppm = samplingRate == null ? 100_000 : (int) Math.round(samplingRate * 1_000_000);
        return new TxBody.PostOrder(MLP_KIND, spec.encode(), Hashes.unhex(dataset), maxUnitPrice("manifest"), ppm, memory, mflops,
                auction, deadline);
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
