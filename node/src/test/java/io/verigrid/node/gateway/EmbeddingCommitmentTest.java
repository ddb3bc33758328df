package io.verigrid.node.gateway;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.verigrid.engine.HfCheckpoint;
import io.verigrid.engine.generate.TinyLlama;
import io.verigrid.verify.Hashes;
import io.verigrid.verify.InferencePooling;
import io.verigrid.verify.InferenceTrace;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /v1/embeddings} commits each input as its own verified request: the root in its headers is the one a
 * verifier's traced replay pools to, the listener (the provider's settler) is told of each input, and an input too
 * long to referee is an OpenAI error that charges and settles nothing.
 */
class EmbeddingCommitmentTest {
    static final int HIDDEN = 64;

    @Test
    void eachInputIsCommittedUnderTheRootATracedReplayGivesAndTooLongInputsAreRefused(@TempDir Path root) throws Exception {
        Path dir = root.resolve(TinyGateway.MODEL);
        TinyLlama.write(dir, 11, 64);
        ServedModel model = ServedModel.load(dir);
        InMemoryMetering metering = InMemoryMetering.withSystemClock();
        String key = metering.createKey(1_000_000, 1_000);
        List<ServedRequest> served = new CopyOnWriteArrayList<>();
        long bound = 4L * HIDDEN * 10; // ten positions' hidden states at most
        GatewayServer server = GatewayServer.start(model, metering, served::add, "127.0.0.1", 0, 2, 8, bound);
        try {
            HttpResponse<String> response = post(server, key, "{\"model\":\"tiny-llama\",\"input\":[[1,40,41],[1,50,51,52,53]]}");
            assertEquals(200, response.statusCode(), response.body());
            String[] requests = response.headers().firstValue("x-verigrid-request").orElseThrow().split(",");
            String[] commitments = response.headers().firstValue("x-verigrid-commitment").orElseThrow().split(",");
            assertEquals(2, requests.length);
            assertEquals(2, served.size());
            HfCheckpoint checkpoint = HfCheckpoint.llama(dir);
            InferenceTrace.Replica replica = new InferenceTrace.Replica(checkpoint.model(), checkpoint.weights(), null);
            for (int i = 0; i < 2; i++) {
                ServedRequest r = served.get(i);
                assertTrue(r.request().isEmbedding());
                assertEquals(requests[i], r.requestHashHex());
                assertEquals(commitments[i], Hashes.hex(r.responseRoot()));
                assertEquals(r.request().prompt().length, r.promptTokens());
                assertEquals(0, r.completionTokens());
                assertArrayEquals(InferencePooling.responseRoot(InferenceTrace.run(replica, r.request().prompt()).hiddenStates()),
                        r.responseRoot(), "the gateway's embedding is the traced final-norm outputs pooled, bit for bit");
            }
            JsonNode body = TinyGateway.json(response);
            assertEquals(commitments[1], body.path("verigrid").path("commitments").get(1).asText());
            assertEquals(8, body.path("usage").path("prompt_tokens").asInt());
            long charged = metering.usage(key).totalTokens();

            HttpResponse<String> tooLong = post(server, key, "{\"model\":\"tiny-llama\",\"input\":[[1,2],[1,2,3,4,5,6,7,8,9,10,11]]}");
            assertEquals(400, tooLong.statusCode(), tooLong.body());
            JsonNode error = TinyGateway.json(tooLong).path("error");
            assertEquals("input_too_long", error.path("code").asText());
            assertEquals("input", error.path("param").asText());
            assertEquals(2, served.size(), "nothing of the refused call is settled");
            assertEquals(charged, metering.usage(key).totalTokens(), "nor charged");
        } finally {
            server.close();
        }
    }

    private static HttpResponse<String> post(GatewayServer server, String key, String json) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/embeddings"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
