package io.verigrid.node.inference;

import static io.verigrid.node.inference.VerifiedInferenceTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.verigrid.engine.generate.TinyLlama;
import io.verigrid.ledger.InferenceViews;
import io.verigrid.node.http.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A provider that restarts inside the challenge window — closed as a crash would, its memory gone — and comes back
 * on the same data directory and key, through the real Ratis ledger and real HTTP: a verifier then disputes requests
 * served before the restart. The honest provider defends from what it wrote to disk and wins; a request whose file
 * was corrupted meanwhile is reported, skipped and lost on the deadline; a cheating provider still loses at the referee.
 */
@Timeout(240)
class ProviderRestartTest {
    static final long TOKEN = InferenceNetwork.TOKEN;
    @TempDir
    static Path dir;
    static Path model;
    final HttpClient http = HttpClient.newHttpClient();
    final Queue<String> log = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void models() {
        model = dir.resolve("tiny-llama");
        TinyLlama.write(model, 11, 128);
    }

    /** Sampling off: the test itself hands the verifier the requests it disputes, after the restart. */
    InferenceNetwork start(Computation provider, Computation verifier) {
        return start(dir.resolve("net-" + UUID.randomUUID()), provider, verifier);
    }

    InferenceNetwork start(Path data, Computation provider, Computation verifier) {
        InferenceNetwork.Options options = InferenceNetwork.Options.defaults(model, data)
                .withBlockMillis(100).withWindows(80, 40).withSampling(0).withProvider(provider).withVerifier(verifier);
        return InferenceNetwork.start(options, line -> {
            log.add(line);
            System.out.println("   " + line);
        });
    }

