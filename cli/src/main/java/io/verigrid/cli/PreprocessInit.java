package io.verigrid.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.verigrid.engine.data.ExactDedup;
import io.verigrid.engine.data.MinHashDedup;
import io.verigrid.engine.data.Normalize;
import io.verigrid.engine.data.PipelineSpec;
import io.verigrid.engine.data.QualityFilter;
import io.verigrid.engine.data.RecordType;
import io.verigrid.engine.data.Sharding;
import io.verigrid.engine.data.Shuffle;
import io.verigrid.engine.data.SyntheticCorpus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code verigrid job init --kind preprocess}: a manifest for a text-cleaning pipeline (normalise, exact and MinHash
 * dedup, quality filter, seeded shuffle, 64 records per shard) over the buyer's corpus or, when none is named, a
 * seeded synthetic corpus written next to the manifest.
 */
final class PreprocessInit {
    static final int SYNTHETIC_RECORDS = 400;
    static final List<String> EXAMPLE_REPLICAS = List.of("http://127.0.0.1:8601", "http://127.0.0.1:8602");

    private PreprocessInit() {}

    static PipelineSpec defaultSpec() {
        return new PipelineSpec(RecordType.TEXT, List.of(new Normalize(true, true, true), new ExactDedup(),
                new MinHashDedup(5, 128, 32, 11L, 700_000), new QualityFilter(20, 10_000, 600_000, 300_000), new Shuffle(7L)),
                Sharding.byRecords(64));
    }

    static int write(Path manifest, Path input, List<String> replicas, String maxPrice) throws IOException {
        Path dir = manifest.toAbsolutePath().getParent();
        String inputName;
        if (input == null) {
            Path corpus = dir.resolve("corpus.jsonl");
            ObjectMapper json = new ObjectMapper();
            StringBuilder lines = new StringBuilder();
            for (String text : SyntheticCorpus.texts(42L, SYNTHETIC_RECORDS).texts()) lines.append(json.writeValueAsString(Map.of("text", text))).append('\n');
            Files.writeString(corpus, lines.toString());
            inputName = "corpus.jsonl";
            System.out.println("wrote " + corpus + " (" + SYNTHETIC_RECORDS + " synthetic records, seed 42)");
        } else {
            if (!Files.isRegularFile(input)) throw new IllegalArgumentException("--input " + input + " is not a file");
            inputName = dir.relativize(input.toAbsolutePath()).toString();
        }
        List<String> nodes = replicas.isEmpty() ? EXAMPLE_REPLICAS : replicas;
        Files.writeString(manifest, PreprocessManifest.template(defaultSpec(), inputName, nodes, maxPrice));
        System.out.println("wrote " + manifest + " (preprocess " + inputName + "; input replicas " + nodes + ")");
        return 0;
    }
}
