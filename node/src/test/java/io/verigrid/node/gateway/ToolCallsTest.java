package io.verigrid.node.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.Tensor;
import io.verigrid.engine.generate.DecoderModel;
import io.verigrid.engine.generate.KvCache;
import io.verigrid.engine.generate.TinyLlama;
import io.verigrid.node.http.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Tool calls: parsed from the two forms open models emit, and returned as OpenAI's tool_calls over HTTP. */
@Timeout(60)
class ToolCallsTest {
    @Test
    void jsonAndTaggedToolCallsAreRecognisedAndOrdinaryTextIsNot() {
        assertEquals(List.of(new ToolCalls.Call("get_weather", "{\"city\":\"Paris\"}")),
                ToolCalls.parse(" {\"name\":\"get_weather\",\"parameters\":{\"city\":\"Paris\"}} "));
        assertEquals(List.of(new ToolCalls.Call("a", "{}"), new ToolCalls.Call("b", "{\"x\":1}")),
                ToolCalls.parse("<tool_call>{\"name\":\"a\"}</tool_call>\n<tool_call>{\"name\":\"b\",\"arguments\":{\"x\":1}}</tool_call>"));
        assertEquals(List.of(), ToolCalls.parse("The weather in Paris is mild."));
        assertEquals(List.of(), ToolCalls.parse("{\"no_name\": 1}"));
        assertEquals(List.of(), ToolCalls.parse("{not json"));
    }

    private static JsonNode read(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(json, e);
        }
    }

    /** The real decoder, with its logits replaced so each sequence emits a fixed script: a tool call, then the end token. */
    record Scripted(DecoderModel inner, int[] script, Map<KvCache, Integer> emitted) implements DecoderModel {
        public int vocabSize() { return inner.vocabSize(); }

        public int contextLength() { return inner.contextLength(); }


        public int hiddenSize() { return inner.hiddenSize(); }

        public KvCache newCache() { return inner.newCache(); }

        public synchronized float[][] decode(List<KvCache> caches, List<int[]> tokens, Parallelism par) {
            float[][] logits = inner.decode(caches, tokens, par);
            for (int s = 0; s < caches.size(); s++) {
                int k = emitted.merge(caches.get(s), 1, Integer::sum) - 1;
                java.util.Arrays.fill(logits[s], -10f);
                logits[s][script[Math.min(k, script.length - 1)]] = 10f;
            }
            return logits;
        }

        public Tensor hiddenStates(int[] tokens, Parallelism par) { return inner.hiddenStates(tokens, par); }
    }

    @Test
    void aModelThatEmitsAToolCallAnswersWithToolCalls(@TempDir Path root) throws Exception {
        Path dir = root.resolve("tiny-llama");
        TinyLlama.write(dir, 11, 256);
        ServedModel model = ServedModel.load(dir);
        int[] call = model.tokenizer().encode("{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}}");
        int[] script = java.util.Arrays.copyOf(call, call.length + 1);
        script[call.length] = model.stopTokens().iterator().next();
        InMemoryMetering metering = InMemoryMetering.withSystemClock();
        String key = metering.createKey(1_000_000, 100);
        try (GatewayServer server = GatewayServer.start(model.withDecoder(new Scripted(model.decoder(), script,
                new IdentityHashMap<>())), metering, "127.0.0.1", 0, 1, 4)) {
            String tool = "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\"}}}";
            String body = "{\"model\":\"tiny-llama\",\"messages\":[{\"role\":\"user\",\"content\":\"weather in Paris?\"}],"
                    + "\"max_tokens\":60,\"tools\":[" + tool + "]}";
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(server.baseUrl() + "/chat/completions")).header("Authorization", "Bearer " + key)
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
            JsonNode choice = Json.MAPPER.readTree(response.body()).path("choices").get(0);
            assertEquals("tool_calls", choice.path("finish_reason").asText(), response.body());
            JsonNode calls = choice.path("message").path("tool_calls");
            assertEquals(1, calls.size());
            assertEquals("function", calls.get(0).path("type").asText());
            assertEquals("get_weather", calls.get(0).path("function").path("name").asText());
            assertEquals("{\"city\":\"Paris\"}", calls.get(0).path("function").path("arguments").asText());
            assertTrue(calls.get(0).path("id").asText().startsWith("call_"));
            assertTrue(choice.path("message").path("content").isNull());

            HttpResponse<String> streamed = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(server.baseUrl() + "/chat/completions")).header("Authorization", "Bearer " + key)
                    .POST(HttpRequest.BodyPublishers.ofString(body.replace("\"max_tokens\":60", "\"max_tokens\":60,\"stream\":true")))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, streamed.statusCode(), streamed.body());
            List<JsonNode> chunks = streamed.body().lines().filter(line -> line.startsWith("data: {"))
                    .map(line -> read(line.substring(6))).toList();
            assertTrue(chunks.stream().noneMatch(c -> c.path("choices").get(0).path("delta").path("content").asText().contains("get_weather")),
                    "the call is not streamed as text");
            JsonNode last = chunks.get(chunks.size() - 1).path("choices").get(0);
            assertEquals("tool_calls", last.path("finish_reason").asText(), streamed.body());
            JsonNode streamedCall = last.path("delta").path("tool_calls").get(0);
            assertEquals(0, streamedCall.path("index").asInt());
            assertEquals("get_weather", streamedCall.path("function").path("name").asText());
            assertEquals("{\"city\":\"Paris\"}", streamedCall.path("function").path("arguments").asText());
            assertTrue(streamed.body().endsWith("data: [DONE]\n\n"));
        }
    }
}
