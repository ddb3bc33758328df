package io.verigrid.node.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.verigrid.engine.LlamaConfig;
import io.verigrid.engine.LlamaModel;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.Tensor;
import io.verigrid.engine.generate.LlamaDecoder;
import io.verigrid.engine.generate.SamplingParams;
import io.verigrid.ledger.Genesis;
import io.verigrid.ledger.GenesisAccount;
import io.verigrid.ledger.InferenceViews;
import io.verigrid.ledger.Keys;
import io.verigrid.ledger.Params;
import io.verigrid.ledger.PeerConfig;
import io.verigrid.ledger.tx.InferenceTx;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.node.gateway.ServedRequest;
import io.verigrid.node.http.Json;
import io.verigrid.node.ledger.LedgerHttp;
import io.verigrid.node.ledger.LedgerNode;
import io.verigrid.node.ledger.Wallet;
import io.verigrid.verify.Hashes;
import io.verigrid.verify.InferenceCommitments;
import io.verigrid.verify.InferenceCommitments.ResponseLeaf;
import io.verigrid.verify.InferenceLayout;
import io.verigrid.verify.InferencePooling;
import io.verigrid.verify.InferenceRequest;
import io.verigrid.verify.InferenceTrace;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inference disputes on a stories15M-shaped model (width 288, 6 layers, vocabulary 32 000, tied 36 MiB embedding
 * table, 15M parameters, seeded weights) through the real Ratis ledger at the genesis defaults (4 MiB
 * max_referee_bytes, 4 MiB transactions): the nodes' own {@link InferenceDefender} and {@link InferenceVerifierNode}
 * play six disputes at once. A provider with one wrong embedding row loses at the embedding, one with one wrong
 * LM-head column loses at the LM-head tile holding it; an honest provider beats verifiers that lie the same two ways;
 * and the same wrong row, in an embeddings request (the pooled final hidden states), loses at the embedding of position 0,
 * while an honest provider's embedding beats a verifier with that row.
 * The embedding settles from one chunk of its table (66 KB) and a tile from 2.4 MB of chunks, so every settling transaction
 * stays under both bounds, where the whole table (36 MiB) could never be carried.
 */
@Timeout(240)
class Stories15MDisputeTest {
    static final long TOKEN = Params.UNITS_PER_TOKEN;
    static final LlamaConfig CONFIG = new LlamaConfig(288, 768, 6, 6, 6, 32_000, 256, 1e-5f, 10000f, true);
    static final String EMBED = "model.embed_tokens.weight";
    static final int WRONG_COLUMN = 20_000; // in the tenth tile, a full 2 048 columns wide
    final HttpClient http = HttpClient.newHttpClient();
    final Map<String, String> verifierFor = new ConcurrentHashMap<>();

    static Computation computation(LlamaModel model, SortedMap<String, Tensor> weights) {
        return new Computation(new LlamaDecoder(model.config(), weights), new InferenceTrace.Replica(model, weights, null));
    }

    /** The weights with one element of the embedding table (row {@code row}) changed. */
    static SortedMap<String, Tensor> withWrongRow(SortedMap<String, Tensor> weights, int row) {
        SortedMap<String, Tensor> copy = new TreeMap<>(weights);
        float[] data = weights.get(EMBED).data().clone();
        data[row * CONFIG.hiddenSize() + 5] += 0.5f;
        copy.put(EMBED, Tensor.of(weights.get(EMBED).shape(), data));
        return copy;
    }

    static InferenceRequest request(int i) {
        return new InferenceRequest("chatcmpl-stories-" + i, new int[] {1, 100 + i, 200 + i, 300 + i}, 1, 2,
                new SamplingParams(0.8f, 0, 1f, 40 + i), new int[] {2});
    }

    static Keys keys(int i) {
        byte[] seed = new byte[32];
        seed[0] = (byte) i;
        seed[1] = 15;
        return Keys.fromSeed(seed);
    }

