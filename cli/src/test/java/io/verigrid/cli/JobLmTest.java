package io.verigrid.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.verigrid.engine.FineTuneResult;
import io.verigrid.engine.Tensor;
import io.verigrid.engine.io.Safetensors;
import io.verigrid.ledger.Genesis;
import io.verigrid.ledger.GenesisAccount;
import io.verigrid.ledger.JobView;
import io.verigrid.ledger.Keys;
import io.verigrid.ledger.MarketViews.OrderView;
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
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code verigrid job init --kind lm-finetune}, {@code job submit} and {@code job result} against a real ledger,
 * two blob replicas, a market provider and a verifier: the dataset and the base checkpoint are published to the
 * replicas, the LoRA job is leased, trained, verified and paid, and the result is the PEFT adapter as safetensors.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class JobLmTest {
    private static final long TOKEN = Params.UNITS_PER_TOKEN;
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {}

    private Run cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        PrintStream stdout = System.out, stderr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Main.commandLine().execute(args);
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
    void aLoraFineTuningJobIsSubmittedFromItsManifestPaidAndItsAdapterWrittenAsSafetensors() throws Exception {
        KeyStore store = new KeyStore(dir);
        Keys buyer = store.create("buyer", new SecureRandom());
        Keys provider = store.create("provider", new SecureRandom());
        Keys verifierKey = store.create("verifier", new SecureRandom());
        Keys r1 = store.create("r1", new SecureRandom()), r2 = store.create("r2", new SecureRandom());
        Genesis genesis = new Genesis("verigrid-job-lm-test", List.of(new GenesisAccount(buyer.publicKey(), 1_000 * TOKEN),
                new GenesisAccount(provider.publicKey(), 1_000 * TOKEN), new GenesisAccount(verifierKey.publicKey(), 1_000 * TOKEN)),
                Params.defaults());
        try (LedgerNode node = LedgerNode.start(PeerConfig.single(dir.resolve("ledger"), LedgerNode.freePort(), genesis, 50), 0)) {
            LedgerHttp ledger = new LedgerHttp(node.url());
            new Wallet("provider", provider, ledger).submitOrThrow(new TxBody.Stake(Params.defaults().minProviderStake()));
            new Wallet("verifier", verifierKey, ledger).submitOrThrow(new TxBody.Stake(Params.defaults().minVerifierStake()));
            try (BlobNode one = replica("r1", r1, ledger); BlobNode two = replica("r2", r2, ledger);
                 ProviderNode p = new ProviderNode(new ProviderNode.Config("provider", provider, node.url(), dir.resolve("p"), 1, null, false,
                         "127.0.0.1", 0, new MarketOffer(TOKEN / 4, Duration.ofHours(1))), line -> { });
                 VerifierNode v = new VerifierNode(new VerifierNode.Config("verifier", verifierKey, node.url(), 1,
                         Map.of(p.address(), p.url()), dir.resolve("v"), "127.0.0.1", 0), line -> { })) {
                Path manifest = dir.resolve("job.yaml");
                Run init = cli("job", "init", manifest.toString(), "--kind", "lm-finetune", "--max-price", "1",
                        "--replica", one.url(), "--replica", two.url());
                assertEquals(0, init.code(), init.err());
                assertTrue(Files.exists(dir.resolve("base.safetensors")) && Files.exists(dir.resolve("tokens.safetensors")));
                Files.writeString(manifest, Files.readString(manifest).replace("sampling_rate: 0.1", "sampling_rate: 1"));
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (ledger.marketProviders().isEmpty() && System.nanoTime() < until) Thread.sleep(50);

                Run submit = cli("job", "submit", manifest.toString(), "--key", "buyer", "--home", dir.toString(), "--node", node.url(),
                        "--json", "--timeout", "150");
                String[] lines = submit.out().split("\n");
                assertEquals(0, submit.code(), submit.out() + "\n" + submit.err());
                JsonNode report = Json.MAPPER.readTree(lines[lines.length - 1]);
                assertEquals("DONE", report.path("status").asText());
                OrderView order = ledger.marketOrder(report.path("orderId").asLong());
                assertEquals("lm-finetune", order.kind());
                JobView job = ledger.job(order.jobId());
                assertEquals(job.units(), job.verifiedUnits());

                Path out = dir.resolve("adapter");
                Run result = cli("job", "result", Long.toString(order.id()), "--key", "buyer", "--home", dir.toString(), "--node", node.url(),
                        "--out", out.toString());
                assertEquals(0, result.code(), result.err());
                SortedMap<String, Tensor> adapter = Safetensors.decode(Files.readAllBytes(out.resolve(FineTuneResult.ADAPTER_FILE))).tensors();
                assertFalse(adapter.isEmpty());
                assertTrue(adapter.keySet().stream().allMatch(n -> n.startsWith(FineTuneResult.PEFT_PREFIX) && n.contains("lora_")), adapter.keySet().toString());
                assertTrue(Files.exists(out.resolve(FineTuneResult.ADAPTER_CONFIG)));
            }
        }
    }
}
