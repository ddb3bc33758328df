package io.verigrid.cli;

import static org.junit.jupiter.api.Assertions.*;

import io.verigrid.engine.MlpJob;
import io.verigrid.ledger.AccountView;
import io.verigrid.ledger.Genesis;
import io.verigrid.ledger.GenesisAccount;
import io.verigrid.ledger.JobView;
import io.verigrid.ledger.Keys;
import io.verigrid.ledger.MarketViews.LeaseView;
import io.verigrid.ledger.MarketViews.OrderView;
import io.verigrid.ledger.Params;
import io.verigrid.ledger.UnitView;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.node.ledger.LedgerHttp;
import io.verigrid.node.ledger.Wallet;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The market across real processes on loopback: a ledger node and three {@code verigrid provider start}
 * processes asking different prices. The cheapest wins the auction, is killed with SIGKILL mid-job, its lease
 * fails on missed heartbeats, the order is re-auctioned and the next provider completes it. The buyer pays
 * exactly the verified units at the price of the lease each was committed under (less the forfeited deposit),
 * and the dead provider's stake is docked.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class MarketProcessTest {
    private static final long TOKEN = Params.UNITS_PER_TOKEN;
    @TempDir
    Path dir;
    private final List<Process> processes = new ArrayList<>();
    private String url;

    @AfterEach
    void stopAll() {
        for (Process p : processes) p.destroyForcibly();
    }

    @Test
    void theCheapestProviderWinsIsKilledAndTheReAuctionedJobCompletesPayingOnlyVerifiedUnits() throws Exception {
        KeyStore store = new KeyStore(dir);
        SecureRandom random = new SecureRandom();
        Keys buyer = store.create("buyer", random);
        List<Keys> providers = List.of(store.create("p1", random), store.create("p2", random), store.create("p3", random));
        List<GenesisAccount> funded = new ArrayList<>();
        funded.add(new GenesisAccount(buyer.publicKey(), 1_000 * TOKEN));
        for (Keys k : providers) funded.add(new GenesisAccount(k.publicKey(), 1_000 * TOKEN));
        Path genesis = dir.resolve("genesis.json");
        new Genesis("verigrid-market-test", funded, Params.defaults()).write(genesis);
        int http = freePort();
        url = "http://127.0.0.1:" + http;
        start("ledger", "node", "--role", "ledger", "--genesis", genesis.toString(), "--port", Integer.toString(freePort()),
                "--http-port", Integer.toString(http), "--data-dir", dir.resolve("ledger").toString(), "--block-ms", "200");
        LedgerHttp ledger = new LedgerHttp(url);
        await("the ledger node", 60, () -> reachable(ledger));

        long stake = Params.defaults().minProviderStake();
        for (int i = 0; i < 3; i++) {
            new Wallet("p" + (i + 1), providers.get(i), ledger).submitOrThrow(new TxBody.Stake(stake));
            start("p" + (i + 1), "provider", "start", "--key", "p" + (i + 1), "--ask", Integer.toString(i + 1), "--home", dir.toString(),
                    "--node", url, "--data-dir", dir.resolve("data-p" + (i + 1)).toString());
        }
        await("three registered providers", 90, () -> ledger.marketProviders().size() == 3);

        MlpJob spec = new MlpJob(7, 16, 64, 4, 2048, 64, 0.05f, 0.9f, 120, 10);
        Path manifest = dir.resolve("job.yaml");
        Files.writeString(manifest, JobManifest.template(spec, "5"));
        long buyerBefore = ledger.account(buyer.address()).balance();
        assertEquals(0, Main.commandLine().execute("job", "submit", manifest.toString(), "--key", "buyer", "--home", dir.toString(),
                "--node", url, "--no-wait"));

        await("a lease of order 1 with a committed unit", 60, () -> {
            OrderView o = ledger.marketOrder(1);
            return "LEASED".equals(o.status()) && ledger.job(o.jobId()).nextUnit() > 2;
        });
        LeaseView first = ledger.marketLeases().get(0);
        assertEquals(providers.get(0).address(), first.provider(), "the lowest ask wins");
        assertEquals(TOKEN, first.unitPrice());
        processes.get(1).destroyForcibly().waitFor(); // kill -9 the winner mid-job

        await("the failed lease and a second one", 60, () -> ledger.marketLeases().size() == 2);
        LeaseView failed = ledger.marketLeases().get(0);
        assertEquals("FAILED", failed.status());
        assertTrue(failed.reason().contains("heartbeat"), failed.reason());
        LeaseView second = ledger.marketLeases().get(1);
        assertEquals(providers.get(1).address(), second.provider(), "the next lowest ask wins the re-auction");

        await("order 1 done", 120, () -> "DONE".equals(ledger.marketOrder(1).status()));
        JobView job = ledger.job(1);
        long expected = 0;
        for (UnitView u : job.commits()) {
            assertTrue(u.verified());
            long price = u.provider().equals(first.provider()) ? first.unitPrice() : second.unitPrice();
            assertEquals(price, u.paid(), "unit " + u.unit() + " pays its lease's price");
            expected += price;
        }
        assertEquals(expected, job.paid());
        long deposit = ledger.marketParams().bidDeposit();
        long fee = Params.defaults().txFee();
        assertEquals(buyerBefore - fee - expected + deposit, ledger.account(buyer.address()).balance(),
                "the buyer spent exactly the verified units, got the rest of the escrow back and the dead provider's deposit");
        AccountView dead = ledger.account(providers.get(0).address());
        assertTrue(dead.stake() < stake, "the dead provider's stake is docked: " + dead.stake());
        assertEquals("LEASE_FAILED", dead.penalties().get(0).kind());
        assertEquals(1, ledger.marketProvider(providers.get(0).address()).leasesFailed());
        assertEquals(1, ledger.marketProvider(providers.get(1).address()).leasesCompleted());

        // The buyer's side of the CLI on the finished job: report, history, and the weights from the provider's node.
        assertEquals(0, run("job", "status", "1", "--json"), "job status");
        assertEquals(0, run("job", "logs", "1"), "job logs");
        assertEquals(0, run("market", "leases", "--json"), "market leases");
        assertEquals(0, run("provider", "status", "p1"), "provider status");
        Path weights = dir.resolve("model.safetensors");
        assertEquals(0, run("job", "result", "1", "--key", "buyer", "--out", weights.toString()), "job result");
        assertTrue(Files.size(weights) > 0);
    }

    private int run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--home", dir.toString(), "--node", url));
        return Main.commandLine().execute(all.toArray(String[]::new));
    }

    private void start(String name, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        File log = dir.resolve(name + ".log").toFile();
        processes.add(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start());
    }

    private static boolean reachable(LedgerHttp ledger) {
        try {
            return ledger.status().height() > 0;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private void await(String what, int seconds, BooleanSupplier done) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            try {
                if (done.getAsBoolean()) return;
            } catch (RuntimeException notYet) {
                // a node still starting
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        StringBuilder logs = new StringBuilder();
        for (String name : List.of("ledger", "p1", "p2", "p3")) {
            Path log = dir.resolve(name + ".log");
            if (Files.exists(log)) logs.append("\n--- ").append(name).append(" ---\n").append(Files.readString(log));
        }
        fail("timed out waiting for " + what + logs);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