    /** Serves one chat request and waits until its hold is on the ledger and its record is on disk as settled. */
    ServedRecord serve(InferenceNetwork net, String content, int seed) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(net.baseUrl() + "/chat/completions"))
                .header("Authorization", "Bearer " + net.apiKey()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"tiny-llama\",\"messages\":[{\"role\":\"user\",\"content\":\""
                        + content + "\"}],\"max_tokens\":5,\"seed\":" + seed + ",\"temperature\":0.8}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        String hash = response.headers().firstValue("x-verigrid-request").orElseThrow();
        await("the hold of " + hash, () -> net.ledger().inferenceHold(hash) != null
                && net.provider().served(hash) != null && net.provider().served(hash).height() >= 0);
        return net.provider().served(hash);
    }

    /** What the buyer's sampler sends a verifier: the request, the positions per choice and the committed root. */
    void sample(InferenceNetwork net, ServedRecord r) throws Exception {
        String body = Json.MAPPER.createObjectNode().put("request", HexFormat.of().formatHex(r.request().encode()))
                .put("responseRoot", HexFormat.of().formatHex(r.responseRoot()))
                .set("lengths", Json.MAPPER.valueToTree(r.lengths())).toString();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(net.verifier().url() + "/inference/verify"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
    }

    static InferenceViews.DisputeView settled(InferenceNetwork net, String requestHash) {
        await("the dispute on " + requestHash + " to settle", () -> net.ledger().inferenceDisputes().stream()
                .anyMatch(d -> d.requestHash().equals(requestHash) && !d.open()));
        return net.ledger().inferenceDisputes().stream().filter(d -> d.requestHash().equals(requestHash)).findFirst().orElseThrow();
    }

    static List<Path> batchFiles(Path dataDir) throws Exception {
        try (Stream<Path> list = Files.list(InferenceProvider.servedDir(dataDir))) {
            return list.sorted().toList();
        }
    }

    @Test
    void anHonestProviderRestartedInsideTheWindowDefendsWhatItServedBeforeAndWins() throws Exception {
        try (InferenceNetwork net = start(null, Computation.bf16Logits(model))) {
            Path data = net.dataDir();
            ServedRecord kept = serve(net, "hello", 7);
            List<Path> first = batchFiles(data);
            assertEquals(1, first.size(), "the settled batch is on disk: " + first);
            ServedRecord damaged = serve(net, "hello again", 8);
            Path damagedFile = batchFiles(data).stream().filter(p -> !first.contains(p)).findFirst().orElseThrow();
            byte[] bytes = Files.readAllBytes(damagedFile);
            bytes[bytes.length - 40] ^= 1; // a bad sector under one batch file
            Files.write(damagedFile, bytes);

            InferenceProvider before = net.provider();
            InferenceProvider after = net.restartProvider();
            assertNotSame(before, after);
            assertNotNull(after.served(kept.requestHashHex()), "reloaded from disk");
            assertTrue(log.stream().anyMatch(l -> l.contains("skipping " + damagedFile) && l.contains("checksum mismatch")),
                    "the damaged file is reported: " + log);
            assertEquals(1, after.stats().get("kept_requests"), "the rest loads");

            sample(net, kept);
            sample(net, damaged);
            InferenceViews.DisputeView won = settled(net, kept.requestHashHex());
            InferenceViews.DisputeView lost = settled(net, damaged.requestHashHex());
            System.out.println("   after a restart: " + won.outcome() + " after " + won.rounds() + " rounds; without its record: "
                    + lost.outcome());
            assertTrue(won.outcome().startsWith("PROVIDER_WINS"), won.outcome());
            assertTrue(won.rounds() > 2, "the provider played the game from its reloaded leaves: " + won.rounds());
            assertEquals("CHALLENGER_WINS by TIMEOUT", lost.outcome(), "a request the provider cannot open is lost on the deadline");
            assertEquals(75 * TOKEN, net.ledger().account(net.providerAddress()).stake(), "slashed once, for the lost record only");

            await("the defended hold to be paid", () -> net.ledger().inferenceHold(kept.requestHashHex()) == null);
            await("the paid request's record to be pruned", () -> after.stats().get("kept_requests") == 0);
            assertEquals(List.of(damagedFile), batchFiles(data), "the settled batch is removed; the bad file is kept");
        }
    }

    @Test
    void aCheatingProviderRestartedInsideTheWindowStillLosesAtTheReferee() throws Exception {
        try (InferenceNetwork net = start(Computation.bf16Logits(model), null)) {
            ServedRecord cheated = serve(net, "tell me a story", 42);
            net.restartProvider();
            assertNotNull(net.provider().served(cheated.requestHashHex()));
            sample(net, cheated);
            InferenceViews.DisputeView dispute = settled(net, cheated.requestHashHex());
            System.out.println("   cheater after a restart: " + dispute.outcome() + " after " + dispute.rounds() + " rounds");
            assertEquals("CHALLENGER_WINS by REFEREE", dispute.outcome());
            assertEquals(75 * TOKEN, net.ledger().account(net.providerAddress()).stake());
            assertTrue(net.ledger().inferenceList("holds", InferenceViews.HoldView.class).isEmpty(), "the buyer is refunded");
            await("the refunded request's record to be pruned", () -> net.provider().stats().get("kept_requests") == 0);
        }
    }

    @Test
    void theWholeNetworkStartedAgainOnItsDataDirectoryIsTheSameChainAndItsProviderStillDefends() throws Exception {
        Path data = dir.resolve("serve-data");
        String apiKey;
        String providerAddress;
        ServedRecord before;
        try (InferenceNetwork net = start(data, null, Computation.bf16Logits(model))) {
            apiKey = net.apiKey();
            providerAddress = net.providerAddress();
            before = serve(net, "hello", 3);
        }
        try (InferenceNetwork net = start(data, null, Computation.bf16Logits(model))) {
            assertEquals(apiKey, net.apiKey(), "the same buyer key");
            assertEquals(providerAddress, net.providerAddress(), "the same provider");
            assertEquals(150 * TOKEN, net.ledger().account(providerAddress).stake(), "staked once");
            assertNotNull(net.ledger().inferenceHold(before.requestHashHex()), "the ledger resumed with the hold");
            assertNotNull(net.provider().served(before.requestHashHex()), "the provider reloaded its record");
            sample(net, before);
            InferenceViews.DisputeView dispute = settled(net, before.requestHashHex());
            System.out.println("   after a full restart: " + dispute.outcome() + " after " + dispute.rounds() + " rounds");
            assertTrue(dispute.outcome().startsWith("PROVIDER_WINS"), dispute.outcome());
            ServedRecord after = serve(net, "and now", 4);
            assertNotNull(after, "it keeps serving and settling");
        }
    }
    @Test
    void anHonestProviderRestartedInsideTheWindowDefendsAnEmbeddingItServedBefore() throws Exception {
        try (InferenceNetwork net = start(null, Computation.corruptHiddenState(model))) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(net.baseUrl() + "/embeddings"))
                    .header("Authorization", "Bearer " + net.apiKey()).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"tiny-llama\",\"input\":\"hello\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
            String hash = response.headers().firstValue("x-verigrid-request").orElseThrow();
            await("the hold of " + hash, () -> net.ledger().inferenceHold(hash) != null
                    && net.provider().served(hash) != null && net.provider().served(hash).height() >= 0);
            ServedRecord kept = net.provider().served(hash);
            net.restartProvider();
            assertNotNull(net.provider().served(hash).pooledRoot(), "the pooled root is reloaded from disk");
            sample(net, kept);
            InferenceViews.DisputeView won = settled(net, hash);
            System.out.println("   embedding after a restart: " + won.outcome() + " after " + won.rounds() + " rounds");
            assertEquals("PROVIDER_WINS by REFEREE", won.outcome());
            assertEquals(150 * TOKEN, net.ledger().account(net.providerAddress()).stake());
        }
    }
}
