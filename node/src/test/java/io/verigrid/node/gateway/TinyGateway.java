package io.verigrid.node.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.verigrid.engine.generate.TinyLlama;
import io.verigrid.node.http.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

/** A gateway serving a freshly written tiny model on a free loopback port, plus a raw HTTP client for it. */
final class TinyGateway implements AutoCloseable {
    static final String MODEL = "tiny-llama";
    final InMemoryMetering metering = InMemoryMetering.withSystemClock();
    final String key = metering.createKey(10_000_000, 10_000);
    final GatewayServer server;
    final ServedModel model;
    private final HttpClient http = HttpClient.newHttpClient();

    TinyGateway(Path root, int contextLength) {
        Path dir = root.resolve(MODEL);
        TinyLlama.write(dir, 11, contextLength);
        model = ServedModel.load(dir);
        server = GatewayServer.start(model, metering, "127.0.0.1", 0, 2, 32);
    }

    /** POSTs {@code json} to {@code path} under /v1 with the gateway's key. */
    HttpResponse<String> post(String path, String json) {
        return post(path, json, key);
    }

    HttpResponse<String> post(String path, String json, String apiKey) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (apiKey != null) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpClient http() {
        return http;
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return Json.MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + response.body(), e);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
