package io.verigrid.engine.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The specs and inputs the data tests share. */
final class PipelineFixtures {
    static final long SEED = 20240607L;

    private PipelineFixtures() {
    }

    static String tokenizerJson(String name) {
        try (InputStream in = PipelineFixtures.class.getResourceAsStream("/tokenizer/" + name + ".tokenizer.json")) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static InputDataset textInput(int count) {
        return InputDataset.texts(SyntheticCorpus.texts(SEED, count).texts())
                .withResources(Resources.ofTokenizers(tokenizerJson("gpt2-style"), tokenizerJson("llama3-style")));
    }

    /** normalize → exact dedup → MinHash dedup → filter → tokenize (GPT-2 style) → shuffle, 16 records a shard. */
    static PipelineSpec textSpec() {
        return textSpec(Resources.tokenizerSha256(tokenizerJson("gpt2-style")), 77L, Sharding.byRecords(16));
    }

    static PipelineSpec textSpec(String tokenizerSha, long shuffleSeed, Sharding sharding) {
        return new PipelineSpec(RecordType.TEXT, List.of(
                new Normalize(true, true, true),
                new ExactDedup(),
                new MinHashDedup(5, 128, 32, 11L, 700_000),
                new QualityFilter(20, 10_000, 600_000, 300_000),
                new Tokenize(tokenizerSha),
                new Shuffle(shuffleSeed)), sharding);
    }

    static InputDataset imageInput(int count) {
        return new InputDataset(SyntheticCorpus.images(SEED, count, 3, 12, 10, 4), Resources.none());
    }

    /** crop 8×8 → flip → noise → shuffle → mixup, 8 records a shard. */
    static PipelineSpec imageSpec() {
        return new PipelineSpec(RecordType.IMAGE, List.of(
                new RandomCrop(5L, 8, 8),
                new HorizontalFlip(6L, 500_000),
                new GaussianNoise(7L, 0.05f),
                new Shuffle(8L),
                new Mixup(9L, 0.4f)), Sharding.byRecords(8));
    }
}
