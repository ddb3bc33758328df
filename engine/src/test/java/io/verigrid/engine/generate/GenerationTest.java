package io.verigrid.engine.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.verigrid.engine.Parallelism;
import io.verigrid.engine.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerationTest {
    @TempDir
    static Path dir;
    static LlamaDecoder model;
    static Tokenizer tokenizer;

    @BeforeAll
    static void writeTinyModel() {
        TinyLlama.write(dir, 11);
        model = LlamaDecoder.load(dir);
        tokenizer = Tokenizer.load(dir.resolve("tokenizer.json"));
    }

    private static int[] prompt(String text) {
        return tokenizer.encode(text);
    }

    private static GenerationRequest request(String text, int n, int maxTokens, SamplingParams sampling) {
        return new GenerationRequest(prompt(text), n, maxTokens, sampling, Set.of(), List.of(), 0);
    }

    private static List<TokenEvent> runAlone(GenerationRequest request, Parallelism par) {
        List<TokenEvent> events = new ArrayList<>();
        new Generation(model, tokenizer, request, events::add).runAlone(model, par);
        return events;
    }

    @Test
    void tinyModelFilesLoadAndTheTokenizerCoversTheVocabulary() {
        assertEquals(tokenizer.vocabSize(), model.vocabSize());
        assertEquals("hello verigrid", tokenizer.decode(prompt("hello verigrid")));
        assertTrue(prompt(" the model").length < " the model".length(), "merges must shorten common words");
    }

    @Test
    void tinyModelIsTheSameBytesForTheSameSeed(@TempDir Path other) throws Exception {
        TinyLlama.write(other, 11);
        for (String file : List.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json")) {
            assertArrayEquals(java.nio.file.Files.readAllBytes(dir.resolve(file)),
                    java.nio.file.Files.readAllBytes(other.resolve(file)), file);
        }
    }

    @Test
    void incrementalDecodeGivesTheBitsOfOneLongPrefill() {
        int[] ids = prompt("hello the model token hash");
        KvCache whole = model.newCache();
        float[] full = model.decode(List.of(whole), List.of(ids), Parallelism.single())[0];
        KvCache stepwise = model.newCache();
        float[] last = null;
        for (int id : ids) {
            last = model.decode(List.of(stepwise), List.<int[]>of(new int[] {id}), Parallelism.single())[0];
        }
        assertArrayEquals(full, last);
    }

    @Test
    void eachSequenceOfABatchHasTheBitsItHasAlone() {
        String[] texts = {"hello", "the model is", "verigrid hash token tool", "user", "assistant says the"};
        float[][] alone = new float[texts.length][];
        for (int i = 0; i < texts.length; i++) {
            alone[i] = model.decode(List.of(model.newCache()), List.of(prompt(texts[i])), Parallelism.single())[0];
        }
        try (Parallelism four = Parallelism.of(4)) {
            List<KvCache> caches = new ArrayList<>();
            List<int[]> inputs = new ArrayList<>();
            for (int i = texts.length - 1; i >= 0; i--) {
                caches.add(model.newCache());
                inputs.add(prompt(texts[i]));
            }
            float[][] batched = model.decode(caches, inputs, four);
            for (int i = 0; i < texts.length; i++) {
                assertArrayEquals(alone[i], batched[texts.length - 1 - i], texts[i]);
            }
        }
    }

    @Test
    void sameSeedSameTokensAndAnotherSeedOthers() {
        SamplingParams a = new SamplingParams(1f, 0, 1f, 42);
        List<TokenEvent> first = runAlone(request("hello", 1, 12, a), Parallelism.single());
        List<TokenEvent> again;
        try (Parallelism three = Parallelism.of(3)) {
            again = runAlone(request("hello", 1, 12, a), three);
        }
        assertEquals(tokens(first), tokens(again));
        for (int i = 0; i < first.size(); i++) {
            assertArrayEquals(first.get(i).logits(), again.get(i).logits());
        }
        List<TokenEvent> other = runAlone(request("hello", 1, 12, new SamplingParams(1f, 0, 1f, 43)), Parallelism.single());
        assertNotEquals(tokens(first), tokens(other));
    }

    @Test
    void greedyIsTheArgmaxOfEveryPosition() {
        List<TokenEvent> events = runAlone(request("the model", 1, 8, SamplingParams.greedy(5)), Parallelism.single());
        for (TokenEvent event : events) {
            assertEquals(Sampler.argmax(event.logits()), event.pick().token());
        }
        List<TokenEvent> otherSeed = runAlone(request("the model", 1, 8, SamplingParams.greedy(99)), Parallelism.single());
        assertEquals(tokens(events), tokens(otherSeed));
    }

    @Test
    void choicesOfOneRequestDifferAndEachIsReproducibleAlone() {
        SamplingParams sampling = new SamplingParams(1.2f, 0, 1f, 7);
        List<TokenEvent> events = new ArrayList<>();
        Generation three = new Generation(model, tokenizer, request("hash", 3, 10, sampling), events::add);
        three.runAlone(model, Parallelism.single());
        assertEquals(30, three.completionTokens());
        assertNotEquals(List.of(three.choices().get(0).tokens()).toString(), List.of(three.choices().get(1).tokens()).toString());
        assertFalse(java.util.Arrays.equals(three.choices().get(1).tokens(), three.choices().get(2).tokens()));
        Generation one = new Generation(model, tokenizer, request("hash", 1, 10, sampling), e -> { });
        one.runAlone(model, Parallelism.single());
        assertArrayEquals(three.choices().get(0).tokens(), one.choices().get(0).tokens());
    }

    @Test
    void stopTokenEndsTheChoiceWithoutText() {
        List<TokenEvent> free = runAlone(request("hello", 1, 6, SamplingParams.greedy(0)), Parallelism.single());
        int third = free.get(2).pick().token();
        GenerationRequest stopping = new GenerationRequest(prompt("hello"), 1, 6, SamplingParams.greedy(0), Set.of(third),
                List.of(), 0);
        Generation generation = new Generation(model, tokenizer, stopping, e -> { });
        generation.runAlone(model, Parallelism.single());
        Choice choice = generation.choices().get(0);
        int firstStop = tokens(free).indexOf(third);
        assertEquals(firstStop + 1, choice.tokens().length);
        assertEquals(FinishReason.STOP, choice.finish());
        assertEquals(tokenizer.decode(java.util.Arrays.copyOf(choice.tokens(), firstStop)), choice.text());
    }

    @Test
    void stopStringCutsTheTextAndIsNeverStreamed() {
        Generation free = new Generation(model, tokenizer, request("hello", 1, 10, SamplingParams.greedy(0)), e -> { });
        free.runAlone(model, Parallelism.single());
        String text = free.choices().get(0).text();
        String stop = text.substring(3, 5);
        List<TokenEvent> events = new ArrayList<>();
        GenerationRequest stopping = new GenerationRequest(prompt("hello"), 1, 10, SamplingParams.greedy(0), Set.of(),
                List.of(stop), 0);
        Generation generation = new Generation(model, tokenizer, stopping, events::add);
        generation.runAlone(model, Parallelism.single());
        String expected = text.substring(0, text.indexOf(stop));
        assertEquals(expected, generation.choices().get(0).text());
        assertEquals(FinishReason.STOP, generation.choices().get(0).finish());
        StringBuilder streamed = new StringBuilder();
        events.forEach(event -> streamed.append(event.textDelta()));
        assertEquals(expected, streamed.toString());
    }

    @Test
    void maxTokensEndsWithLengthAndAFullContextIsRefused() {
        Generation generation = new Generation(model, tokenizer, request("hello", 1, 4, SamplingParams.greedy(0)), e -> { });
        generation.runAlone(model, Parallelism.single());
        assertEquals(FinishReason.LENGTH, generation.choices().get(0).finish());
        assertEquals(4, generation.completionTokens());
        int[] full = new int[model.contextLength()];
        GenerationRequest tooLong = new GenerationRequest(full, 1, 1, SamplingParams.greedy(0), Set.of(), List.of(), 0);
        assertThrows(IllegalArgumentException.class, () -> new Generation(model, tokenizer, tooLong, e -> { }));
    }

    @Test
    void cancelledGenerationStopsAtTheNextStep() {
        Generation generation = new Generation(model, tokenizer, request("hello", 1, 50, SamplingParams.greedy(0)), e -> { });
        Generation.step(model, List.of(generation), Parallelism.single());
        Generation.step(model, List.of(generation), Parallelism.single());
        generation.cancel();
        assertEquals(0, Generation.step(model, List.of(generation), Parallelism.single()));
        assertEquals(2, generation.completionTokens());
        assertEquals(FinishReason.CANCELLED, generation.choices().get(0).finish());
    }

    @Test
    void hiddenStatesHaveOneRowPerToken() {
        int[] ids = prompt("hello the model");
        assertArrayEquals(new int[] {ids.length, model.config().hiddenSize()}, model.hiddenStates(ids, Parallelism.single()).shape());
    }

    private static List<Integer> tokens(List<TokenEvent> events) {
        return events.stream().map(event -> event.pick().token()).toList();
    }
}
