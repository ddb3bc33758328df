package io.verigrid.node.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeServerTest {
    private final HttpJsonClient client = new HttpJsonClient(Duration.ofSeconds(5));

    @Test
    void errorsReachTheCallerAsCodeAndMessageNeverAStackTrace() {
        try (NodeServer server = NodeServer.start("test", "127.0.0.1", 0, app -> {
            app.get("/missing", ctx -> { throw ApiException.notFound("job 42"); });
            app.get("/bad", ctx -> { throw new IllegalArgumentException("amount must be positive, got -1"); });
            app.get("/bug", ctx -> { throw new IllegalStateException("boom"); });
            app.get("/ok", ctx -> ctx.json(Map.of("answer", 42)));
            app.put("/chunk", ctx -> ctx.json(Map.of("bytes", ctx.bodyAsBytes().length)));
        })) {
            assertEquals(42, client.getJson(server.url() + "/ok").path("answer").asInt());
            ApiException missing = assertThrows(ApiException.class, () -> client.getJson(server.url() + "/missing"));
            assertEquals(404, missing.status());
            assertEquals("job 42 not found", missing.getMessage());
            ApiException bad = assertThrows(ApiException.class, () -> client.getJson(server.url() + "/bad"));
            assertEquals("BAD_REQUEST", bad.code());
            assertEquals("amount must be positive, got -1", bad.getMessage());
            ApiException bug = assertThrows(ApiException.class, () -> client.getJson(server.url() + "/bug"));
            assertEquals("INTERNAL", bug.code());
            assertTrue(!bug.getMessage().contains("at io.verigrid"), bug.getMessage());
            ApiException route = assertThrows(ApiException.class, () -> client.getJson(server.url() + "/nowhere"));
            assertEquals(404, route.status());
            assertEquals(1 << 20, client.putBytes(server.url() + "/chunk", new byte[1 << 20]).path("bytes").asInt());
            ApiException large = assertThrows(ApiException.class,
                    () -> client.putBytes(server.url() + "/chunk", new byte[(int) NodeServer.MAX_REQUEST_BYTES + 1]));
            assertEquals(413, large.status());
            assertEquals("TOO_LARGE", large.code());
            assertTrue(large.getMessage().contains("8 MiB"), large.getMessage());
        }
    }

    @Test
    void aBodyThatIsNotTheJsonARouteTakesIsABadRequest() throws Exception {
        try (NodeServer server = NodeServer.start("test", "127.0.0.1", 0, app -> {
            app.post("/tree", ctx -> ctx.json(Map.of("x", Json.MAPPER.readTree(ctx.body()).path("x").asInt())));
            app.post("/typed", ctx -> ctx.json(Map.of("keys", ctx.bodyAsClass(Map.class).size())));
        })) {
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            for (String[] call : new String[][] {{"/tree", "garbage"}, {"/tree", "{\"x\": [1,"}, {"/typed", "[1, 2]"},
                    {"/typed", ""}}) {
                java.net.http.HttpResponse<String> response = http.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(server.url() + call[0])).POST(java.net.http.HttpRequest.BodyPublishers.ofString(call[1]))
                        .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                assertEquals(400, response.statusCode(), call[1] + " -> " + response.body());
                assertEquals("BAD_REQUEST", Json.MAPPER.readTree(response.body()).path("error").asText());
                assertTrue(response.body().contains("request body is not the JSON " + call[0] + " takes"), response.body());
            }
            assertEquals(7, client.postJson(server.url() + "/tree", Map.of("x", 7)).path("x").asInt());
        }
    }

    @Test
    void anUnreachableNodeIsReportedByUrlAfterRetries() {
        int port;
        try (NodeServer server = NodeServer.start("test", "127.0.0.1", 0, app -> { })) {
            port = server.port();
        }
        ApiException down = assertThrows(ApiException.class, () -> client.getJson("http://127.0.0.1:" + port + "/health"));
        assertEquals("UNREACHABLE", down.code());
        assertTrue(down.getMessage().contains("127.0.0.1:" + port), down.getMessage());
    }
}
