package io.verigrid.node.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.verigrid.node.http.Json;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The gateway over raw HTTP: determinism, commitments, server-sent events and every error status. */
@Timeout(60)
class GatewayHttpTest {
    @TempDir
    static Path root;
    static TinyGateway gateway;

    @BeforeAll
    static void start() {
        gateway = new TinyGateway(root, 256);
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    static String chat(String extra) {
        return "{\"model\":\"tiny-llama\",\"messages\":[{\"role\":\"user\",\"content\":\"hello the model\"}],"
                + "\"max_tokens\":10" + extra + "}";
    }

    static void assertError(HttpResponse<String> response, int status, String type, String code) {
        assertEquals(status, response.statusCode(), response.body());
        JsonNode error = TinyGateway.json(response).path("error");
        assertEquals(type, error.path("type").asText(), response.body());
        if (code != null) {
            assertEquals(code, error.path("code").asText(), response.body());
        }
        assertTrue(error.has("message") && error.has("param"), response.body());
    }

    @Test
    void sameRequestTwiceGivesTheSameTokensAndCommitment() {
        HttpResponse<String> first = gateway.post("/chat/completions", chat(",\"seed\":9,\"logprobs\":true"));
        HttpResponse<String> second = gateway.post("/chat/completions", chat(",\"seed\":9,\"logprobs\":true"));
        assertEquals(200, first.statusCode(), first.body());
        String commitment = first.headers().firstValue("x-verigrid-commitment").orElseThrow();
        assertEquals(64, commitment.length());
        assertEquals(commitment, second.headers().firstValue("x-verigrid-commitment").orElseThrow());
        assertEquals(TinyGateway.json(first).path("choices"), TinyGateway.json(second).path("choices"));
        assertEquals(commitment, TinyGateway.json(first).path("verigrid").path("commitment").asText());
    }

    @Test
    void anotherSeedChangesTokensAndCommitment() {
        JsonNode a = TinyGateway.json(gateway.post("/chat/completions", chat(",\"seed\":1,\"logprobs\":true")));
        JsonNode b = TinyGateway.json(gateway.post("/chat/completions", chat(",\"seed\":2,\"logprobs\":true")));
        assertNotEquals(a.path("choices"), b.path("choices"));
        assertNotEquals(a.path("verigrid").path("commitment"), b.path("verigrid").path("commitment"));
    }

    @Test
    void withoutASeedTheGatewayPicksOneAndReturnsIt() {
        HttpResponse<String> picked = gateway.post("/chat/completions", chat(""));
        long seed = Long.parseLong(picked.headers().firstValue("x-verigrid-seed").orElseThrow());
        HttpResponse<String> replay = gateway.post("/chat/completions", chat(",\"seed\":" + seed));
        assertEquals(picked.headers().firstValue("x-verigrid-commitment"), replay.headers().firstValue("x-verigrid-commitment"));
        assertEquals(TinyGateway.json(picked).path("choices"), TinyGateway.json(replay).path("choices"));
    }

    @Test
    void greedyEqualsTemperatureZeroAndTopKOne() {
        JsonNode zero = TinyGateway.json(gateway.post("/chat/completions", chat(",\"temperature\":0,\"seed\":1")));
        JsonNode topK = TinyGateway.json(gateway.post("/chat/completions", chat(",\"temperature\":1.5,\"top_k\":1,\"seed\":2")));
        assertEquals(zero.path("choices"), topK.path("choices"));
        assertEquals(zero.path("verigrid").path("commitment"), topK.path("verigrid").path("commitment"));
    }

    @Test
    void nChoicesStopAndTopLogprobs() {
        JsonNode body = TinyGateway.json(gateway.post("/chat/completions",
                chat(",\"n\":3,\"seed\":4,\"logprobs\":true,\"top_logprobs\":2")));
        assertEquals(3, body.path("choices").size());
        JsonNode first = body.path("choices").get(0).path("logprobs").path("content").get(0);
        assertEquals(2, first.path("top_logprobs").size());
        assertTrue(first.path("logprob").asDouble() <= 0);
        assertEquals(body.path("usage").path("completion_tokens").asInt(), body.path("choices").findValues("content").stream()
                .filter(JsonNode::isArray).mapToInt(JsonNode::size).sum());
        String text = body.path("choices").get(0).path("message").path("content").asText();
        if (text.length() > 4) {
            String stop = text.substring(2, 4);
            JsonNode stopped = TinyGateway.json(gateway.post("/chat/completions",
                    chat(",\"seed\":4,\"stop\":" + Json.write(stop))));
            JsonNode choice = stopped.path("choices").get(0);
            assertEquals(text.substring(0, text.indexOf(stop)), choice.path("message").path("content").asText());
            assertEquals("stop", choice.path("finish_reason").asText());
        }
    }

    @Test
    void streamedEventsEndWithDoneAndUsageAndCarryTheCommitment() {
        HttpResponse<String> whole = gateway.post("/chat/completions", chat(",\"seed\":6"));
        HttpResponse<String> stream = gateway.post("/chat/completions",
                chat(",\"seed\":6,\"stream\":true,\"stream_options\":{\"include_usage\":true}"));
        assertEquals(200, stream.statusCode());
        assertTrue(stream.headers().firstValue("content-type").orElseThrow().startsWith("text/event-stream"));
        List<String> events = stream.body().lines().filter(line -> !line.isEmpty()).toList();
        events.forEach(line -> assertTrue(line.startsWith("data: "), line));
        assertEquals("data: [DONE]", events.get(events.size() - 1));
        StringBuilder text = new StringBuilder();
        JsonNode last = null;
        for (String line : events.subList(0, events.size() - 1)) {
            last = parse(line.substring(6));
            last.path("choices").forEach(choice -> text.append(choice.path("delta").path("content").asText("")));
        }
        assertEquals(TinyGateway.json(whole).path("choices").get(0).path("message").path("content").asText(), text.toString());
        assertEquals(0, last.path("choices").size());
        assertEquals(TinyGateway.json(whole).path("usage"), last.path("usage"));
        assertEquals(whole.headers().firstValue("x-verigrid-commitment").orElseThrow(),
                last.path("verigrid").path("commitment").asText());
    }

    @Test
    void completionsAndTheirStream() {
        String request = "{\"model\":\"tiny-llama\",\"prompt\":\"the model\",\"max_tokens\":5,\"seed\":3,\"logprobs\":2";
        JsonNode body = TinyGateway.json(gateway.post("/completions", request + "}"));
        assertEquals("text_completion", body.path("object").asText());
        assertEquals(5, body.path("choices").get(0).path("logprobs").path("tokens").size());
        HttpResponse<String> stream = gateway.post("/completions", request + ",\"stream\":true}");
        StringBuilder text = new StringBuilder();
        stream.body().lines().filter(line -> line.startsWith("data: {"))
                .forEach(line -> parse(line.substring(6)).path("choices").forEach(c -> text.append(c.path("text").asText())));
        assertEquals(body.path("choices").get(0).path("text").asText(), text.toString());
    }

    @Test
    void toolsReachTheChatTemplate() {
        String tool = "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\"}}}";
        JsonNode without = TinyGateway.json(gateway.post("/chat/completions", chat(",\"seed\":1,\"max_tokens\":1")));
        JsonNode with = TinyGateway.json(gateway.post("/chat/completions", chat(",\"seed\":1,\"max_tokens\":1,\"tools\":[" + tool + "]")));
        assertTrue(with.path("usage").path("prompt_tokens").asInt() > without.path("usage").path("prompt_tokens").asInt() + 5);
    }

    @Test
    void embeddingsAreMeanPooledAndDeterministic() {
        String request = "{\"model\":\"tiny-llama\",\"input\":[\"hello\",\"the model token\"]}";
        JsonNode a = TinyGateway.json(gateway.post("/embeddings", request));
        JsonNode b = TinyGateway.json(gateway.post("/embeddings", request));
        assertEquals(a.path("data"), b.path("data"));
        assertNotEquals(a.path("verigrid").path("requests"), b.path("verigrid").path("requests"), "each call is its own request");
        assertEquals(2, a.path("data").size());
        assertEquals(64, a.path("data").get(1).path("embedding").size());
        JsonNode base64 = TinyGateway.json(gateway.post("/embeddings",
                "{\"model\":\"tiny-llama\",\"input\":\"hello\",\"encoding_format\":\"base64\"}"));
        assertEquals(64 * 4, java.util.Base64.getDecoder().decode(base64.path("data").get(0).path("embedding").asText()).length);
    }

    @Test
    void aBurstOfEmbeddingsIsServedWholeWithBoundedForwards() {
        String request = "{\"model\":\"tiny-llama\",\"input\":\"the model token hello the model\"}";
        JsonNode expected = TinyGateway.json(gateway.post("/embeddings", request)).path("data");
        java.net.http.HttpRequest embed = java.net.http.HttpRequest.newBuilder(java.net.URI.create(gateway.server.baseUrl() + "/embeddings"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + gateway.key)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(request)).build();
        List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            burst.add(gateway.http().sendAsync(embed, HttpResponse.BodyHandlers.ofString()));
        }
        for (var call : burst) {
            HttpResponse<String> response = call.join();
            assertEquals(200, response.statusCode(), response.body());
            assertEquals(expected, TinyGateway.json(response).path("data"));
        }
        // Step teams come with the decoder's buffer sets: one for the batcher's decoding, one per embedding forward
        // running at once. With 2 engine threads each team has one helper.
        long helpers = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("verigrid-decode-")).count();
        assertTrue(helpers <= 1 + EmbeddingsApi.CONCURRENT_FORWARDS, helpers + " decoding helpers alive");
    }

    @Test
    void everyFailureIsAnOpenAiErrorWithItsStatus() {
        assertError(gateway.post("/chat/completions", chat("").replace("tiny-llama", "gpt-9")), 404, "invalid_request_error",
                "model_not_found");
        assertError(gateway.post("/chat/completions", "{\"model\": tiny"), 400, "invalid_request_error", null);
        assertError(gateway.post("/chat/completions", "{\"model\":\"tiny-llama\"}"), 400, "invalid_request_error", null);
        assertEquals("messages", TinyGateway.json(gateway.post("/chat/completions", "{\"model\":\"tiny-llama\"}"))
                .path("error").path("param").asText());
        assertError(gateway.post("/chat/completions", chat(",\"max_tokens\":0").replace("\"max_tokens\":10,", "")), 400,
                "invalid_request_error", null);
        String longPrompt = "{\"model\":\"tiny-llama\",\"messages\":[{\"role\":\"user\",\"content\":\""
                + "zq ".repeat(300) + "\"}]}";
        assertError(gateway.post("/chat/completions", longPrompt), 400, "invalid_request_error", "context_length_exceeded");
        assertError(gateway.post("/chat/completions", chat(""), "vg-not-a-key"), 401, "invalid_request_error", "invalid_api_key");
        assertError(gateway.post("/chat/completions", chat(""), null), 401, "invalid_request_error", "invalid_api_key");
        assertError(gateway.post("/nothing", "{}"), 404, "invalid_request_error", null);
        assertError(gateway.post("/chat/completions", chat(",\"temperature\":7")), 400, "invalid_request_error", null);
        String oversize = "{\"model\":\"tiny-llama\",\"prompt\":\"" + "a".repeat((int) GatewayServer.MAX_REQUEST_BYTES) + "\"}";
        HttpResponse<String> tooLarge = gateway.post("/completions", oversize);
        assertError(tooLarge, 413, "invalid_request_error", null);
        assertTrue(TinyGateway.json(tooLarge).path("error").path("message").asText().contains("16 MiB"), tooLarge.body());
    }

    @Test
    void unknownAndUnsupportedRequestFieldsAreRefusedAsOpenAiDoes() {
        HttpResponse<String> unknown = gateway.post("/chat/completions", chat(",\"temprature\":0.5"));
        assertError(unknown, 400, "invalid_request_error", null);
        JsonNode error = TinyGateway.json(unknown).path("error");
        assertEquals("Unrecognized request argument supplied: temprature", error.path("message").asText());
        assertEquals("temprature", error.path("param").asText());
        assertError(gateway.post("/completions", "{\"model\":\"tiny-llama\",\"prompt\":\"a\",\"messages\":[]}"), 400,
                "invalid_request_error", null);
        assertError(gateway.post("/embeddings", "{\"model\":\"tiny-llama\",\"input\":\"a\",\"max_tokens\":3}"), 400,
                "invalid_request_error", null);
        assertError(gateway.post("/chat/completions", chat(",\"frequency_penalty\":3")), 400, "invalid_request_error", null);
        for (String bias : List.of("[1]", "{\"x\":1}", "{\"5\":101}", "{\"5\":\"a\"}", "{\"99999999\":1}")) {
            HttpResponse<String> refused = gateway.post("/chat/completions", chat(",\"logit_bias\":" + bias));
            assertError(refused, 400, "invalid_request_error", null);
            assertEquals("logit_bias", TinyGateway.json(refused).path("error").path("param").asText(), bias);
        }
        HttpResponse<String> adjusted = gateway.post("/chat/completions", chat(",\"frequency_penalty\":0.5,\"presence_penalty\":-0.25,"
                + "\"logit_bias\":{\"5\":-100,\"7\":2.5}"));
        assertEquals(200, adjusted.statusCode(), "penalties and a logit bias are honoured: " + adjusted.body());
        assertError(gateway.post("/completions", "{\"model\":\"tiny-llama\",\"prompt\":\"a\",\"echo\":true}"), 400,
                "invalid_request_error", null);
        assertError(gateway.post("/embeddings", "{\"model\":\"tiny-llama\",\"input\":\"a\",\"dimensions\":8}"), 400,
                "invalid_request_error", null);
        assertEquals(200, gateway.post("/embeddings", "{\"model\":\"tiny-llama\",\"input\":\"a\",\"dimensions\":64}").statusCode());
        assertEquals(200, gateway.post("/chat/completions", chat(",\"frequency_penalty\":0,\"user\":\"u1\",\"tool_choice\":\"auto\""))
                .statusCode(), "known fields at their defaults are accepted");
    }

    @Test
    void quotaIsEnforcedAndOnlyProcessedTokensAreCharged() {
        String key = gateway.metering.createKey(40, 100);
        HttpResponse<String> first = gateway.post("/chat/completions", chat(",\"max_tokens\":100,\"seed\":1"), key);
        assertEquals(200, first.statusCode(), first.body());
        JsonNode usage = TinyGateway.json(first).path("usage");
        assertEquals(40, usage.path("total_tokens").asInt(), "the quota caps the completion");
        assertEquals("length", TinyGateway.json(first).path("choices").get(0).path("finish_reason").asText());
        assertEquals(40, gateway.metering.usage(key).totalTokens());
        assertError(gateway.post("/chat/completions", chat(""), key), 429, "insufficient_quota", "insufficient_quota");
    }

    @Test
    void rateLimitIsPerKey() {
        String key = gateway.metering.createKey(1_000_000, 2);
        assertEquals(200, gateway.post("/completions", "{\"model\":\"tiny-llama\",\"prompt\":\"a\",\"max_tokens\":1}", key).statusCode());
        assertEquals(200, gateway.post("/completions", "{\"model\":\"tiny-llama\",\"prompt\":\"a\",\"max_tokens\":1}", key).statusCode());
        assertError(gateway.post("/completions", "{\"model\":\"tiny-llama\",\"prompt\":\"a\",\"max_tokens\":1}", key), 429,
                "requests", "rate_limit_exceeded");
        assertEquals(200, gateway.post("/completions", "{\"model\":\"tiny-llama\",\"prompt\":\"a\",\"max_tokens\":1}").statusCode());
    }

    @Test
    void aModelWithoutChatTemplateIsToldClearly(@TempDir Path other) throws Exception {
        Path dir = other.resolve("plain");
        io.verigrid.engine.generate.TinyLlama.write(dir, 3);
        java.nio.file.Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\":\"<|eot_id|>\"}");
        InMemoryMetering metering = InMemoryMetering.withSystemClock();
        metering.addKey("vg-plain-key", 1000, 100);
        try (GatewayServer server = GatewayServer.start(ServedModel.load(dir), metering, "127.0.0.1", 0, 1, 4)) {
            var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.baseUrl() + "/chat/completions"))
                    .header("Authorization", "Bearer vg-plain-key")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(chat("").replace("tiny-llama", "plain"))).build();
            HttpResponse<String> response = gateway.http().send(request, HttpResponse.BodyHandlers.ofString());
            assertError(response, 400, "invalid_request_error", "chat_template_missing");
            assertTrue(TinyGateway.json(response).path("error").path("message").asText().contains("chat_template"));
        }
    }

    private static JsonNode parse(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(json, e);
        }
    }
}
