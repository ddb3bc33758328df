package io.verigrid.node.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.verigrid.ledger.Genesis;
import io.verigrid.ledger.GenesisAccount;
import io.verigrid.ledger.Keys;
import io.verigrid.ledger.Params;
import io.verigrid.ledger.PeerConfig;
import io.verigrid.node.http.Json;
import io.verigrid.verify.Hashes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The ledger peer's HTTP API answers bad input with a 4xx and a code, never a 500 or a stack trace. */
@Timeout(120)
class LedgerApiTest {
    private final HttpClient http = HttpClient.newHttpClient();
    @TempDir
    Path dir;

    @Test
    void badInputGetsAClearErrorAndTheChainGoesOn() throws Exception {
        try (LedgerNode node = start("verigrid-api")) {
            String base = node.url();
            for (String body : List.of("garbage", "", "[1,2]", "{\"tx\":12}", "{\"tx\":\"abc\"}", "{\"tx\":\"00112233\"}")) {
                JsonNode error = expect(post(base + "/ledger/tx", body), 400);
                assertEquals("MALFORMED", error.path("error").asText(), body);
            }
            // netuid and unit are 32-bit: 2^32 + 1 must not wrap around to 1.
            assertEquals("BAD_REQUEST", expect(get(base + "/ledger/subnets/4294967297"), 400).path("error").asText());
            assertEquals("BAD_REQUEST", expect(get(base + "/ledger/subnets/4294967297/metagraph"), 400).path("error").asText());
            assertEquals("BAD_REQUEST", expect(get(base + "/ledger/jobs/1/units/4294967297/sample-seed"), 400).path("error").asText());
            assertEquals("BAD_REQUEST", expect(get(base + "/ledger/jobs/x"), 400).path("error").asText());
            assertEquals("BAD_REQUEST", expect(get(base + "/ledger/jobs/-1"), 400).path("error").asText());
            assertEquals("BAD_REQUEST", expect(get(base + "/market/orders/0"), 400).path("error").asText());
            assertEquals("NOT_FOUND", expect(get(base + "/market/orders/3"), 404).path("error").asText());
            assertEquals("NOT_FOUND", expect(get(base + "/ledger/jobs/5/units/1/sample-seed"), 404).path("error").asText());
            assertEquals("NOT_FOUND", expect(get(base + "/ledger/subnets/7"), 404).path("error").asText());
            JsonNode query = expect(get(base + "/ledger/inference/garbage"), 400);
            assertEquals("BAD_REQUEST", query.path("error").asText());
            assertFalse(query.path("message").asText().contains("Exception"), query.toString());
            // The chain still answers after all of it.
            HttpResponse<String> status = get(base + "/ledger/status");
            assertEquals(200, status.statusCode());
            assertEquals("verigrid-api", Json.MAPPER.readTree(status.body()).path("chainId").asText());
        }
    }

    @Test
    void theDashboardIsServedAndEveryRouteItReadsAnswers() throws Exception {
        try (LedgerNode node = start("verigrid-dash")) {
            String base = node.url();
            HttpResponse<String> root = get(base + "/");
            assertEquals(302, root.statusCode());
            assertEquals("/dashboard", root.headers().firstValue("Location").orElse(""));
            HttpResponse<String> page = get(base + "/dashboard");
            assertEquals(200, page.statusCode());
            assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"), page.headers().toString());
            assertTrue(page.body().contains("<title>Verigrid ledger</title>"));
            // The page reads only this API: each path it names answers JSON here.
            java.util.regex.Matcher paths = java.util.regex.Pattern.compile("\"(/(?:ledger|market)/[a-z/?=0-9]*)\"").matcher(page.body());
            int checked = 0;
            while (paths.find()) {
                HttpResponse<String> answer = get(base + paths.group(1));
                assertEquals(200, answer.statusCode(), paths.group(1) + ": " + answer.body());
                Json.MAPPER.readTree(answer.body());
                checked++;
            }
            assertEquals(12, checked, "status, peer, blocks, jobs, disputes, orders, leases, providers, subnets, three inference lists");
            assertEquals("[]", get(base + "/ledger/disputes").body());
        }
    }

