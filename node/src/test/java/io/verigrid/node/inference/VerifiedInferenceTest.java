package io.verigrid.node.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.generate.DecoderModel;
import io.verigrid.engine.generate.LogitAdjustments;
import io.verigrid.engine.generate.SamplingParams;
import io.verigrid.engine.generate.TinyLlama;
import io.verigrid.engine.tokenizer.Tokenizer;
import io.verigrid.ledger.AccountView;
import io.verigrid.ledger.InferenceViews;
import io.verigrid.node.gateway.ServedRequest;
import io.verigrid.node.http.Json;
import io.verigrid.verify.InferenceCommitments.ResponseLeaf;
import io.verigrid.verify.InferenceRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Verified inference end to end, through the real Ratis ledger and real HTTP: an OpenAI request is answered,
 * metered, settled in a per-block batch into a hold, sampled (p forced to 1), re-executed by the verifier and paid
 * after the window — and a provider serving a cheaper computation is challenged, bisected to one operator and slashed,
 * while an honest one challenged by a lying verifier keeps its stake.
 */
@Timeout(240)
class VerifiedInferenceTest {
    static final long TOKEN = InferenceNetwork.TOKEN;
    static final String CHAT = "{\"model\":\"tiny-llama\",\"messages\":[{\"role\":\"user\",\"content\":\"%s\"}],"
            + "\"max_tokens\":6,\"seed\":%d,\"temperature\":0.8}";
    @TempDir
    static Path dir;
    static Path model;
    static Path other;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void models() {
        model = dir.resolve("tiny-llama");
        other = dir.resolve("other-llama");
        TinyLlama.write(model, 11, 128);
        TinyLlama.write(other, 12, 128);
    }

    static InferenceNetwork start(Computation provider, Computation verifier) {
        InferenceNetwork.Options options = InferenceNetwork.Options.defaults(model, dir.resolve("net-" + UUID.randomUUID()))
                .withBlockMillis(100).withWindows(20, 30).withSampling(1_000_000).withProvider(provider).withVerifier(verifier);
        return InferenceNetwork.start(options, line -> System.out.println("   " + line));
    }

    HttpResponse<String> chat(InferenceNetwork net, String content, int seed) {
        return chat(net, content, seed, "");
    }

