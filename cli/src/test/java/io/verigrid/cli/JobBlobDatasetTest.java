package io.verigrid.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.verigrid.engine.Dataset;
import io.verigrid.engine.MlpJob;
import io.verigrid.engine.io.Safetensors;
import io.verigrid.ledger.Genesis;
import io.verigrid.ledger.GenesisAccount;
import io.verigrid.ledger.JobView;
import io.verigrid.ledger.Keys;
import io.verigrid.ledger.MarketViews.OrderView;
import io.verigrid.ledger.Params;
import io.verigrid.ledger.PeerConfig;
import io.verigrid.ledger.UnitView;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.node.blob.BlobNode;
import io.verigrid.node.blob.BlobStore;
import io.verigrid.node.blob.BlobUploader;
import io.verigrid.node.blob.DatasetCodec;
import io.verigrid.node.blob.LedgerAccessPolicy;
import io.verigrid.node.blob.Manifest;
import io.verigrid.node.blob.RetrievabilityChallenge;
import io.verigrid.node.http.HttpJsonClient;
import io.verigrid.node.http.Json;
import io.verigrid.node.http.RequestSigner;
import io.verigrid.node.ledger.LedgerHttp;
import io.verigrid.node.ledger.LedgerNode;
import io.verigrid.node.ledger.Wallet;
import io.verigrid.node.market.MarketOffer;
import io.verigrid.node.provider.ProviderNode;
import io.verigrid.node.verifier.VerifierNode;
import io.verigrid.verify.Commitments;
import io.verigrid.verify.Hashes;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A market order whose dataset is a blob: {@code job submit} replicates it to two nodes and proves both hold it
 * before posting, the provider trains on the fetched tensors and the verifier re-executes on them.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class JobBlobDatasetTest {
    private static final long TOKEN = Params.UNITS_PER_TOKEN;
    private static final MlpJob SPEC = new MlpJob(5, 8, 16, 2, 128, 32, 0.05f, 0.9f, 40, 10);
    @TempDir
    Path dir;

    /** Data the seed does not generate: the dataset of another seed, so only the blob can give its root. */
    private static Dataset blobData() {
        return new MlpJob(99, 8, 16, 2, 128, 32, 0.05f, 0.9f, 40, 10).dataset();
    }

    private Path manifest(List<String> replicas) throws Exception {
        Safetensors.write(dir.resolve("data.safetensors"), new TreeMap<>(blobData().tensors()), Map.of());
        String template = JobManifest.template(SPEC, "1").replace("sampling_rate: 0.1", "sampling_rate: 1");
        String seeded = template.lines().filter(l -> l.startsWith("dataset: ")).findFirst().orElseThrow();
        StringBuilder blob = new StringBuilder("dataset:\n  file: data.safetensors\n  replicas:\n");
        replicas.forEach(r -> blob.append("    - ").append(r).append('\n'));
        Path file = dir.resolve("job-" + replicas.size() + ".yaml");
        Files.writeString(file, template.replace(seeded + "\n", blob.toString()));
        return file;
    }

    private record Run(int code, String out, String err) {}

    private Run submit(Path manifest, String ledgerUrl) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        PrintStream stdout = System.out, stderr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Main.commandLine().execute("job", "submit", manifest.toString(), "--key", "buyer", "--home", dir.toString(),
                    "--node", ledgerUrl, "--json", "--timeout", "120");
            return new Run(code, out.toString(StandardCharsets.UTF_8).strip(), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
    }

    private BlobNode replica(String name, Keys keys, LedgerHttp ledger) {
        BlobNode.Config d = BlobNode.Config.defaults(name, keys, dir.resolve(name));
        return new BlobNode(new BlobNode.Config(name, keys, d.dataDir(), 0, 4096, d.limits(), d.clock(), d.authWindow(),
                new LedgerAccessPolicy(ledger, keys.address())));
    }

    @Test
    void aBlobDatasetIsReplicatedToTwoNodesProvenAndEveryUnitTrainedOnItVerifies() throws Exception {
        KeyStore store = new KeyStore(dir);
        Keys buyer = store.create("buyer", new SecureRandom());
        Keys provider = store.create("provider", new SecureRandom());
        Keys verifierKey = store.create("verifier", new SecureRandom());
        Keys r1 = store.create("r1", new SecureRandom()), r2 = store.create("r2", new SecureRandom()), r3 = store.create("r3", new SecureRandom());
        Genesis genesis = new Genesis("verigrid-blob-dataset-test", List.of(new GenesisAccount(buyer.publicKey(), 1_000 * TOKEN),
                new GenesisAccount(provider.publicKey(), 1_000 * TOKEN), new GenesisAccount(verifierKey.publicKey(), 1_000 * TOKEN)),
                Params.defaults());
        try (LedgerNode node = LedgerNode.start(PeerConfig.single(dir.resolve("ledger"), LedgerNode.freePort(), genesis, 50), 0)) {
            LedgerHttp ledger = new LedgerHttp(node.url());
            new Wallet("provider", provider, ledger).submitOrThrow(new TxBody.Stake(Params.defaults().minProviderStake()));
            new Wallet("verifier", verifierKey, ledger).submitOrThrow(new TxBody.Stake(Params.defaults().minVerifierStake()));
            BlobNode gone = replica("r3", r3, ledger);
            String goneUrl = gone.url();
            gone.close();
            try (BlobNode one = replica("r1", r1, ledger); BlobNode two = replica("r2", r2, ledger)) {
                Run single = submit(manifest(List.of(one.url())), node.url());
                assertNotEquals(0, single.code());
                assertTrue(single.err().contains("at least 2"), single.err());

                Run unreachable = submit(manifest(List.of(one.url(), goneUrl)), node.url());
                assertNotEquals(0, unreachable.code());
                assertTrue(unreachable.err().contains("missing: " + goneUrl), "the refusal names the missing replica: " + unreachable.err());
                assertTrue(ledger.marketOrders().isEmpty(), "nothing was posted");

                try (ProviderNode p = new ProviderNode(new ProviderNode.Config("provider", provider, node.url(), dir.resolve("p"), 1, null, false,
                        "127.0.0.1", 0, new MarketOffer(TOKEN / 4, Duration.ofHours(1))), line -> { });
                     VerifierNode v = new VerifierNode(new VerifierNode.Config("verifier", verifierKey, node.url(), 1,
                             Map.of(p.address(), p.url()), dir.resolve("v"), "127.0.0.1", 0), line -> { })) {
                    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (ledger.marketProviders().isEmpty() && System.nanoTime() < until) Thread.sleep(50);

                    Run run = submit(manifest(List.of(one.url(), two.url())), node.url());
                    String[] lines = run.out().split("\n");
                    assertEquals(0, run.code(), run.out() + "\n" + run.err());
                    JsonNode report = Json.MAPPER.readTree(lines[lines.length - 1]);
                    assertEquals("DONE", report.path("status").asText());
                    assertEquals(SPEC.units(), report.path("verifiedUnits").asInt());

                    OrderView order = ledger.marketOrder(report.path("orderId").asLong());
                    String blobId = BlobStore.sha256Hex(new BlobStore(dir.resolve("blobs")).manifest(order.datasetBlob()).orElseThrow().encode());
                    assertEquals(order.datasetBlob(), blobId);
                    assertEquals(List.of(one.url(), two.url()), order.datasetReplicas());
                    JobView job = ledger.job(order.jobId());
                    assertEquals(Hashes.hex(Commitments.datasetRoot(blobData())), job.datasetRoot(), "the job committed to the blob's tensors");
                    assertNotEquals(Hashes.hex(Commitments.datasetRoot(SPEC.dataset())), job.datasetRoot());
                    for (UnitView u : job.commits()) {
                        assertTrue(u.verified(), "unit " + u.unit());
                        assertEquals("ATTEST:" + verifierKey.address(), u.verifiedBy(), "the verifier re-executed unit " + u.unit() + " on the blob");
                    }
                    assertTrue(one.store().privateJob(order.datasetBlob()).isPresent(), "the replica keeps the dataset private to the job");
                    assertEquals(order.jobId(), one.store().privateJob(order.datasetBlob()).getAsLong());
                }
            }
        }
    }

    @Test
    void aReplicaThatDroppedTheBlobFailsItsChallenge() throws Exception {
        Keys owner = Keys.generate(new SecureRandom()), holder = Keys.generate(new SecureRandom());
        BlobNode.Config d = BlobNode.Config.defaults("holder", holder, dir.resolve("holder"));
        try (BlobNode replica = new BlobNode(new BlobNode.Config("holder", holder, d.dataDir(), 0, 4096, d.limits(), d.clock(),
                d.authWindow(), d.policy()))) {
            BlobStore local = new BlobStore(dir.resolve("owner"), 4096, Clock.systemUTC());
            String id = local.put(DatasetCodec.encode(blobData()));
            HttpJsonClient http = new HttpJsonClient(Duration.ofSeconds(10), new RequestSigner(owner, Clock.systemUTC()));
            new BlobUploader(local, http).upload(id, replica.url(), OptionalLong.of(7), true);
            RetrievabilityChallenge challenge = new RetrievabilityChallenge(local, http, new SecureRandom());
            Manifest manifest = local.manifest(id).orElseThrow();
            assertTrue(manifest.chunkCount() > 1);
            assertTrue(challenge.challenge(replica.url(), id, 1).passed());

            String dropped = manifest.chunkHash(1);
            Files.delete(dir.resolve("holder/blobs/chunks").resolve(dropped.substring(0, 2)).resolve(dropped));
            RetrievabilityChallenge.Outcome failed = challenge.challenge(replica.url(), id, 1);
            assertFalse(failed.passed());
            assertTrue(failed.reason().contains(replica.url()), failed.reason());
        }
    }
}