    @Test
    void embeddingAndLmHeadTileDisputesSettleOnTheLedgerWithinTheBounds(@TempDir Path dir) throws Exception {
        long start = System.nanoTime();
        LlamaModel model = new LlamaModel(CONFIG);
        SortedMap<String, Tensor> weights = model.initialParameters(15);
        long parameters = weights.values().stream().mapToLong(Tensor::size).sum();
        assertTrue(parameters > 15_000_000 && parameters < 16_000_000, parameters + " parameters");
        Params params = new Params(Params.defaults().txFee(), 100 * TOKEN, 10 * TOKEN, 50, 60, 2, 600, 16, 10 * TOKEN, TOKEN,
                Params.defaults().slashPpm(), Params.defaults().winnerSharePpm(), Params.defaults().maxTxBytes());
        assertEquals(4L << 20, params.maxRefereeBytes(), "the genesis default bound");
        InferenceLayout layout = InferenceLayout.of(model, params.maxRefereeBytes());
        assertEquals(16, layout.plan(layout.programLength() - 1).size(), "the LM head is 16 tiles of up to 2 048 columns");

        Computation honest = computation(model, weights);
        Computation wrongRow = computation(model, withWrongRow(weights, 1)); // token 1 opens every prompt
        Computation wrongColumn = computation(model, withWrongRow(weights, WRONG_COLUMN)); // tied: LM-head column 20 000
        Keys buyerKeys = keys(1);
        Keys[] providerKeys = {keys(2), keys(3), keys(4)};
        Keys[] verifierKeys = {keys(5), keys(6), keys(7)};
        List<GenesisAccount> accounts = new ArrayList<>(List.of(new GenesisAccount(buyerKeys.publicKey(), 1_000 * TOKEN)));
        for (Keys k : providerKeys) accounts.add(new GenesisAccount(k.publicKey(), 500 * TOKEN));
        for (Keys k : verifierKeys) accounts.add(new GenesisAccount(k.publicKey(), 200 * TOKEN));
        Genesis genesis = new Genesis("verigrid-local", accounts, params);
        System.out.printf("   model and genesis ready in %.1f s%n", (System.nanoTime() - start) / 1e9);

        try (LedgerNode node = LedgerNode.start(PeerConfig.single(dir.resolve("ledger"), LedgerNode.freePort(), genesis, 100), 0)) {
            LedgerHttp ledger = new LedgerHttp(node.url());
            Wallet buyer = new Wallet("buyer", buyerKeys, ledger);
            String apiKey = "vg-stories15m-0123456789abcdef";
            buyer.submitOrThrow(new InferenceTx.RegisterApiKey(LedgerMetering.keyHash(apiKey), 1_000_000));
            buyer.submitOrThrow(new InferenceTx.DepositInference(100 * TOKEN));
            byte[] configJson = Json.MAPPER.writeValueAsBytes(CONFIG.toJson());
            byte[] weightsRoot = InferenceCommitments.weightsRoot(weights);
            Computation[] served = {honest, wrongRow, wrongColumn};
            List<InferenceSettler> settlers = new ArrayList<>();
            List<InferenceDefender> defenders = new ArrayList<>();
            for (int p = 0; p < 3; p++) {
                Wallet provider = new Wallet("provider-" + p, providerKeys[p], ledger);
                provider.submitOrThrow(new TxBody.Stake(150 * TOKEN));
                provider.submitOrThrow(new InferenceTx.RegisterModel("stories15m", configJson, weightsRoot, 1_000));
                String modelId = ledger.inferenceList("models", InferenceViews.ModelView.class).stream()
                        .filter(m -> m.owner().equals(provider.address())).findFirst().orElseThrow().id();
                InferenceSettler settler = new InferenceSettler(provider, ledger, Hashes.unhex(modelId), null,
                        ServedStore.open(dir.resolve("served-" + p), line -> System.out.println("   " + line)), this::forward);
                settlers.add(settler);
                defenders.add(new InferenceDefender(provider, ledger, served[p], settler, line -> System.out.println("   " + line)));
            }
            Computation[] checking = {honest, wrongRow, wrongColumn};
            List<InferenceVerifierNode> verifiers = new ArrayList<>();
            for (int v = 0; v < 3; v++) {
                Wallet wallet = new Wallet("verifier-" + v, verifierKeys[v], ledger);
                wallet.submitOrThrow(new TxBody.Stake(20 * TOKEN));
                verifiers.add(new InferenceVerifierNode(wallet, ledger, checking[v], 100, line -> System.out.println("   " + line)));
            }
            ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
            ticker.scheduleWithFixedDelay(() -> defenders.forEach(d -> {
                try {
                    d.tick();
                } catch (RuntimeException e) {
                    System.out.println("   defender: " + e.getMessage());
                }
            }), 100, 100, TimeUnit.MILLISECONDS);
            try {
                // (provider, verifier) per request: two cheating providers against the honest verifier, the honest
                // provider against the two lying verifiers.
                int[][] pairs = {{1, 0}, {2, 0}, {0, 1}, {0, 2}};
                Map<String, Integer> caseOf = new HashMap<>();
                for (int i = 0; i < pairs.length; i++) {
                    InferenceRequest request = request(i);
                    Computation c = served[pairs[i][0]];
                    List<ResponseLeaf> leaves = FastReplay.leaves(c.decoder(), request, new int[] {2}, Parallelism.single());
                    String hash = Hashes.hex(request.hash());
                    caseOf.put(hash, i);
                    verifierFor.put(hash, verifiers.get(pairs[i][1]).url());
                    settlers.get(pairs[i][0]).served(new ServedRequest(apiKey, request, leaves, request.prompt().length, leaves.size()));
                }
                // Embeddings: the provider with the wrong row against the honest verifier, then the reverse.
                int[][] embeddingPairs = {{1, 0}, {0, 1}};
                for (int i = 0; i < embeddingPairs.length; i++) {
                    InferenceRequest request = InferenceRequest.embedding("embd-stories-" + i, new int[] {1, 120 + i, 220 + i, 320 + i});
                    Computation c = served[embeddingPairs[i][0]];
                    Tensor pooled = InferencePooling.pool(c.decoder().hiddenStates(request.prompt(), Parallelism.single()),
                            Parallelism.single());
                    String hash = Hashes.hex(request.hash());
                    caseOf.put(hash, pairs.length + i);
                    verifierFor.put(hash, verifiers.get(embeddingPairs[i][1]).url());
                    settlers.get(embeddingPairs[i][0]).served(new ServedRequest(apiKey, request, List.of(), request.prompt().length, 0,
                            InferencePooling.pooledRoot(pooled)));
                }
                settlers.forEach(InferenceSettler::tick);
                await("six disputes to settle", () -> {
                    List<InferenceViews.DisputeView> d = ledger.inferenceDisputes();
                    return d.size() == 6 && d.stream().noneMatch(InferenceViews.DisputeView::open);
                });
                int ops = layout.programLength();
                int wrongTile = layout.wholeIndex(ops - 1) - layout.plan(ops - 1).size() + WRONG_COLUMN / 2048;
                Map<Integer, InferenceViews.DisputeView> byCase = new HashMap<>();
                for (InferenceViews.DisputeView d : ledger.inferenceDisputes()) byCase.put(caseOf.get(d.requestHash()), d);
                for (int i = 0; i < 6; i++) {
                    InferenceViews.DisputeView d = byCase.get(i);
                    System.out.println("   case " + i + ": " + d.outcome() + " after " + d.rounds() + " rounds at position "
                            + d.position() + " leaf " + d.operator() + " of " + layout.traceLength());
                }
                assertOutcome(byCase.get(0), "CHALLENGER_WINS", 0);
                assertOutcome(byCase.get(1), "CHALLENGER_WINS", wrongTile);
                assertOutcome(byCase.get(2), "PROVIDER_WINS", 0);
                assertOutcome(byCase.get(3), "PROVIDER_WINS", wrongTile);
                assertOutcome(byCase.get(4), "CHALLENGER_WINS", 0);
                assertOutcome(byCase.get(5), "PROVIDER_WINS", 0);
                assertEquals(150 * TOKEN, ledger.account(providerKeys[0].address()).stake(), "the honest provider keeps its stake");
                assertEquals(150 * TOKEN / 4, ledger.account(providerKeys[1].address()).stake(), "half the stake slashed, twice");
                assertEquals(75 * TOKEN, ledger.account(providerKeys[2].address()).stake(), "half the stake slashed");
                assertEquals(2, ledger.account(verifierKeys[1].address()).penalties().size(), "the lying verifier forfeits its bond twice");
                assertEquals(1, ledger.account(verifierKeys[2].address()).penalties().size(), "the lying verifier forfeits its bond");
                for (int p = 0; p < 3; p++) {
                    long largest = defenders.get(p).largestMoveBytes();
                    System.out.println("   provider " + p + ": largest move " + largest + " bytes");
                    assertTrue(largest < params.maxRefereeBytes() && largest < params.maxTxBytes() - 1024,
                            "provider " + p + " moved " + largest + " bytes");
                }
                assertTrue(defenders.get(0).largestMoveBytes() > 2_000_000, "the tile's 2 048 × 288 block travelled in chunks");
                System.out.printf("   done in %.1f s%n", (System.nanoTime() - start) / 1e9);
            } finally {
                ticker.shutdownNow();
                verifiers.forEach(InferenceVerifierNode::close);
            }
        }
    }

    static void assertOutcome(InferenceViews.DisputeView d, String verdict, int leaf) {
        assertTrue(d.outcome().startsWith(verdict), d.outcome());
        assertEquals(0, d.position(), "the first position already differs");
        assertEquals(leaf, d.operator(), "the disputed trace leaf");
    }

    /** What the sampling forwarder does once a hold lands (sampling forced): the request goes to its verifier. */
    void forward(ServedRecord r) {
        String body = Json.MAPPER.createObjectNode().put("request", HexFormat.of().formatHex(r.request().encode()))
                .put("responseRoot", HexFormat.of().formatHex(r.responseRoot()))
                .set("lengths", Json.MAPPER.valueToTree(r.lengths())).toString();
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(verifierFor.get(r.requestHashHex())
                    + "/inference/verify")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(100);
        }
    }
}
