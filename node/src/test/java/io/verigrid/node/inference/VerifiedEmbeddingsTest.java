package io.verigrid.node.inference;

import static io.verigrid.node.inference.VerifiedInferenceTest.TOKEN;
import static io.verigrid.node.inference.VerifiedInferenceTest.await;
import static io.verigrid.node.inference.VerifiedInferenceTest.escrow;
import static io.verigrid.node.inference.VerifiedInferenceTest.settledDispute;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import io.verigrid.engine.generate.TinyLlama;
import io.verigrid.ledger.AccountView;
import io.verigrid.ledger.InferenceViews;
import io.verigrid.node.http.Json;
import io.verigrid.verify.Hashes;
import io.verigrid.verify.InferenceGame;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /v1/embeddings} as verified inference, through the real Ratis ledger and real HTTP: each input is charged from
 * escrow into a hold paid to the provider after the window, sampled and re-executed; a provider whose embeddings are
 * wrong is convicted at the operator its trace first goes wrong at, or at the pooling, and slashed; an honest one
 * challenged by a lying verifier keeps its stake and is paid.
 */
@Timeout(240)
class VerifiedEmbeddingsTest {
    @TempDir
    static Path dir;
    static Path model;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void models() {
        model = dir.resolve("tiny-llama");
        TinyLlama.write(model, 11, 128);
    }

    static InferenceNetwork start(Computation provider, Computation verifier) {
        InferenceNetwork.Options options = InferenceNetwork.Options.defaults(model, dir.resolve("net-" + UUID.randomUUID()))
                .withBlockMillis(100).withWindows(20, 30).withSampling(1_000_000).withProvider(provider).withVerifier(verifier);
        return InferenceNetwork.start(options, line -> System.out.println("   " + line));
    }

    HttpResponse<String> embed(InferenceNetwork net, String input) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(net.baseUrl() + "/embeddings"))
                .header("Authorization", "Bearer " + net.apiKey()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"tiny-llama\",\"input\":" + input + "}")).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return response;
    }

    static List<InferenceViews.HoldView> holds(InferenceNetwork net) {
        return net.ledger().inferenceList("holds", InferenceViews.HoldView.class);
    }

    @Test
    void embeddingsAreHeldVerifiedAndPaidToTheProviderAfterTheWindow() throws Exception {
        try (InferenceNetwork net = start(null, null)) {
            AccountView before = net.ledger().account(net.providerAddress());
            HttpResponse<String> response = embed(net, "[\"the sea\",\"and the sky over it\",\"a\"]");
            long tokens = Json.MAPPER.readTree(response.body()).path("usage").path("prompt_tokens").asLong();
            String[] requests = response.headers().firstValue("x-verigrid-request").orElseThrow().split(",");
            assertEquals(3, requests.length);
            OpenAIClient sdk = OpenAIOkHttpClient.builder().baseUrl(net.baseUrl()).apiKey(net.apiKey()).maxRetries(0).build();
            CreateEmbeddingResponse viaSdk = sdk.embeddings().create(EmbeddingCreateParams.builder().model("tiny-llama")
                    .input("hello from the SDK").build());
            tokens += viaSdk.usage().promptTokens();
            java.util.concurrent.atomic.AtomicReference<InferenceViews.HoldView> hold = new java.util.concurrent.atomic.AtomicReference<>();
            await("the second input's hold", () -> {
                hold.set(net.ledger().inferenceHold(requests[1]));
                return hold.get() != null;
            });
            assertEquals(0, hold.get().completionTokens(), "an embedding bills prompt tokens only");
            await("every input to be re-executed by the verifier", () -> net.stats().get("verifier_matched") == 4);
            assertEquals(100 * TOKEN - tokens * 1_000, escrow(net), "each input's tokens are charged from escrow");
            await("the holds to be paid after the challenge window", () -> holds(net).isEmpty());
            AccountView after = net.ledger().account(net.providerAddress());
            long fees = (after.nonce() - before.nonce()) * net.ledger().params().txFee();
            assertEquals(before.balance() + tokens * 1_000 - fees, after.balance(), "the provider is paid every hold");
            assertEquals(0, net.stats().get("verifier_challenged"));
            assertTrue(net.ledger().inferenceDisputes().isEmpty());
        }
    }

    @Test
    void aProviderWithACorruptedHiddenStateIsConvictedAtThatOperatorAndSlashed() throws Exception {
        try (InferenceNetwork net = start(Computation.corruptHiddenState(model), null)) {
            String request = embed(net, "\"tell me a story\"").headers().firstValue("x-verigrid-request").orElseThrow();
            InferenceViews.DisputeView dispute = settledDispute(net);
            System.out.println("   corrupted hidden state: " + dispute.outcome() + " after " + dispute.rounds() + " rounds, position "
                    + dispute.position() + " operator " + dispute.operator());
            assertEquals(request, dispute.requestHash());
            assertEquals("CHALLENGER_WINS by REFEREE", dispute.outcome());
            assertEquals(0, dispute.position());
            assertTrue(dispute.operator() >= 0, "refereed at one operator");
            assertEquals(75 * TOKEN, net.ledger().account(net.providerAddress()).stake(), "half the stake slashed");
            await("the buyer's escrow to be refunded", () -> escrow(net) == 100 * TOKEN);
        }
    }

    @Test
    void aProviderPoolingFewerPositionsIsConvictedAtThePooling() throws Exception {
        try (InferenceNetwork net = start(Computation.poolFewerPositions(model), null)) {
            embed(net, "\"tell me a story\"");
            InferenceViews.DisputeView dispute = settledDispute(net);
            System.out.println("   pooled fewer positions: " + dispute.outcome() + " after " + dispute.rounds() + " rounds");
            assertEquals("CHALLENGER_WINS by REFEREE", dispute.outcome());
            assertTrue(InferenceGame.decode(Hashes.unhex(dispute.game())).pooled(), "settled at the pooling");
            assertEquals(75 * TOKEN, net.ledger().account(net.providerAddress()).stake());
            await("the buyer's escrow to be refunded", () -> escrow(net) == 100 * TOKEN);
        }
    }

    @Test
    void anHonestProviderChallengedOnAnEmbeddingByALyingVerifierKeepsItsStakeAndIsPaid() throws Exception {
        try (InferenceNetwork net = start(null, Computation.corruptHiddenState(model))) {
            HttpResponse<String> response = embed(net, "\"hello there\"");
            long billed = Json.MAPPER.readTree(response.body()).path("usage").path("prompt_tokens").asLong() * 1_000;
            InferenceViews.DisputeView dispute = settledDispute(net);
            System.out.println("   lying verifier on an embedding: " + dispute.outcome() + " after " + dispute.rounds() + " rounds");
            assertEquals("PROVIDER_WINS by REFEREE", dispute.outcome());
            assertEquals(150 * TOKEN, net.ledger().account(net.providerAddress()).stake());
            assertEquals(1, net.ledger().account(net.verifier().address()).penalties().size());
            await("the hold to be paid", () -> holds(net).isEmpty());
            assertEquals(100 * TOKEN - billed, escrow(net), "the buyer pays for the honest embedding");
            Map<String, Long> stats = net.stats();
            assertEquals(1, stats.get("verifier_challenged"));
        }
    }
}
