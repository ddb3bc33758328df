package io.verigrid.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.verigrid.engine.data.InputDataset;
import io.verigrid.engine.data.Manifest;
import io.verigrid.engine.data.Shard;
import io.verigrid.ledger.Genesis;
import io.verigrid.ledger.GenesisAccount;
import io.verigrid.ledger.JobView;
import io.verigrid.ledger.Keys;
import io.verigrid.ledger.Params;
import io.verigrid.ledger.PeerConfig;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.node.blob.BlobNode;
import io.verigrid.node.blob.LedgerAccessPolicy;
import io.verigrid.node.http.Json;
import io.verigrid.node.ledger.LedgerHttp;
import io.verigrid.node.ledger.LedgerNode;
import io.verigrid.node.ledger.Wallet;
import io.verigrid.node.market.MarketOffer;
import io.verigrid.node.provider.ProviderNode;
import io.verigrid.node.verifier.VerifierNode;
import io.verigrid.verify.Hashes;
import io.verigrid.verify.ShardCommitments;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code job init --kind preprocess}, {@code job submit}, {@code job status} and {@code job result} for a preprocessing job. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PreprocessJobTest {
    private static final long TOKEN = Params.UNITS_PER_TOKEN;
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        PrintStream stdout = System.out, stderr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            var cmd = Main.commandLine();
            cmd.setErr(new java.io.PrintWriter(System.err, true));
            int code = cmd.execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8).strip(), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
    }

    @Test
    void initWritesAManifestAndCorpusThatParseAndBadManifestsNameTheirField() throws Exception {
        Path manifest = dir.resolve("prep.yaml");
        Run init = run("job", "init", manifest.toString(), "--kind", "preprocess", "--replica", "http://a:1", "--replica", "http://b:2");
        assertEquals(0, init.code(), init.err());
        PreprocessManifest m = PreprocessManifest.read(manifest);
        assertEquals(PreprocessInit.defaultSpec(), m.spec("test"));
        assertEquals(PreprocessInit.SYNTHETIC_RECORDS, m.readInput(manifest).size());
        assertEquals(List.of("http://a:1", "http://b:2"), m.input().replicas());
        TxBody.PostOrder order = m.toOrder(400, new byte[32], new TxBody.DatasetBlob("ab".repeat(32), m.input().replicas()));
        assertEquals(PreprocessManifest.ORDER_KIND, order.kind());

        String good = Files.readString(manifest);
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, good.replace("kind: preprocess", "kind: preprocess\ncolour: blue"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PreprocessManifest.read(bad)).getMessage().contains("colour"));
        Files.writeString(bad, good.replace("dedup_exact", "dedup_fuzzy"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PreprocessManifest.read(bad)).getMessage().contains("pipeline"));
        Files.writeString(bad, good.replace("    - http://b:2\n", ""));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PreprocessManifest.read(bad)).getMessage().contains("at least 2"));
        Files.writeString(bad, good.replace("max_price_per_shard: \"1\"", "max_price_per_shard: \"-1\""));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PreprocessManifest.read(bad)).getMessage().contains("max_price_per_shard"));
        Run unknown = run("job", "init", dir.resolve("x.yaml").toString(), "--kind", "video");
        assertEquals(1, unknown.code());
        assertTrue(unknown.err().contains("--kind must be mlp, lm, lm-finetune or preprocess, got video"), unknown.err());
    }

    @Test
    void aSubmittedPreprocessingJobIsVerifiedShownShardByShardAndDownloadedChecked() throws Exception {
        KeyStore store = new KeyStore(dir);
        Keys buyer = store.create("buyer", new SecureRandom());
        Keys provider = store.create("provider", new SecureRandom());
        Keys verifierKey = store.create("verifier", new SecureRandom());
        Keys r1 = store.create("r1", new SecureRandom()), r2 = store.create("r2", new SecureRandom());
        Genesis genesis = new Genesis("verigrid-preprocess-cli", List.of(new GenesisAccount(buyer.publicKey(), 1_000 * TOKEN),
                new GenesisAccount(provider.publicKey(), 1_000 * TOKEN), new GenesisAccount(verifierKey.publicKey(), 1_000 * TOKEN)),
                Params.defaults());
        try (LedgerNode node = LedgerNode.start(PeerConfig.single(dir.resolve("ledger"), LedgerNode.freePort(), genesis, 50), 0)) {
            LedgerHttp ledger = new LedgerHttp(node.url());
            new Wallet("provider", provider, ledger).submitOrThrow(new TxBody.Stake(Params.defaults().minProviderStake()));
            new Wallet("verifier", verifierKey, ledger).submitOrThrow(new TxBody.Stake(Params.defaults().minVerifierStake()));
            try (BlobNode one = replica("r1", r1, ledger); BlobNode two = replica("r2", r2, ledger);
                 ProviderNode p = new ProviderNode(new ProviderNode.Config("provider", provider, node.url(), dir.resolve("p"), 1, null, false,
                         "127.0.0.1", 0, new MarketOffer(TOKEN / 4, Duration.ofHours(1))), line -> { });
                 VerifierNode v = new VerifierNode(new VerifierNode.Config("verifier", verifierKey, node.url(), 1, Map.of(),
                         dir.resolve("v"), "127.0.0.1", 0), line -> { })) {
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (ledger.marketProviders().isEmpty() && System.nanoTime() < until) Thread.sleep(50);
                Path manifest = dir.resolve("prep.yaml");
                assertEquals(0, run("job", "init", manifest.toString(), "--kind", "preprocess", "--replica", one.url(), "--replica", two.url()).code());
                // The nodes also tokenize: the corpus travels with its tokenizer.json, which the spec names by SHA-256.
                String tokenizer = Files.readString(Path.of("..", "engine", "src", "test", "resources", "tokenizer", "gpt2-style.tokenizer.json"));
                Files.writeString(dir.resolve("gpt2.json"), tokenizer);
                var yaml = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
                var tree = (com.fasterxml.jackson.databind.node.ObjectNode) yaml.readTree(manifest.toFile());
                var steps = (com.fasterxml.jackson.databind.node.ArrayNode) tree.path("pipeline").path("steps");
                steps.insertObject(steps.size() - 1).put("step", "tokenize")
                        .put("tokenizer_sha256", io.verigrid.engine.data.Resources.tokenizerSha256(tokenizer));
                ((com.fasterxml.jackson.databind.node.ObjectNode) tree.path("pipeline").path("sharding")).put("records", 100);
                ((com.fasterxml.jackson.databind.node.ObjectNode) tree.path("input")).putArray("tokenizers").add("gpt2.json");
                tree.put("sampling_rate", 1.0);
                yaml.writeValue(manifest.toFile(), tree);

                Run submit = run("job", "submit", manifest.toString(), "--key", "buyer", "--home", dir.toString(), "--node", node.url(),
                        "--json", "--timeout", "120");
                assertEquals(0, submit.code(), submit.out() + "\n" + submit.err());
                String[] lines = submit.out().split("\n");
                JsonNode report = Json.MAPPER.readTree(lines[lines.length - 1]);
                assertEquals("DONE", report.path("status").asText());
                long orderId = report.path("orderId").asLong();
                JobView job = ledger.job(report.path("jobId").asLong());
                InputDataset input = PreprocessManifest.read(manifest).readInput(manifest);
                assertEquals(1, input.resources().tokenizerJson().size());
                assertEquals(Hashes.hex(ShardCommitments.inputRoot(input)), job.datasetRoot(), "the job commits to the corpus");
                assertTrue(job.commits().stream().allMatch(u -> u.verifiedBy().startsWith("ATTEST:")), "every shard recomputed and attested");

                Run status = run("job", "status", Long.toString(orderId), "--node", node.url());
                assertEquals(0, status.code(), status.err());
                assertTrue(status.out().contains("shards              " + job.units() + " declared"), status.out());
                assertTrue(status.out().contains("shard 1: root " + job.commits().get(0).root().substring(0, 16)), status.out());

                Path out = dir.resolve("shards");
                Run result = run("job", "result", Long.toString(orderId), "--key", "buyer", "--home", dir.toString(), "--node", node.url(),
                        "--out", out.toString());
                assertEquals(0, result.code(), result.out() + "\n" + result.err());
                Manifest written = Manifest.fromJson(Files.readString(out.resolve("manifest.json")));
                assertEquals(job.units(), written.shards().size());
                for (int k = 1; k <= job.units(); k++) {
                    Shard shard = Shard.decode(Files.readAllBytes(out.resolve(String.format("shard-%05d.bin", k))));
                    assertEquals(job.commits().get(k - 1).root(), Hashes.hex(ShardCommitments.shardRoot(shard)));
                    assertTrue(shard.records().get(0) instanceof io.verigrid.engine.data.TokenRecord, "shards hold token ids");
                }
            }
        }
    }

    private BlobNode replica(String name, Keys keys, LedgerHttp ledger) {
        BlobNode.Config d = BlobNode.Config.defaults(name, keys, dir.resolve(name));
        return new BlobNode(new BlobNode.Config(name, keys, d.dataDir(), 0, 4096, d.limits(), d.clock(), d.authWindow(),
                new LedgerAccessPolicy(ledger, keys.address())));
    }
}