    /** {@code extra}: more request fields, each starting with a comma. */
    HttpResponse<String> chat(InferenceNetwork net, String content, int seed, String extra) {
        String body = CHAT.formatted(content, seed);
        body = body.substring(0, body.length() - 1) + extra + "}";
        HttpRequest request = HttpRequest.newBuilder(URI.create(net.baseUrl() + "/chat/completions"))
                .header("Authorization", "Bearer " + net.apiKey()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    static long escrow(InferenceNetwork net) {
        return net.ledger().inference("escrow:" + net.buyerAddress(), JsonNode.class).path("escrow").asLong();
    }

    static InferenceViews.DisputeView settledDispute(InferenceNetwork net) {
        await("the inference dispute to settle", () -> net.ledger().inferenceDisputes().stream().anyMatch(d -> !d.open()));
        return net.ledger().inferenceDisputes().get(0);
    }

    @Test
    void anHonestProviderIsSettledInBatchesVerifiedAndPaidAfterTheWindow() throws Exception {
        try (InferenceNetwork net = start(null, null)) {
            AccountView before = net.ledger().account(net.providerAddress());
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                int seed = i;
                // Two choices in one request, and a streamed one, go through the same settlement and sampling.
                String extra = i == 1 ? ",\"n\":2" : i == 3 ? ",\"stream\":true,\"stream_options\":{\"include_usage\":true}" : "";
                calls.add(CompletableFuture.supplyAsync(() -> chat(net, "hello " + seed, seed, extra)));
            }
            long billedTokens = 0;
            List<String> requests = new ArrayList<>();
            for (CompletableFuture<HttpResponse<String>> call : calls) {
                HttpResponse<String> response = call.get();
                assertEquals(200, response.statusCode(), response.body());
                String json = response.body().startsWith("data: ") ? response.body().lines()
                        .filter(line -> line.contains("\"usage\":{")).findFirst().orElseThrow().substring(6) : response.body();
                billedTokens += Json.MAPPER.readTree(json).path("usage").path("total_tokens").asLong();
                requests.add(response.headers().firstValue("x-verigrid-request").orElseThrow());
            }
            // The official OpenAI SDK, pointed at the network's base URL and key as OPENAI_BASE_URL / OPENAI_API_KEY would.
            OpenAIClient sdk = OpenAIOkHttpClient.builder().baseUrl(net.baseUrl()).apiKey(net.apiKey()).maxRetries(0).build();
            ChatCompletion viaSdk = sdk.chat().completions().create(ChatCompletionCreateParams.builder().model("tiny-llama")
                    .addUserMessage("hello from the SDK").maxCompletionTokens(5).seed(9L).build());
            billedTokens += viaSdk.usage().orElseThrow().totalTokens();
            await("every request to be re-executed by the verifier", () -> net.stats().get("verifier_matched") == 7);
            Map<String, Long> stats = net.stats();
            System.out.println("   stats " + stats);
            assertEquals(7, stats.get("settled_requests"));
            assertTrue(stats.get("settlement_transactions") < 7, "requests were settled in batches: " + stats);
            assertEquals(0, stats.get("verifier_challenged"));
            assertEquals(100 * TOKEN - billedTokens * 1_000, escrow(net), "each response's usage is charged from escrow");
            long billed = billedTokens * 1_000;
            await("the holds to be paid after the challenge window",
                    () -> net.ledger().inferenceList("holds", InferenceViews.HoldView.class).isEmpty());
            AccountView after = net.ledger().account(net.providerAddress());
            long fees = (after.nonce() - before.nonce()) * net.ledger().params().txFee();
            assertEquals(before.balance() + billed - fees, after.balance(), "the provider is paid every hold");
            assertEquals(150 * TOKEN, after.stake());
            assertTrue(net.ledger().inferenceDisputes().isEmpty());
            assertNotNull(requests.get(0));
        }
    }

    static Stream<String> cheats() {
        return Stream.of("other-weights", "skip-last-layer", "fewer-layers", "bf16-logits");
    }

    static Computation cheat(String name) {
        return switch (name) {
            case "other-weights" -> Computation.otherWeights(model, other);
            case "skip-last-layer" -> Computation.skipLastLayer(model);
            case "fewer-layers" -> Computation.fewerLayers(model);
            case "bf16-logits" -> Computation.bf16Logits(model);
            default -> throw new IllegalArgumentException(name);
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cheats")
    void aCheatingProviderIsCaughtSlashedAndTheBuyerRefunded(String cheat) throws Exception {
        try (InferenceNetwork net = start(cheat(cheat), null)) {
            HttpResponse<String> response = chat(net, "tell me a story", 42);
            assertEquals(200, response.statusCode(), response.body());
            InferenceViews.DisputeView dispute = settledDispute(net);
            System.out.println("   " + cheat + ": " + dispute.outcome() + " after " + dispute.rounds() + " rounds, position "
                    + dispute.position() + " operator " + dispute.operator() + ", slashed " + dispute.slashed());
            assertTrue(dispute.outcome().startsWith("CHALLENGER_WINS"), dispute.outcome());
            assertEquals(75 * TOKEN, net.ledger().account(net.providerAddress()).stake(), "half the stake slashed");
            await("the buyer's escrow to be refunded", () -> escrow(net) == 100 * TOKEN);
            assertTrue(net.ledger().inferenceList("holds", InferenceViews.HoldView.class).isEmpty());
        }
    }

    @Test
    void aProviderCheatingOnlyOnLongPromptsIsCaughtOnThoseAndPaidForTheRest() throws Exception {
        try (InferenceNetwork net = start(Computation.bf16LogitsOn(model, prompt -> prompt.length > 40), null)) {
            long billedHonest = 0;
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> response = chat(net, "hi " + i, i);
                assertEquals(200, response.statusCode(), response.body());
                billedHonest += Json.MAPPER.readTree(response.body()).path("usage").path("total_tokens").asLong() * 1_000;
            }
            HttpResponse<String> costly = chat(net, "tell me a long story about " + "the sea and the sky ".repeat(3), 9);
            assertEquals(200, costly.statusCode(), costly.body());
            InferenceViews.DisputeView dispute = settledDispute(net);
            System.out.println("   cheating on long prompts: " + dispute.outcome() + " after " + dispute.rounds() + " rounds");
            assertTrue(dispute.outcome().startsWith("CHALLENGER_WINS"), dispute.outcome());
            assertEquals(costly.headers().firstValue("x-verigrid-request").orElseThrow(), dispute.requestHash());
            assertEquals(1, net.ledger().inferenceDisputes().size(), "only the cheated request is disputed");
            await("the honest requests to be verified", () -> net.stats().get("verifier_matched") == 3);
            assertEquals(75 * TOKEN, net.ledger().account(net.providerAddress()).stake());
            await("the honest holds to be paid and the cheated one refunded",
                    () -> net.ledger().inferenceList("holds", InferenceViews.HoldView.class).isEmpty());
            assertEquals(100 * TOKEN - billedHonest, escrow(net), "the buyer pays for the honest answers only");
        }
    }

    @Test
    void aKeyNotOnTheLedgerAndAnExhaustedEscrowAreOpenAiErrors() throws Exception {
        InferenceNetwork.Options options = InferenceNetwork.Options.defaults(model, dir.resolve("net-" + UUID.randomUUID()))
                .withBlockMillis(100).withWindows(20, 30).withSampling(0).withEscrowUnits(60 * 1_000); // 60 tokens at 1000 each
        try (InferenceNetwork net = InferenceNetwork.start(options, line -> { })) {
            HttpRequest badKey = HttpRequest.newBuilder(URI.create(net.baseUrl() + "/chat/completions"))
                    .header("Authorization", "Bearer vg-0123456789abcdef0123456789abcdef")
                    .POST(HttpRequest.BodyPublishers.ofString(CHAT.formatted("hi", 1))).build();
            HttpResponse<String> refused = http.send(badKey, HttpResponse.BodyHandlers.ofString());
            assertEquals(401, refused.statusCode());
            assertEquals("invalid_api_key", Json.MAPPER.readTree(refused.body()).path("error").path("code").asText());
            HttpResponse<String> first = chat(net, "hi", 1);
            assertEquals(200, first.statusCode(), first.body());
            HttpResponse<String> second = chat(net, "hi", 2);
            assertEquals(200, second.statusCode(), second.body());
            long used = Json.MAPPER.readTree(first.body()).path("usage").path("total_tokens").asLong()
                    + Json.MAPPER.readTree(second.body()).path("usage").path("total_tokens").asLong();
            assertTrue(used <= 60, "the completion is capped by what the escrow still covers: " + used);
            HttpResponse<String> exhausted = chat(net, "hi again and again", 3);
            assertEquals(429, exhausted.statusCode(), exhausted.body());
            JsonNode error = Json.MAPPER.readTree(exhausted.body()).path("error");
            assertEquals("insufficient_quota", error.path("code").asText());
            assertEquals("insufficient_quota", error.path("type").asText());
        }
    }

    @Test
    void aStopStringEndsTheChoiceAndTheVerifiedRequestCarriesIt() throws Exception {
        try (InferenceNetwork net = start(null, null)) {
            HttpResponse<String> whole = chat(net, "tell me a story", 42);
            assertEquals(200, whole.statusCode(), whole.body());
            String content = Json.MAPPER.readTree(whole.body()).path("choices").get(0).path("message").path("content").asText();
            assertTrue(content.length() >= 2, "some text to cut: " + content);
            String stop = content.substring(content.length() / 2);
            HttpResponse<String> cut = chat(net, "tell me a story", 42, ",\"stop\":" + Json.MAPPER.writeValueAsString(stop));
            assertEquals(200, cut.statusCode(), cut.body());
            JsonNode choice = Json.MAPPER.readTree(cut.body()).path("choices").get(0);
            assertEquals("stop", choice.path("finish_reason").asText());
            String shorter = choice.path("message").path("content").asText();
            assertTrue(content.startsWith(shorter) && shorter.length() < content.length(), shorter + " | " + content);
            String hash = cut.headers().firstValue("x-verigrid-request").orElseThrow();
            await("both requests re-executed by the verifier", () -> net.stats().get("verifier_matched") == 2);
            assertEquals(0, net.stats().get("verifier_challenged"));
            InferenceViews.HoldView hold = net.ledger().inferenceHold(hash);
            assertNotNull(hold, "the request with its stop sequence is what was settled");
            assertEquals(Json.MAPPER.readTree(cut.body()).path("usage").path("completion_tokens").asInt(), hold.completionTokens());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"stop sequence", "end-of-sequence id"})
    void aProviderBillingTokensPastAStopIsChallengedAndSlashedThoughEveryTokenIsRight(String stop) throws Exception {
        try (InferenceNetwork net = start(null, null)) {
            // What a gateway that ignores the stop would serve: the right tokens, eight of them, though the request
            // says the choice ends where positions 2 and 3 complete the stop sequence (or at the end id drawn at 3).
            DecoderModel decoder = Computation.honest(model).decoder();
            int[] prompt = {1, 40, 41, 42, 43};
            SamplingParams sampling = new SamplingParams(0.8f, 0, 1f, 42);
            List<ResponseLeaf> free = FastReplay.leaves(decoder, new InferenceRequest("cmpl-free", prompt, 1, 8, sampling,
                    new int[0]), new int[] {8}, Parallelism.single());
            InferenceRequest request = stop.equals("stop sequence")
                    ? new InferenceRequest("cmpl-overrun", prompt, 1, 8, sampling, new int[0],
                            new int[][] {{free.get(2).token(), free.get(3).token()}})
                    : new InferenceRequest("cmpl-overrun", prompt, 1, 8, sampling, new int[] {free.get(3).token()});
            List<ResponseLeaf> overrun = FastReplay.leaves(decoder, request, new int[] {8}, Parallelism.single());
            assertEquals(free.get(7).token(), overrun.get(7).token());
            net.provider().settler().served(new ServedRequest(net.apiKey(), request, overrun, prompt.length, 8, null));
            InferenceViews.DisputeView dispute = settledDispute(net);
            System.out.println("   billed past the " + stop + ": " + dispute.outcome() + " after " + dispute.rounds() + " rounds");
            assertTrue(dispute.outcome().startsWith("CHALLENGER_WINS"), dispute.outcome());
            assertEquals(1, net.stats().get("verifier_challenged"));
            assertEquals(75 * TOKEN, net.ledger().account(net.providerAddress()).stake(), "half the stake slashed");
            await("the buyer's escrow to be refunded", () -> escrow(net) == 100 * TOKEN);
        }
    }

    @Test
    void aLogitBiasIsHonouredAndVerifiedAndAProviderIgnoringItIsSlashed() throws Exception {
        try (InferenceNetwork net = start(null, null)) {
            // Greedy decoding with token 33 biased by +100: every position draws it (the model's vocabulary is 128).
            HttpResponse<String> biased = chat(net, "tell me a story", 3,
                    ",\"temperature\":0,\"logit_bias\":{\"33\":100},\"frequency_penalty\":0.1");
            assertEquals(200, biased.statusCode(), biased.body());
            JsonNode choice = Json.MAPPER.readTree(biased.body()).path("choices").get(0);
            await("the biased request re-executed by the verifier", () -> net.stats().get("verifier_matched") == 1);
            assertEquals(0, net.stats().get("verifier_challenged"));
            int generated = Json.MAPPER.readTree(biased.body()).path("usage").path("completion_tokens").asInt();
            String piece = Tokenizer.load(model.resolve("tokenizer.json")).decode(new int[] {33});
            assertEquals(piece.repeat(generated), choice.path("message").path("content").asText(), "token 33 every time");

            // What a gateway that drops the bias would serve under the same request.
            DecoderModel decoder = Computation.honest(model).decoder();
            int[] prompt = {1, 40, 41, 42, 43};
            SamplingParams plain = new SamplingParams(0f, 0, 1f, 5);
            InferenceRequest request = new InferenceRequest("cmpl-unbiased", prompt, 1, 6,
                    plain.withAdjustments(new LogitAdjustments(new int[] {33}, new float[] {100f}, 0f, 0f)), new int[0]);
            List<ResponseLeaf> unbiased = FastReplay.leaves(decoder, new InferenceRequest("cmpl-unbiased", prompt, 1, 6, plain,
                    new int[0]), new int[] {6}, Parallelism.single());
            assertTrue(unbiased.stream().anyMatch(l -> l.token() != 33), "without the bias the model says something else");
            net.provider().settler().served(new ServedRequest(net.apiKey(), request, unbiased, prompt.length, 6, null));
            InferenceViews.DisputeView dispute = settledDispute(net);
            System.out.println("   bias dropped: " + dispute.outcome() + " after " + dispute.rounds() + " rounds, position "
                    + dispute.position() + " operator " + dispute.operator());
            assertTrue(dispute.outcome().startsWith("CHALLENGER_WINS"), dispute.outcome());
            assertEquals(75 * TOKEN, net.ledger().account(net.providerAddress()).stake(), "half the stake slashed");
        }
    }

    @Test
    void aStopStringTooLongOrMalformedIsAnOpenAiErrorBeforeAnyCharge() throws Exception {
        try (InferenceNetwork net = start(null, null)) {
            HttpResponse<String> tooLong = chat(net, "hi", 1, ",\"stop\":\"" + "q".repeat(400) + "\"");
            assertEquals(400, tooLong.statusCode(), tooLong.body());
            JsonNode error = Json.MAPPER.readTree(tooLong.body()).path("error");
            assertEquals("stop", error.path("param").asText());
            assertTrue(error.path("message").asText().contains("at most 64 tokens"), error.toString());
            HttpResponse<String> surrogate = chat(net, "hi", 1, ",\"stop\":\"\\ud800\"");
            assertEquals(400, surrogate.statusCode(), surrogate.body());
            assertEquals("stop", Json.MAPPER.readTree(surrogate.body()).path("error").path("param").asText());
            assertEquals(100 * TOKEN, escrow(net), "nothing charged");
        }
    }

    @Test
    void anHonestProviderChallengedByALyingVerifierKeepsItsStakeAndIsPaid() throws Exception {
        try (InferenceNetwork net = start(null, Computation.bf16Logits(model))) {
            HttpResponse<String> response = chat(net, "hello", 7);
            assertEquals(200, response.statusCode(), response.body());
            long billed = Json.MAPPER.readTree(response.body()).path("usage").path("total_tokens").asLong() * 1_000;
            InferenceViews.DisputeView dispute = settledDispute(net);
            System.out.println("   lying verifier: " + dispute.outcome() + " after " + dispute.rounds() + " rounds");
            assertTrue(dispute.outcome().startsWith("PROVIDER_WINS"), dispute.outcome());
            assertEquals(150 * TOKEN, net.ledger().account(net.providerAddress()).stake());
            assertEquals(1, net.ledger().account(net.verifier().address()).penalties().size());
            await("the hold to be paid", () -> net.ledger().inferenceList("holds", InferenceViews.HoldView.class).isEmpty());
            assertEquals(100 * TOKEN - billed, escrow(net), "the buyer pays for the honest answer");
        }
    }
}
