package io.verigrid.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.verigrid.engine.MlpJob;
import io.verigrid.ledger.Genesis;
import io.verigrid.ledger.GenesisAccount;
import io.verigrid.ledger.Keys;
import io.verigrid.ledger.MarketViews.OrderView;
import io.verigrid.ledger.Params;
import io.verigrid.ledger.PeerConfig;
import io.verigrid.ledger.TxResult;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.node.ledger.LedgerHttp;
import io.verigrid.node.ledger.LedgerNode;
import io.verigrid.node.ledger.Wallet;
import io.verigrid.node.market.MarketOffer;
import io.verigrid.node.provider.ProviderNode;
import io.verigrid.verify.Commitments;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code verigrid bench market}: a one-peer ledger node and {@code --providers} real provider nodes in this JVM,
 * each with its own HTTP server, wallet and work loop, each measuring its capability once (the engine matmul
 * benchmark) and registering it. Then (1) submit-to-lease: one order at a time, the time from its PostOrder
 * being committed to the ledger showing it LEASED, over the auction every provider can bid in; (2) throughput:
 * {@code --orders} orders posted together, matched per second from the first submit to the last lease.
 */
@Command(name = "market", mixinStandardHelpOptions = true,
        description = "Orders matched per second and submit-to-lease time with many real provider nodes bidding over HTTP.")
public final class MarketBench implements Callable<Integer> {
    private static final long TOKEN = Params.UNITS_PER_TOKEN;

    @Option(names = "--providers", defaultValue = "100", description = "Provider nodes. Default: ${DEFAULT-VALUE}.")
    int providers;

    @Option(names = "--orders", defaultValue = "40", description = "Orders in the throughput run. Default: ${DEFAULT-VALUE}.")
    int orders;

    @Option(names = "--latency-orders", defaultValue = "5", description = "Orders timed one by one. Default: ${DEFAULT-VALUE}.")
    int latencyOrders;

    @Option(names = "--block-ms", defaultValue = "100", description = "Block interval. Default: ${DEFAULT-VALUE}.")
    long blockMillis;

    @Option(names = "--auction-blocks", defaultValue = "3", description = "Auction length of every order. Default: ${DEFAULT-VALUE}.")
    int auctionBlocks;

