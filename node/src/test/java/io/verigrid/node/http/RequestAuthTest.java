package io.verigrid.node.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.verigrid.ledger.Keys;
import io.verigrid.node.TestClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RequestAuthTest {
    private final TestClock clock = new TestClock(Instant.parse("2025-01-01T00:00:00Z"));
    private final Keys alice = Keys.fromSeed(new byte[32]);
    private final List<String> writes = new CopyOnWriteArrayList<>();
    private NodeServer server;

    @BeforeEach
    void start() {
        RequestAuth auth = new RequestAuth(clock, Duration.ofSeconds(30));
        server = NodeServer.start("auth-test", "127.0.0.1", 0, app -> {
            auth.protect(app, "/private/*");
            app.post("/private/notes", ctx -> {
                writes.add(RequestAuth.callerOf(ctx) + ":" + ctx.body());
                ctx.json(Map.of("caller", RequestAuth.callerOf(ctx)));
            });
            app.get("/open", ctx -> ctx.json(Map.of("ok", true)));
        });
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aSignedRequestReachesTheRouteWithTheCallersAddress() {
        HttpJsonClient client = new HttpJsonClient(Duration.ofSeconds(5), new RequestSigner(alice, clock));
        assertEquals(alice.address(), client.postJson(server.url() + "/private/notes", Map.of("n", 1)).path("caller").asText());
        assertEquals(List.of(alice.address() + ":{\"n\":1}"), writes);
        assertTrue(new HttpJsonClient(Duration.ofSeconds(5)).getJson(server.url() + "/open").path("ok").asBoolean(), "open routes need no signature");
    }

    @Test
    void anUnsignedRequestGets401AndChangesNothing() {
        ApiException e = assertThrows(ApiException.class, () -> new HttpJsonClient(Duration.ofSeconds(5)).postJson(server.url() + "/private/notes", Map.of("n", 1)));
        assertEquals(401, e.status());
        assertEquals("UNSIGNED", e.code());
        assertTrue(e.getMessage().contains("X-Verigrid-Signature"), e.getMessage());
        assertTrue(writes.isEmpty());
    }

    @Test
    void aForgedSignatureOrATamperedBodyGets401AndChangesNothing() throws Exception {
        URI uri = URI.create(server.url() + "/private/notes");
        Map<String, String> headers = new RequestSigner(alice, clock).headers("POST", uri, "{\"n\":1}".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> tampered = send(uri, headers, "{\"n\":2}");
        assertEquals(401, tampered.statusCode());
        assertTrue(tampered.body().contains("BAD_SIGNATURE"), tampered.body());

        Keys mallory = Keys.fromSeed(new byte[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1});
        Map<String, String> forged = new java.util.HashMap<>(new RequestSigner(mallory, clock).headers("POST", uri, "{\"n\":1}".getBytes(StandardCharsets.UTF_8)));
        forged.put(RequestSignature.KEY, alice.address()); // mallory signs but claims to be alice
        HttpResponse<String> impersonation = send(uri, forged, "{\"n\":1}");
        assertEquals(401, impersonation.statusCode());
        assertTrue(impersonation.body().contains("BAD_SIGNATURE"), impersonation.body());
        assertTrue(writes.isEmpty());
    }

    @Test
    void aStaleTimestampGets401() {
        Clock late = Clock.offset(clock, Duration.ofSeconds(-31));
        ApiException e = assertThrows(ApiException.class,
                () -> new HttpJsonClient(Duration.ofSeconds(5), new RequestSigner(alice, late)).postJson(server.url() + "/private/notes", Map.of("n", 1)));
        assertEquals(401, e.status());
        assertEquals("STALE_REQUEST", e.code());
        assertTrue(e.getMessage().contains("±30000 ms"), e.getMessage());
        assertTrue(writes.isEmpty());
    }

    @Test
    void aReplayedRequestGets401AndIsAppliedOnlyOnce() throws Exception {
        URI uri = URI.create(server.url() + "/private/notes");
        Map<String, String> headers = new RequestSigner(alice, clock).headers("POST", uri, "{\"n\":1}".getBytes(StandardCharsets.UTF_8));
        assertEquals(200, send(uri, headers, "{\"n\":1}").statusCode());
        HttpResponse<String> replay = send(uri, headers, "{\"n\":1}");
        assertEquals(401, replay.statusCode());
        assertTrue(replay.body().contains("REPLAYED_NONCE"), replay.body());
        assertEquals(1, writes.size());
    }

    @Test
    void aRequestSignedForAnotherNodeIsRefused() throws Exception {
        URI other = URI.create("http://127.0.0.1:1/private/notes");
        Map<String, String> headers = new RequestSigner(alice, clock).headers("POST", other, "{}".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> answer = send(URI.create(server.url() + "/private/notes"), headers, "{}");
        assertEquals(401, answer.statusCode());
        assertTrue(writes.isEmpty());
    }

    private static HttpResponse<String> send(URI uri, Map<String, String> headers, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
