package io.verigrid.verify;

import io.verigrid.engine.data.DataFault;
import io.verigrid.engine.data.ExactDedup;
import io.verigrid.engine.data.GaussianNoise;
import io.verigrid.engine.data.HorizontalFlip;
import io.verigrid.engine.data.InputDataset;
import io.verigrid.engine.data.MinHashDedup;
import io.verigrid.engine.data.Mixup;
import io.verigrid.engine.data.Normalize;
import io.verigrid.engine.data.Pipeline;
import io.verigrid.engine.data.PipelinePlan;
import io.verigrid.engine.data.PipelineSpec;
import io.verigrid.engine.data.QualityFilter;
import io.verigrid.engine.data.RandomCrop;
import io.verigrid.engine.data.RecordType;
import io.verigrid.engine.data.Resources;
import io.verigrid.engine.data.Sharding;
import io.verigrid.engine.data.ShardTrace;
import io.verigrid.engine.data.Shuffle;
import io.verigrid.engine.data.SyntheticCorpus;
import io.verigrid.engine.data.Tokenize;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A seeded text job and image job, and one party's view (plan, shard trace, commitments) of a shard of either. */
final class PreprocessFixtures {
    static final String GPT2 = tokenizer("gpt2-style");
    static final String LLAMA3 = tokenizer("llama3-style");
    static final InputDataset TEXT = InputDataset.texts(SyntheticCorpus.texts(99L, 160).texts())
            .withResources(Resources.ofTokenizers(GPT2, LLAMA3));
    static final InputDataset IMAGES = new InputDataset(SyntheticCorpus.images(98L, 40, 3, 10, 10, 3), Resources.none());

    /** A party's view of one shard: what it computed and what it commits. */
    record View(PipelineSpec spec, PipelinePlan plan, ShardTrace shardTrace, PipelineTrace trace) {}

    private PreprocessFixtures() {}

    /** The engine's test tokenizers (the verify module reads them from the engine's test resources). */
    private static String tokenizer(String name) {
        try {
            return Files.readString(Path.of("..", "engine", "src", "test", "resources", "tokenizer", name + ".tokenizer.json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static PipelineSpec textSpec(String tokenizerJson, long shuffleSeed) {
        return new PipelineSpec(RecordType.TEXT, List.of(
                new Normalize(true, true, true),
                new ExactDedup(),
                new MinHashDedup(5, 128, 32, 11L, 700_000),
                new QualityFilter(20, 10_000, 600_000, 300_000),
                new Tokenize(Resources.tokenizerSha256(tokenizerJson)),
                new Shuffle(shuffleSeed)), Sharding.byRecords(20));
    }

    static PipelineSpec textSpec() {
        return textSpec(GPT2, 77L);
    }

    static PipelineSpec imageSpec() {
        return new PipelineSpec(RecordType.IMAGE, List.of(
                new RandomCrop(5L, 8, 8),
                new HorizontalFlip(6L, 500_000),
                new GaussianNoise(7L, 0.05f),
                new Shuffle(8L),
                new Mixup(9L, 0.4f)), Sharding.byRecords(20));
    }

    /** A party running {@code spec} on {@code input}, cheating with {@code fault} (null for an honest party). */
    static View view(PipelineSpec spec, InputDataset input, int shard, DataFault fault) {
        PipelinePlan plan = Pipeline.plan(spec, input, fault);
        ShardTrace shardTrace = Pipeline.traceShard(spec, input, plan, shard, fault);
        return new View(spec, plan, shardTrace, PipelineTrace.of(spec, plan, shardTrace));
    }
}