    @Option(names = "--json", description = "End with one JSON line: orders_matched_per_s, submit_to_lease_ms, providers.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (providers < 1 || orders < 1 || latencyOrders < 1) throw new IllegalArgumentException("--providers, --orders and --latency-orders must be positive");
        Path dir = Files.createTempDirectory("verigrid-bench-market");
        List<Keys> providerKeys = new ArrayList<>();
        List<GenesisAccount> funded = new ArrayList<>();
        Keys buyer = key(0);
        funded.add(new GenesisAccount(buyer.publicKey(), 1_000_000 * TOKEN));
        for (int i = 1; i <= providers; i++) {
            providerKeys.add(key(i));
            funded.add(new GenesisAccount(key(i).publicKey(), 1_000 * TOKEN));
        }
        Genesis genesis = new Genesis("verigrid-bench-market", funded, Params.defaults());
        List<ProviderNode> nodes = new ArrayList<>();
        try (LedgerNode ledgerNode = LedgerNode.start(PeerConfig.single(dir.resolve("ledger"), LedgerNode.freePort(), genesis, blockMillis), 0)) {
            LedgerHttp ledger = new LedgerHttp(ledgerNode.url());
            long start = System.nanoTime();
            for (int i = 0; i < providers; i++) {
                Keys k = providerKeys.get(i);
                new Wallet("p" + i, k, ledger).submitOrThrow(new TxBody.Stake(Params.defaults().minProviderStake()));
                // Asks spread over 1..2 tokens so the auctions have a real lowest price to find.
                MarketOffer offer = new MarketOffer(TOKEN + (long) i * TOKEN / providers, Duration.ofHours(1));
                nodes.add(new ProviderNode(new ProviderNode.Config("p" + i, k, ledgerNode.url(), dir.resolve("p" + i), 1, null, false,
                        "127.0.0.1", 0, offer), line -> { }));
            }
            awaitProviders(ledger);
            double startupSeconds = (System.nanoTime() - start) / 1e9;
            long measured = ledger.marketProviders().stream().mapToLong(p -> p.mflops()).sum() / providers;
            System.out.printf("%d provider nodes up, measured and registered in %.1f s (mean %.2f GFLOP/s each)%n", providers, startupSeconds, measured / 1000.0);

            Wallet wallet = new Wallet("buyer", buyer, ledger);
            MlpJob spec = new MlpJob(11, 8, 16, 2, 128, 32, 0.05f, 0.9f, 10, 10);
            TxBody.PostOrder order = new TxBody.PostOrder(1, spec.encode(), Commitments.datasetRoot(spec.dataset()), 2 * TOKEN, 0, 0, 0,
                    auctionBlocks, 10_000);

            double[] latencies = new double[latencyOrders];
            long nextOrder = 1;
            for (int i = 0; i < latencyOrders; i++) {
                long t0 = System.nanoTime();
                submit(wallet, order);
                awaitLeased(ledger, nextOrder, nextOrder);
                latencies[i] = (System.nanoTime() - t0) / 1e6;
                nextOrder++;
            }
            Arrays.sort(latencies);
            double submitToLeaseMs = latencies[latencies.length / 2];
            System.out.printf("submit to lease: median %.0f ms over %d orders (auction %d blocks of %d ms; min %.0f, max %.0f)%n",
                    submitToLeaseMs, latencyOrders, auctionBlocks, blockMillis, latencies[0], latencies[latencies.length - 1]);

            awaitIdle(ledger);
            long first = nextOrder;
            long t0 = System.nanoTime();
            for (int i = 0; i < orders; i++) submit(wallet, order);
            awaitLeased(ledger, first, first + orders - 1);
            double seconds = (System.nanoTime() - t0) / 1e9;
            double matchedPerSecond = orders / seconds;
            System.out.printf("throughput: %d orders posted together, all leased in %.2f s: %.1f orders matched per second%n",
                    orders, seconds, matchedPerSecond);

            if (json) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("bench", "market");
                out.put("providers", providers);
                out.put("orders", orders);
                out.put("block_ms", blockMillis);
                out.put("auction_blocks", auctionBlocks);
                out.put("orders_matched_per_s", Math.round(matchedPerSecond * 10) / 10.0);
                out.put("submit_to_lease_ms", Math.round(submitToLeaseMs));
                out.put("mean_provider_gflops", Math.round(measured / 10.0) / 100.0);
                System.out.println(new ObjectMapper().writeValueAsString(out));
            }
        } finally {
            for (ProviderNode n : nodes) n.close();
            deleteTree(dir);
        }
        return 0;
    }

    private static void submit(Wallet wallet, TxBody.PostOrder order) {
        TxResult r = wallet.submit(order);
        if (!r.accepted()) throw new IllegalStateException("order rejected: " + r.code() + " " + r.message());
    }

    private void awaitProviders(LedgerHttp ledger) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (ledger.marketProviders().size() < providers) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("only " + ledger.marketProviders().size() + " providers registered");
            Thread.sleep(100);
        }
    }

    /** Waits until orders {@code from..to} are all LEASED (or already DONE). */
    private static void awaitLeased(LedgerHttp ledger, long from, long to) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (true) {
            long leased = ledger.marketOrders().stream().filter(o -> o.id() >= from && o.id() <= to)
                    .filter(o -> "LEASED".equals(o.status()) || "DONE".equals(o.status())).count();
            if (leased == to - from + 1) return;
            if (System.nanoTime() > deadline) throw new IllegalStateException("orders " + from + ".." + to + ": only " + leased + " leased");
            Thread.sleep(5);
        }
    }

    /** Waits until no lease is active, so the throughput run starts with every provider free. */
    private static void awaitIdle(LedgerHttp ledger) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (ledger.marketOrders().stream().map(OrderView::status).anyMatch(s -> s.equals("LEASED") || s.equals("AUCTION"))) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("leases still active after 2 minutes");
            Thread.sleep(100);
        }
    }

    private static Keys key(int i) {
        byte[] seed = new byte[32];
        seed[0] = (byte) i;
        seed[1] = (byte) (i >> 8);
        seed[2] = 0x4d;
        return Keys.fromSeed(seed);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) Files.deleteIfExists(p);
        }
    }
}
