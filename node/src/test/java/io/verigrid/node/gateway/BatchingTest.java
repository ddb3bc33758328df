package io.verigrid.node.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Concurrent requests are decoded in shared batches without changing one bit of any answer. */
@Timeout(120)
class BatchingTest {
    @TempDir
    static Path root;
    static TinyGateway gateway;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() {
        gateway = new TinyGateway(root, 4096);
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    /** Sixteen different requests: prompts, seeds, temperatures, top-p, n and lengths all vary. */
    static List<String> mixedRequests() {
        String[] words = {"hello", "the model", "verigrid hash", "token tool user", "assistant"};
        List<String> requests = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            String content = (words[i % words.length] + " ").repeat(1 + i % 3).trim();
            requests.add(i % 4 == 3
                    ? "{\"model\":\"tiny-llama\",\"prompt\":\"" + content + "\",\"max_tokens\":" + (6 + i) + ",\"seed\":" + i + "}"
                    : "{\"model\":\"tiny-llama\",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}],"
                            + "\"max_tokens\":" + (6 + i) + ",\"seed\":" + (100 + i) + ",\"n\":" + (1 + i % 3)
                            + ",\"temperature\":" + (i % 5 == 0 ? 0 : 0.7 + 0.1 * (i % 4)) + ",\"top_p\":0.9}");
        }
        return requests;
    }

    static String path(String request) {
        return request.contains("\"prompt\"") ? "/completions" : "/chat/completions";
    }

    /** What must not change: the choices and the commitment. */
    static String answer(HttpResponse<String> response) {
        assertEquals(200, response.statusCode(), response.body());
        JsonNode body = TinyGateway.json(response);
        return body.path("choices") + " " + response.headers().firstValue("x-verigrid-commitment").orElseThrow();
    }

    @Test
    void eachRequestHasTheSameBitsAloneAndInsideBatchesOfOneToSixteen() {
        List<String> requests = mixedRequests();
        List<String> alone = new ArrayList<>();
        for (String request : requests) {
            alone.add(answer(gateway.post(path(request), request)));
        }
        Batcher.Stats before = gateway.server.stats();
        for (int size = 1; size <= 16; size++) {
            List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                String request = requests.get((i * 7 + size) % 16);
                inFlight.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create(gateway.server.baseUrl() + path(request)))
                        .header("Authorization", "Bearer " + gateway.key)
                        .POST(HttpRequest.BodyPublishers.ofString(request)).build(), HttpResponse.BodyHandlers.ofString()));
            }
            for (int i = 0; i < size; i++) {
                assertEquals(alone.get((i * 7 + size) % 16), answer(inFlight.get(i).join()), "batch of " + size + ", request " + i);
            }
        }
        Batcher.Stats after = gateway.server.stats();
        assertTrue(after.stepsWithMoreThanOne() > before.stepsWithMoreThanOne() + 10,
                "concurrent requests must share decode steps: " + before + " → " + after);
        assertTrue(after.largestBatch() >= 8, "largest batch " + after.largestBatch());
    }

    @Test
    void aClientThatLeavesMidStreamStopsGenerationAndPaysOnlyForProducedTokens() throws Exception {
        String key = gateway.metering.createKey(1_000_000, 100);
        String request = "{\"model\":\"tiny-llama\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}],"
                + "\"max_tokens\":4000,\"seed\":1,\"stream\":true}";
        HttpResponse<InputStream> response = HTTP.send(HttpRequest.newBuilder(URI.create(gateway.server.baseUrl()
                + "/chat/completions")).header("Authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString(request)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
        int events = 0;
        while (events < 5) {
            String line = reader.readLine();
            if (line != null && line.startsWith("data: {")) {
                events++;
            }
        }
        reader.close();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (gateway.metering.usage(key).completionTokens() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        long charged = gateway.metering.usage(key).completionTokens();
        assertTrue(charged >= 4 && charged < 4000, "charged " + charged + " completion tokens");
        long steps = gateway.server.stats().steps();
        Thread.sleep(300);
        assertEquals(steps, gateway.server.stats().steps(), "the decode loop must be idle once the client left");
    }
}
