package io.verigrid.node.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.verigrid.engine.Parallelism;
import io.verigrid.engine.Tensor;
import io.verigrid.engine.generate.DecoderModel;
import io.verigrid.engine.generate.KvCache;
import io.verigrid.engine.generate.TinyLlama;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A streaming client that goes away mid-answer stops the decode; only the tokens produced are billed and settled. */
@Timeout(60)
class StreamDisconnectTest {
    /** The real decoder, slowed down so a client can leave while the answer is still being produced. */
    record Slow(DecoderModel inner) implements DecoderModel {
        public int vocabSize() { return inner.vocabSize(); }

        public int contextLength() { return inner.contextLength(); }


        public int hiddenSize() { return inner.hiddenSize(); }

        public KvCache newCache() { return inner.newCache(); }

        public float[][] decode(List<KvCache> caches, List<int[]> tokens, Parallelism par) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return inner.decode(caches, tokens, par);
        }

        public Tensor hiddenStates(int[] tokens, Parallelism par) { return inner.hiddenStates(tokens, par); }
    }

    @Test
    void aClientLeavingMidStreamStopsTheProviderAndIsBilledOnlyForProducedTokens(@TempDir Path root) throws Exception {
        Path dir = root.resolve("tiny-llama");
        TinyLlama.write(dir, 11, 512);
        ServedModel model = ServedModel.load(dir);
        InMemoryMetering metering = InMemoryMetering.withSystemClock();
        String key = metering.createKey(1_000_000, 100);
        CompletableFuture<ServedRequest> served = new CompletableFuture<>();
        try (GatewayServer server = GatewayServer.start(model.withDecoder(new Slow(model.decoder())), metering, served::complete,
                "127.0.0.1", 0, 1, 4)) {
            String body = "{\"model\":\"tiny-llama\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":400,"
                    + "\"stream\":true,\"seed\":5,\"stop\":[\"never-stops-here\"]}";
            HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/chat/completions"))
                    .header("Authorization", "Bearer " + key).POST(HttpRequest.BodyPublishers.ofString(body)).build();
            HttpResponse<InputStream> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, response.statusCode());
            InputStream stream = response.body();
            BufferedReader lines = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8));
            int events = 0;
            while (events < 4) {
                String line = lines.readLine();
                if (line != null && line.startsWith("data: {")) events++;
            }
            stream.close(); // the client goes away after a few tokens

            ServedRequest answered = served.get(30, TimeUnit.SECONDS);
            int produced = answered.completionTokens();
            assertTrue(produced >= 3 && produced < 400, "generation stopped early: " + produced + " tokens");
            assertEquals(produced, answered.leaves().size(), "every produced token is committed, nothing more");
            assertEquals(answered.promptTokens() + produced, metering.usage(key).totalTokens(), "billed exactly what was produced");
        }
    }
}
