package io.verigrid.engine.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PipelineSpecTest {
    private static final String TOKENIZER = "ab".repeat(32);

    private static String rejection(String json) {
        return assertThrows(IllegalArgumentException.class, () -> PipelineSpec.fromJson(json)).getMessage();
    }

    private static String textSpecJson(String steps) {
        return "{\"version\":1,\"input\":\"text\",\"steps\":[" + steps + "],\"sharding\":{\"records\":4}}";
    }

    @Test
    void textAndImageSpecsRoundTripThroughBytesAndJson() {
        for (PipelineSpec spec : List.of(PipelineFixtures.textSpec(), PipelineFixtures.imageSpec())) {
            assertEquals(spec.steps(), PipelineSpec.decode(spec.encode()).steps());
            assertArrayEquals(spec.encode(), PipelineSpec.decode(spec.encode()).encode());
            assertArrayEquals(spec.encode(), PipelineSpec.fromJson(spec.toJson()).encode());
        }
    }

    @Test
    void canonicalBytesStartWithVersionTypeAndLittleEndianCount() {
        byte[] bytes = PipelineFixtures.imageSpec().encode();
        assertArrayEquals(new byte[] {1, 3, 5, 0, 0, 0}, Arrays.copyOf(bytes, 6));
    }

    @Test
    void jsonSpecReadsEveryStep() {
        PipelineSpec spec = PipelineSpec.fromJson(textSpecJson(
                "{\"step\":\"normalize\",\"nfc\":true,\"collapse_whitespace\":true,\"lowercase\":false},"
                        + "{\"step\":\"dedup_exact\"},"
                        + "{\"step\":\"dedup_minhash\",\"shingle\":5,\"hashes\":64,\"bands\":16,\"seed\":3,\"threshold_ppm\":800000},"
                        + "{\"step\":\"filter\",\"min_chars\":1,\"max_chars\":100,\"min_alnum_ppm\":0,\"max_repeated_line_ppm\":1000000},"
                        + "{\"step\":\"tokenize\",\"tokenizer_sha256\":\"" + TOKENIZER + "\"},"
                        + "{\"step\":\"shuffle\",\"seed\":-5}"));
        assertEquals(List.of(new Normalize(true, true, false), new ExactDedup(), new MinHashDedup(5, 64, 16, 3, 800_000),
                new QualityFilter(1, 100, 0, 1_000_000), new Tokenize(TOKENIZER), new Shuffle(-5)), spec.steps());
        assertEquals(Sharding.byRecords(4), spec.sharding());
    }

    @Test
    void unknownStepIsRejectedByPathAndName() {
        String message = rejection(textSpecJson("{\"step\":\"dedup\"}"));
        assertTrue(message.startsWith("spec.steps[0].step: unknown step \"dedup\""), message);
        assertTrue(message.contains("dedup_minhash"), message);
    }

    @Test
    void unknownAndMissingFieldsAreRejectedByPath() {
        String unknown = rejection(textSpecJson("{\"step\":\"shuffle\",\"seed\":1,\"sead\":2}"));
        assertTrue(unknown.startsWith("spec.steps[0].sead: unknown field for step shuffle"), unknown);
        String missing = rejection(textSpecJson("{\"step\":\"normalize\",\"nfc\":true,\"lowercase\":true}"));
        assertEquals("spec.steps[0].collapse_whitespace: missing", missing);
        String topLevel = rejection("{\"version\":1,\"input\":\"text\",\"steps\":[],\"sharding\":{\"records\":4},\"x\":1}");
        assertTrue(topLevel.startsWith("spec.x: unknown field"), topLevel);
    }

    @Test
    void badValuesAreRejectedNamingTheField() {
        assertTrue(rejection(textSpecJson("{\"step\":\"shuffle\",\"seed\":\"7\"}")).startsWith("spec.steps[0].seed: must be"));
        assertTrue(rejection(textSpecJson(
                "{\"step\":\"dedup_minhash\",\"shingle\":5,\"hashes\":64,\"bands\":10,\"seed\":3,\"threshold_ppm\":8}"))
                .startsWith("bands: must divide hashes"));
        assertTrue(rejection(textSpecJson("{\"step\":\"tokenize\",\"tokenizer_sha256\":\"xyz\"}"))
                .startsWith("tokenizer_sha256: must be 64 lower-case hex digits"));
        assertTrue(rejection("{\"version\":2,\"input\":\"text\",\"steps\":[],\"sharding\":{\"records\":4}}")
                .startsWith("spec.version: 2 is not 1"));
        assertTrue(rejection("{\"version\":1,\"input\":\"audio\",\"steps\":[],\"sharding\":{\"records\":4}}")
                .startsWith("spec.input: unknown record type \"audio\""));
        assertTrue(rejection("{\"version\":1,\"input\":\"text\",\"steps\":[],\"sharding\":{\"records\":4,\"tokens\":9}}")
                .startsWith("spec.sharding: give exactly one of records, tokens"));
        assertTrue(rejection("{\"version\":1,").startsWith("pipeline spec json: not valid JSON"));
    }

    @Test
    void stepsMustAcceptTheRecordTypeTheyReceive() {
        String message = assertThrows(IllegalArgumentException.class, () -> new PipelineSpec(RecordType.TEXT,
                List.of(new RandomCrop(1, 4, 4)), Sharding.byRecords(2))).getMessage();
        assertEquals("steps[0] random_crop: reads image records but receives text", message);
        String afterTokens = assertThrows(IllegalArgumentException.class, () -> new PipelineSpec(RecordType.TEXT,
                List.of(new Tokenize(TOKENIZER), new ExactDedup()), Sharding.byRecords(2))).getMessage();
        assertEquals("steps[1] dedup_exact: reads text records but receives tokens", afterTokens);
        String tokenSharding = assertThrows(IllegalArgumentException.class, () -> new PipelineSpec(RecordType.TEXT,
                List.of(new Normalize(true, true, true)), Sharding.byTokens(100))).getMessage();
        assertTrue(tokenSharding.startsWith("sharding.tokens: needs token records"), tokenSharding);
    }

    @Test
    void malformedBytesAreRejected() {
        byte[] good = PipelineFixtures.textSpec().encode();
        assertThrows(IllegalArgumentException.class, () -> PipelineSpec.decode(Arrays.copyOf(good, good.length - 1)));
        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PipelineSpec.decode(trailing)).getMessage()
                .contains("trailing"));
        byte[] badVersion = good.clone();
        badVersion[0] = 9;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PipelineSpec.decode(badVersion)).getMessage()
                .contains("version 9"));
    }

    @Test
    void specHashChangesWithAnyParameter() {
        PipelineSpec base = PipelineFixtures.textSpec();
        PipelineSpec otherSeed = PipelineFixtures.textSpec(((Tokenize) base.steps().get(4)).tokenizerSha256(), 78L,
                Sharding.byRecords(16));
        assertTrue(!Arrays.equals(base.sha256(), otherSeed.sha256()));
    }
}
