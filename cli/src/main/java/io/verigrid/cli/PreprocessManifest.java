package io.verigrid.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.verigrid.engine.data.InputDataset;
import io.verigrid.engine.data.PipelineSpec;
import io.verigrid.ledger.PreprocessSpec;
import io.verigrid.ledger.tx.TxBody;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A buyer's preprocessing manifest ({@code kind: preprocess}; format in {@code docs/job-manifest.md}): the declared
 * pipeline (the JSON form of {@code PipelineSpec}, written as YAML), the input corpus (a JSON Lines file of
 * {@code {"text": …}} records, relative to the manifest) with the nodes that must hold it, what a provider must
 * offer, and the most the buyer pays per verified shard. Unknown fields are errors.
 */
record PreprocessManifest(@JsonProperty("kind") String kind, @JsonProperty("pipeline") JsonNode pipeline,
                          @JsonProperty("input") Input input, @JsonProperty("resources") JobManifest.Resources resources,
                          @JsonProperty("max_price_per_shard") String maxPricePerShard,
                          @JsonProperty("auction_blocks") Integer auctionBlocks,
                          @JsonProperty("deadline_blocks") Integer deadlineBlocks,
                          @JsonProperty("sampling_rate") Double samplingRate) {
    static final String KIND = "preprocess";
    static final int ORDER_KIND = 4; // PreprocessRules.KIND_PREPROCESS on the ledger
    private static final long GIB = 1L << 30;

    /**
     * The input corpus: a JSON Lines file, the replica nodes that must hold it and the tokenizer.json files a
     * {@code tokenize} step names (by SHA-256), all relative to the manifest.
     */
    record Input(@JsonProperty("file") String file, @JsonProperty("replicas") List<String> replicas,
                 @JsonProperty("tokenizers") List<String> tokenizers) {}

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** True when the manifest at {@code file} says {@code kind: preprocess}. */
    static boolean isPreprocess(Path file) {
        try {
            return KIND.equals(YAML.readTree(Files.readString(file)).path("kind").asText());
        } catch (IOException e) {
            return false; // JobManifest.read reports the problem
        }
    }

    static PreprocessManifest read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read manifest " + file + ": " + e.getMessage());
        }
        PreprocessManifest m;
        try {
            m = YAML.readValue(text, PreprocessManifest.class);
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException(file + ": unknown field '" + e.getPropertyName() + "' (known: " + e.getKnownPropertyIds() + ")");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not a valid manifest: " + e.getOriginalMessage());
        }
        if (m == null) throw new IllegalArgumentException(file + ": the manifest is empty");
        m.validate(file.toString());
        return m;
    }

    private void validate(String source) {
        if (!KIND.equals(kind)) throw new IllegalArgumentException(source + ": kind must be " + KIND + ", got " + kind);
        if (pipeline == null || !pipeline.isObject()) throw new IllegalArgumentException(source + ": pipeline is required (steps and sharding)");
        spec(source);
        if (input == null || input.file() == null || input.file().isBlank()) {
            throw new IllegalArgumentException(source + ": input.file must name a JSON Lines corpus");
        }
        List<String> replicas = input.replicas() == null ? List.of() : input.replicas();
        for (String r : replicas) {
            if (r == null || !r.matches("https?://\\S+")) throw new IllegalArgumentException(source + ": input.replicas entries must be http(s) URLs, got " + r);
        }
        if (replicas.stream().distinct().count() != replicas.size()) throw new IllegalArgumentException(source + ": input.replicas names a node twice");
        if (replicas.size() < JobManifest.MIN_REPLICAS) {
            throw new IllegalArgumentException(source + ": input.replicas names " + replicas.size() + " node(s); the input must be held by at least "
                    + JobManifest.MIN_REPLICAS);
        }
        if (maxPricePerShard == null) throw new IllegalArgumentException(source + ": max_price_per_shard is required");
        maxShardPrice(source);
        if (samplingRate != null && (samplingRate < 0 || samplingRate > 1)) {
            throw new IllegalArgumentException(source + ": sampling_rate must be in 0..1, got " + samplingRate);
        }
        if (auctionBlocks != null && auctionBlocks < 1) throw new IllegalArgumentException(source + ": auction_blocks must be at least 1, got " + auctionBlocks);
        if (deadlineBlocks != null && deadlineBlocks < 1) throw new IllegalArgumentException(source + ": deadline_blocks must be at least 1, got " + deadlineBlocks);
    }

    PipelineSpec spec(String source) {
        try {
            return PipelineSpec.fromJson(pipeline.toString());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": pipeline: " + e.getMessage());
        }
    }

    long maxShardPrice(String source) {
        try {
            BigDecimal units = new BigDecimal(maxPricePerShard.trim()).movePointRight(9);
            if (units.signum() <= 0) throw new IllegalArgumentException(source + ": max_price_per_shard must be positive, got " + maxPricePerShard);
            return units.longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(source + ": max_price_per_shard must be a token amount with at most 9 decimals, got " + maxPricePerShard);
        }
    }

    /** The input corpus the manifest names, with its tokenizers, read relative to {@code manifestFile}. */
    InputDataset readInput(Path manifestFile) {
        Path dir = manifestFile.toAbsolutePath().getParent();
        Path file = dir.resolve(input.file());
        try {
            InputDataset records = InputDataset.fromJsonLines(Files.readString(file));
            if (input.tokenizers() == null || input.tokenizers().isEmpty()) return records;
            List<String> jsons = new ArrayList<>();
            for (String t : input.tokenizers()) jsons.add(Files.readString(dir.resolve(t)));
            return records.withResources(io.verigrid.engine.data.Resources.ofTokenizers(jsons.toArray(String[]::new)));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read input file " + file + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("input file " + file + ": " + e.getMessage());
        }
    }

    /** The order for the input published as {@code blob}: {@code n} records with records root {@code inputRoot}. */
    TxBody.PostOrder toOrder(int n, byte[] inputRoot, TxBody.DatasetBlob blob) {
        long memory = resources == null || resources.memoryGib() == null ? 0 : (long) (resources.memoryGib() * GIB);
        long mflops = resources == null || resources.minGflops() == null ? 0 : (long) (resources.minGflops() * 1000);
        int auction = auctionBlocks == null ? 5 : auctionBlocks;
        int deadline = deadlineBlocks == null ? 600 : deadlineBlocks;
        int ppm = samplingRate == null ? 100_000 : (int) Math.round(samplingRate * 1_000_000);
        return new TxBody.PostOrder(ORDER_KIND, new PreprocessSpec(n, spec("manifest")).encode(), inputRoot, maxShardPrice("manifest"),
                ppm, memory, mflops, auction, deadline, blob);
    }

    /** A manifest for {@code spec} over the corpus {@code inputFile}: what {@code verigrid job init --kind preprocess} writes. */
    static String template(PipelineSpec spec, String inputFile, List<String> replicas, String maxPrice) {
        String pipelineYaml;
        try {
            ObjectMapper yaml = new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER));
            pipelineYaml = yaml.writeValueAsString(new ObjectMapper().readTree(spec.toJson())).stripTrailing();
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the pipeline as YAML", e);
        }
        List<String> lines = new ArrayList<>(List.of("# Verigrid preprocessing manifest: docs/job-manifest.md", "kind: preprocess", "pipeline:"));
        pipelineYaml.lines().forEach(l -> lines.add("  " + l));
        lines.add("input:");
        lines.add("  file: " + inputFile);
        lines.add("  replicas:");
        replicas.forEach(r -> lines.add("    - " + r));
        lines.addAll(List.of("resources:", "  memory_gib: 0.25", "  min_gflops: 0.1", "max_price_per_shard: \"" + maxPrice + "\"",
                "auction_blocks: 5", "deadline_blocks: 600", "sampling_rate: 0.5", ""));
        return String.join("\n", lines);
    }
}
