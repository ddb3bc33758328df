package io.verigrid.engine.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.verigrid.engine.Parallelism;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class PipelineTest {
    private static final InputDataset TEXT = PipelineFixtures.textInput(200);
    private static final InputDataset IMAGES = PipelineFixtures.imageInput(40);

    @Test
    void goldenHashesPinTheTextPipeline() {
        Manifest manifest = Pipeline.run(PipelineFixtures.textSpec(), TEXT).manifest();
        assertEquals("34b1eff891d1adbd61fb5f20ef0c879cd59dc7276d66b5d2c53265a6edf0f52a", manifest.inputSha256());
        assertEquals("e560d0e5f790e5d28271c068c53e4ad43fe7ff4984f06326f27cd9d937772248", manifest.specSha256());
        assertEquals("7deab3a8d2e6ca879c9db06fb4361fa3699076f341887393c2a20ad2e7004389", manifest.planSha256());
        assertEquals(9, manifest.shards().size());
        assertEquals(141, manifest.records());
        assertEquals("7e1a0875051f98f508d8ebe6cf04bd3db64c77dd6e785ae3450e1080bde4f3ae", manifest.shards().get(0).sha256());
        assertEquals("66ec18745d04c4982ede914fd64aa68efc899002e0291c49348b52faf24713ab", manifest.shards().get(8).sha256());
        assertEquals(3205, manifest.shards().get(0).tokens());
    }

    @Test
    void goldenHashesPinTheImagePipeline() {
        Manifest manifest = Pipeline.run(PipelineFixtures.imageSpec(), IMAGES).manifest();
        assertEquals("3d36dac3c30eab6378653ae22b9b4db5c4310628b8970534cb1e450e2fed9453", manifest.planSha256());
        assertEquals("4536232a879c4a985663cfead095228c19f09152fe4371694fbe4ee56c40515f", manifest.shards().get(0).sha256());
        assertEquals("87c847976b0442846ca1927ddd4100522f420ae6a08a03b17c609cbf7dbfad1e", manifest.shards().get(4).sha256());
    }

    @Test
    void everyShardRecomputedAloneEqualsTheFullRun() {
        for (PipelineSpec spec : List.of(PipelineFixtures.textSpec(), PipelineFixtures.imageSpec())) {
            InputDataset input = spec.input() == RecordType.TEXT ? TEXT : IMAGES;
            PipelineOutput full = Pipeline.run(spec, input);
            assertEquals(full.plan(), Pipeline.plan(spec, input), "the global pass alone gives the run's plan");
            for (Shard shard : full.shards()) {
                assertArrayEquals(shard.encode(), Pipeline.runShard(spec, input, shard.index()).encode());
                assertArrayEquals(shard.encode(), Pipeline.runShard(spec, input, full.plan(), shard.index()).encode());
            }
        }
    }

    @Test
    void aShardTraceHoldsTheShardsAncestorsAtEveryStep() {
        PipelineSpec spec = PipelineFixtures.imageSpec();
        PipelinePlan plan = Pipeline.plan(spec, IMAGES);
        ShardTrace trace = Pipeline.traceShard(spec, IMAGES, plan, 1);
        assertEquals(8, trace.recordsAfter(5).size());
        // Before the mixup the shard also needs its records' partners; never the whole dataset.
        int beforeMixup = trace.recordsAfter(4).size();
        assertTrue(beforeMixup >= 8 && beforeMixup <= 16, "ancestors before mixup: " + beforeMixup);
        assertEquals(beforeMixup, trace.recordsAfter(0).size());
        // Each step's list follows the plan's order at that step.
        int[] planOrder = plan.originsAfter(3);
        int last = -1;
        for (DataRecord record : trace.recordsAfter(3)) {
            int position = Arrays.stream(planOrder).boxed().toList().indexOf(record.origin());
            assertTrue(position > last);
            last = position;
        }
    }

    @Test
    void theThreadCountNeverChangesABit() {
        for (PipelineSpec spec : List.of(PipelineFixtures.textSpec(), PipelineFixtures.imageSpec())) {
            InputDataset input = spec.input() == RecordType.TEXT ? TEXT : IMAGES;
            String single = Pipeline.run(spec, input).manifest().toJson();
            for (int threads : new int[] {2, 3, 4}) {
                try (Parallelism parallelism = Parallelism.of(threads)) {
                    assertEquals(single, Pipeline.run(spec, input, parallelism, null).manifest().toJson(), threads + " threads");
                    assertEquals(Pipeline.plan(spec, input), Pipeline.plan(spec, input, parallelism, null));
                }
            }
        }
    }

    @Test
    void runsAreBitIdenticalAcrossRepetitionsAndThreads() throws Exception {
        String expected = Pipeline.run(PipelineFixtures.imageSpec(), IMAGES).manifest().toJson();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> runs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                runs.add(pool.submit(() -> Pipeline.run(PipelineFixtures.imageSpec(), IMAGES).manifest().toJson()));
            }
            List<Future<byte[]>> shards = new ArrayList<>();
            for (int k = 0; k < 5; k++) {
                int shard = k;
                shards.add(pool.submit(() -> Pipeline.runShard(PipelineFixtures.imageSpec(), IMAGES, shard).sha256()));
            }
            for (Future<String> run : runs) {
                assertEquals(expected, run.get());
            }
            Manifest manifest = Manifest.fromJson(expected);
            for (int k = 0; k < 5; k++) {
                assertEquals(manifest.shards().get(k).sha256(), Sha256.hex(shards.get(k).get()));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void plantedDuplicatesAndJunkNeverReachAShard() {
        SyntheticCorpus.Corpus corpus = SyntheticCorpus.texts(PipelineFixtures.SEED, 200);
        PipelineOutput out = Pipeline.run(PipelineFixtures.textSpec(), TEXT);
        Set<Integer> survivors = new HashSet<>();
        for (Shard shard : out.shards()) {
            for (int origin : shard.origins()) {
                survivors.add(origin);
            }
        }
        for (Set<Integer> planted : List.of(corpus.exactDuplicates(), corpus.nearDuplicates(), corpus.junk())) {
            for (int origin : planted) {
                assertFalse(survivors.contains(origin), "planted record " + origin + " survived");
            }
        }
        assertEquals(200 - corpus.exactDuplicates().size() - corpus.nearDuplicates().size() - corpus.junk().size(),
                survivors.size());
    }

    @Test
    void shuffledShardsHoldAPermutationOfTheSurvivors() {
        PipelineOutput out = Pipeline.run(PipelineFixtures.textSpec(), TEXT);
        int[] beforeShuffle = out.plan().originsAfter(5).clone();
        int[] afterShuffle = out.plan().originsAfter(6).clone();
        assertFalse(Arrays.equals(beforeShuffle, afterShuffle));
        Arrays.sort(beforeShuffle);
        Arrays.sort(afterShuffle);
        assertArrayEquals(beforeShuffle, afterShuffle);
    }

    @Test
    void tokenShardingRespectsTheBudgetAndRecomputesAlone() {
        PipelineSpec spec = PipelineFixtures.textSpec(
                Resources.tokenizerSha256(PipelineFixtures.tokenizerJson("llama3-style")), 5L, Sharding.byTokens(1500));
        PipelineOutput out = Pipeline.run(spec, TEXT);
        assertTrue(out.shards().size() > 5);
        for (Shard shard : out.shards()) {
            assertTrue(shard.tokenCount() <= 1500 || shard.size() == 1, "shard " + shard.index() + ": " + shard.tokenCount());
            assertArrayEquals(shard.sha256(), Pipeline.runShard(spec, TEXT, shard.index()).sha256());
        }
        String decoded = Resources.ofTokenizers(PipelineFixtures.tokenizerJson("llama3-style"))
                .tokenizer(Resources.tokenizerSha256(PipelineFixtures.tokenizerJson("llama3-style")))
                .decode(((TokenRecord) out.shards().get(0).records().get(0)).ids());
        assertFalse(decoded.isEmpty());
    }

    @Test
    void aDifferentTokenizerGivesDifferentShards() {
        PipelineSpec llama = PipelineFixtures.textSpec(
                Resources.tokenizerSha256(PipelineFixtures.tokenizerJson("llama3-style")), 77L, Sharding.byRecords(16));
        assertNotEquals(Pipeline.run(PipelineFixtures.textSpec(), TEXT).manifest().shards().get(0).sha256(),
                Pipeline.run(llama, TEXT).manifest().shards().get(0).sha256());
    }

    @Test
    void aMissingTokenizerIsNamedByItsHash() {
        InputDataset bare = InputDataset.texts(List.of("kalo mire sati vo ze pa ne ru ka lo mi"));
        String message = assertThrows(IllegalArgumentException.class,
                () -> Pipeline.run(PipelineFixtures.textSpec(), bare)).getMessage();
        assertTrue(message.startsWith("tokenizer_sha256: no tokenizer.json with hash "), message);
    }

    @Test
    void inputOfTheWrongTypeIsRejected() {
        String message = assertThrows(IllegalArgumentException.class,
                () -> Pipeline.run(PipelineFixtures.imageSpec(), TEXT)).getMessage();
        assertEquals("input: record 0 is text, the spec reads image", message);
    }

    @Test
    void faultsChangeTheShardOrThePlan() {
        PipelineSpec spec = PipelineFixtures.textSpec();
        PipelineOutput honest = Pipeline.run(spec, TEXT);
        int victim = honest.shards().get(2).origins()[3];
        PipelineOutput altered = Pipeline.run(spec, TEXT, new DataFault(4, victim, DataFault.Action.ALTER));
        assertEquals(honest.plan(), altered.plan());
        assertNotEquals(honest.manifest().shards().get(2).sha256(), altered.manifest().shards().get(2).sha256());
        PipelineOutput dropped = Pipeline.run(spec, TEXT, new DataFault(4, victim, DataFault.Action.DROP));
        assertEquals(honest.plan().countAfter(4) - 1, dropped.plan().countAfter(4));
        assertEquals(dropped.plan(), Pipeline.plan(spec, TEXT, new DataFault(4, victim, DataFault.Action.DROP)));
    }

    @Test
    void manifestPlanShardAndInputRoundTrip() {
        PipelineOutput out = Pipeline.run(PipelineFixtures.textSpec(), TEXT);
        assertEquals(out.manifest(), Manifest.fromJson(out.manifest().toJson()));
        assertEquals(out.plan(), PipelinePlan.decode(out.plan().encode()));
        Shard shard = out.shards().get(1);
        assertArrayEquals(shard.encode(), Shard.decode(shard.encode()).encode());
        assertArrayEquals(TEXT.encode(), InputDataset.decode(TEXT.encode(), Resources.none()).encode());
        assertArrayEquals(IMAGES.encode(), InputDataset.decode(IMAGES.encode(), Resources.none()).encode());
        assertTrue(out.manifest().toJson().startsWith("{\"input_sha256\":"), "keys in sorted order");
    }

    @Test
    void malformedRecordShardAndPlanBytesAreRejected() {
        byte[] hugeTokenCount = {2, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F};
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DataRecord.decode(hugeTokenCount)).getMessage()
                .startsWith("record: token count"));
        assertEquals("record: unknown type byte 9", assertThrows(IllegalArgumentException.class,
                () -> DataRecord.decode(new byte[] {9, 0, 0, 0, 0})).getMessage());
        byte[] shard = Pipeline.run(PipelineFixtures.imageSpec(), IMAGES).shards().get(0).encode();
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Shard.decode(Arrays.copyOf(shard, shard.length - 3))).getMessage().startsWith("shard: truncated"));
        byte[] plan = {1, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F};
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PipelinePlan.decode(plan)).getMessage()
                .startsWith("pipeline plan: list of"));
    }

    @Test
    void jsonLinesInputIsReadAndErrorsNameTheLine() {
        InputDataset input = InputDataset.fromJsonLines("{\"text\":\"ka lo\"}\n\n{\"text\":\"mi ne\"}\n");
        assertEquals(List.of(new TextRecord(0, "ka lo"), new TextRecord(1, "mi ne")), input.records());
        assertEquals("line 2.text: missing", assertThrows(IllegalArgumentException.class,
                () -> InputDataset.fromJsonLines("{\"text\":\"a\"}\n{\"txt\":\"b\"}")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> InputDataset.fromJsonLines("{\"text\":\"a\"")).getMessage().startsWith("line 1: not valid JSON"));
    }
}
