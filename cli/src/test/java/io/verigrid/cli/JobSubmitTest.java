package io.verigrid.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.verigrid.engine.MlpJob;
import io.verigrid.ledger.Genesis;
import io.verigrid.ledger.GenesisAccount;
import io.verigrid.ledger.Keys;
import io.verigrid.ledger.Params;
import io.verigrid.ledger.PeerConfig;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.node.http.Json;
import io.verigrid.node.ledger.LedgerHttp;
import io.verigrid.node.ledger.LedgerNode;
import io.verigrid.node.ledger.Wallet;
import io.verigrid.node.market.MarketOffer;
import io.verigrid.node.provider.ProviderNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code verigrid job submit} follows an order to the end and reports the cost per verified unit. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JobSubmitTest {
    private static final long TOKEN = Params.UNITS_PER_TOKEN;
    @TempDir
    Path dir;

    @Test
    void submitWaitsForTheJobAndReportsTheCostPerVerifiedUnit() throws Exception {
        KeyStore store = new KeyStore(dir);
        Keys buyer = store.create("buyer", new SecureRandom());
        Keys provider = store.create("provider", new SecureRandom());
        Genesis genesis = new Genesis("verigrid-submit-test", List.of(new GenesisAccount(buyer.publicKey(), 1_000 * TOKEN),
                new GenesisAccount(provider.publicKey(), 1_000 * TOKEN)), Params.defaults());
        try (LedgerNode node = LedgerNode.start(PeerConfig.single(dir.resolve("ledger"), LedgerNode.freePort(), genesis, 50), 0)) {
            LedgerHttp ledger = new LedgerHttp(node.url());
            new Wallet("provider", provider, ledger).submitOrThrow(new TxBody.Stake(Params.defaults().minProviderStake()));
            try (ProviderNode p = new ProviderNode(new ProviderNode.Config("provider", provider, node.url(), dir.resolve("p"), 1, null, false,
                    "127.0.0.1", 0, new MarketOffer(TOKEN / 4, Duration.ofHours(1))), line -> { })) {
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (ledger.marketProviders().isEmpty() && System.nanoTime() < until) Thread.sleep(50);
                Path manifest = dir.resolve("job.yaml");
                Files.writeString(manifest, JobManifest.template(new MlpJob(5, 8, 16, 2, 128, 32, 0.05f, 0.9f, 40, 10), "1"));

                ByteArrayOutputStream captured = new ByteArrayOutputStream();
                PrintStream stdout = System.out;
                System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
                int code;
                try {
                    code = Main.commandLine().execute("job", "submit", manifest.toString(), "--key", "buyer", "--home", dir.toString(),
                            "--node", node.url(), "--json", "--timeout", "100");
                } finally {
                    System.setOut(stdout);
                }
                String[] lines = captured.toString(StandardCharsets.UTF_8).strip().split("\n");
                assertEquals(0, code, String.join("\n", lines));
                JsonNode report = Json.MAPPER.readTree(lines[lines.length - 1]);
                assertEquals("DONE", report.path("status").asText());
                assertEquals(4, report.path("verifiedUnits").asInt());
                assertEquals(TOKEN / 4, report.path("costPerVerifiedUnit").asLong(), "the provider's ask, not the buyer's maximum");
                assertEquals(4 * TOKEN / 4, report.path("spent").asLong());
                assertEquals(4 * TOKEN - 4 * TOKEN / 4, report.path("refunded").asLong());
                // The manifest's 10 % is above the chain's floor for 1 token a unit against a 50-token slash (19 608 ppm).
                JsonNode economics = report.path("economics");
                assertEquals(100_000, economics.path("samplePpm").asInt());
                assertEquals(50 * TOKEN, economics.path("slash").asLong());
                assertEquals(TOKEN / 4, economics.path("cheatGain").asLong(), "C: the unit's price");
                assertEquals(0.1 * (50 * TOKEN + TOKEN / 4), economics.path("expectedLoss").asDouble(), 1);
                assertTrue(economics.path("margin").asDouble() > 0 && economics.path("cheatingLoses").asBoolean(), economics.toString());
            }
        }
    }
    @Test
    void submitRefusesAJobWithAnOperatorNoDisputeCouldSettleWithinTheChainsBound() throws Exception {
        KeyStore store = new KeyStore(dir);
        Keys buyer = store.create("buyer", new SecureRandom());
        // Under 512 KiB the first layer's matmul is tiled, but the bias add after it reads 516 KiB whole.
        Genesis genesis = new Genesis("verigrid-submit-test", List.of(new GenesisAccount(buyer.publicKey(), 1_000 * TOKEN)),
                Params.defaults().withMaxRefereeBytes(512 * 1024));
        try (LedgerNode node = LedgerNode.start(PeerConfig.single(dir.resolve("ledger"), LedgerNode.freePort(), genesis, 50), 0)) {
            Path manifest = dir.resolve("job.yaml");
            Files.writeString(manifest, JobManifest.template(new MlpJob(3, 256, 1024, 4, 256, 128, 0.05f, 0.9f, 2, 1), "1"));
            java.io.StringWriter err = new java.io.StringWriter();
            picocli.CommandLine cli = Main.commandLine();
            cli.setErr(new java.io.PrintWriter(err, true));
            int code = cli.execute("job", "submit", manifest.toString(), "--key", "buyer", "--home", dir.toString(),
                    "--node", node.url(), "--no-wait");
            assertNotEquals(0, code);
            assertTrue(err.toString().contains("refused before posting: job: operator #3 (add_bias) reads 528384 bytes, more than"
                    + " maxRefereeBytes 524288"), err.toString());
            LedgerHttp ledger = new LedgerHttp(node.url());
            assertTrue(ledger.marketOrders().isEmpty(), "nothing was posted");
            assertEquals(0, ledger.account(buyer.address()).nonce());
        }
    }
}