    @Test
    void theNewestBlocksAreListedNewestFirstWithinTheLimit() throws Exception {
        try (LedgerNode node = start("verigrid-blocks")) {
            String base = node.url();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (Json.MAPPER.readTree(get(base + "/ledger/status").body()).path("height").asLong() < 5) {
                assertTrue(System.nanoTime() < deadline, "no fifth block within 30 s");
                Thread.sleep(20);
            }
            JsonNode three = Json.MAPPER.readTree(get(base + "/ledger/blocks?limit=3").body());
            assertEquals(3, three.size());
            long newest = three.get(0).path("height").asLong();
            assertTrue(newest >= 5, three.toString());
            for (int i = 0; i < 3; i++) {
                JsonNode block = three.get(i);
                assertEquals(newest - i, block.path("height").asLong(), "newest first, no gaps");
                JsonNode single = Json.MAPPER.readTree(get(base + "/ledger/blocks/" + block.path("height").asLong()).body());
                assertEquals(single.path("hash").asText(), block.path("hash").asText(), "the list holds the same blocks as the block route");
            }
            assertTrue(Json.MAPPER.readTree(get(base + "/ledger/blocks").body()).size() <= 10, "ten without a limit");
            for (String bad : List.of("0", "101", "-1", "ten", "4294967297")) {
                JsonNode refused = expect(get(base + "/ledger/blocks?limit=" + bad), 400);
                assertTrue(refused.path("message").asText().contains("limit"), refused.toString());
            }
        }
    }

    @Test
    void aSnapshotIsTakenOnlyFromThePeersOwnMachine() throws Exception {
        java.net.InetAddress outside = java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces()).stream()
                .flatMap(i -> java.util.Collections.list(i.getInetAddresses()).stream())
                .filter(a -> a instanceof java.net.Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress())
                .findFirst().orElse(null);
        org.junit.jupiter.api.Assumptions.assumeTrue(outside != null, "this machine has no address but loopback");
        Genesis genesis = new Genesis("verigrid-snap", List.of(), Params.defaults());
        try (LedgerNode node = LedgerNode.start(PeerConfig.single(dir.resolve("ledger"), LedgerNode.freePort(), genesis, 50),
                "0.0.0.0", 0)) {
            JsonNode refused = expect(post("http://" + outside.getHostAddress() + ":" + node.port() + "/ledger/snapshot", "{}"), 403);
            assertEquals("FORBIDDEN", refused.path("error").asText());
            HttpResponse<String> taken = post("http://127.0.0.1:" + node.port() + "/ledger/snapshot", "{}");
            assertEquals(200, taken.statusCode(), taken.body());
            assertTrue(Json.MAPPER.readTree(taken.body()).path("index").asLong() >= 0);
        }
    }

    /** A one-peer chain with one funded account, a block every 50 ms, its HTTP API on a free port. */
    private LedgerNode start(String chainId) {
        Keys alice = Keys.fromSeed(Hashes.sha256("verigrid-ledger-api-test/alice".getBytes(StandardCharsets.UTF_8)));
        Genesis genesis = new Genesis(chainId, List.of(new GenesisAccount(alice.publicKey(), 1_000 * Params.UNITS_PER_TOKEN)),
                Params.defaults());
        return LedgerNode.start(PeerConfig.single(dir.resolve("ledger"), LedgerNode.freePort(), genesis, 50), 0);
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String url, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode expect(HttpResponse<String> response, int status) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        JsonNode body = Json.MAPPER.readTree(response.body());
        assertTrue(body.hasNonNull("message") && !body.path("message").asText().contains("\n\tat "), response.body());
        return body;
    }
}
