package io.verigrid.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.verigrid.ledger.Genesis;
import io.verigrid.ledger.GenesisAccount;
import io.verigrid.ledger.Keys;
import io.verigrid.ledger.LedgerClient;
import io.verigrid.ledger.LedgerPeer;
import io.verigrid.ledger.Params;
import io.verigrid.ledger.PeerConfig;
import io.verigrid.ledger.TxResult;
import io.verigrid.ledger.tx.SignedTx;
import io.verigrid.ledger.tx.Tx;
import io.verigrid.ledger.tx.TxBody;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code verigrid bench ledger}: signed transfers committed per second and commit latency, for a one-peer
 * chain and a three-peer Ratis group on loopback (all peers in this JVM, each its own Ratis server, state
 * machine and signature pool). Transactions are signed before the clock starts; the measured path is the
 * real one: the submitting peer's batcher checks signatures in parallel before ordering, Raft replicates
 * the batch entries, every peer applies them (followers verify the signatures again, in parallel).
 *
 * <p>Peak: all transfers submitted at once (a bounded window outstanding), rate = committed / elapsed.
 * Latency: a fresh set submitted open-loop at a steady half of that peak, each timed from its intended send
 * time to its result.
 */
@Command(name = "ledger", mixinStandardHelpOptions = true,
        description = "Signed transfers per second and p50/p99 commit latency, one peer and three peers on loopback.")
public final class LedgerBench implements Callable<Integer> {
    private static final String CHAIN = "verigrid-bench";
    private static final int WINDOW = 20_000;

    @Option(names = "--accounts", defaultValue = "1000", description = "Sending accounts. Default: ${DEFAULT-VALUE}.")
    int accounts;

    @Option(names = "--txs", defaultValue = "60000", description = "Transfers in the peak run. Default: ${DEFAULT-VALUE}.")
    int txs;

    @Option(names = "--latency-seconds", defaultValue = "4", description = "Length of the half-load run. Default: ${DEFAULT-VALUE}.")
    int latencySeconds;

    @Option(names = "--peers", split = ",", defaultValue = "1,3", description = "Group sizes to measure. Default: ${DEFAULT-VALUE}.")
    List<Integer> peerCounts;

    @Option(names = "--json", description = "End with one JSON line: tx_per_s_1peer, tx_per_s_3peers, p50/p99 ms per group size.")
    boolean json;

    record Result(int peers, double txPerSecond, long committed, long rejected, double p50Millis, double p99Millis, double halfRate) {}

    @Override
    public Integer call() throws Exception {
        if (accounts < 1 || txs < accounts) throw new IllegalArgumentException("--txs must be at least --accounts (" + accounts + "), got " + txs);
        if (latencySeconds < 1) throw new IllegalArgumentException("--latency-seconds must be at least 1, got " + latencySeconds);
        for (int n : peerCounts) if (n < 1 || n > 7) throw new IllegalArgumentException("--peers entries must be in 1..7, got " + n);
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf("ledger bench: %d cores, %d accounts, %d transfers per peak run, Ed25519 via BouncyCastle%n", cores, accounts, txs);
        List<Result> results = new ArrayList<>();
        for (int n : peerCounts) {
            Result r = run(n);
            results.add(r);
            System.out.printf("%d peer%s: %,.0f tx/s peak (%d committed, %d rejected); at %,.0f tx/s: p50 %.1f ms, p99 %.1f ms%n",
                    n, n == 1 ? " " : "s", r.txPerSecond(), r.committed(), r.rejected(), r.halfRate(), r.p50Millis(), r.p99Millis());
        }
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("bench", "ledger");
            out.put("cores", cores);
            out.put("accounts", accounts);
            out.put("txs", txs);
            for (Result r : results) {
                String suffix = r.peers() == 1 ? "_1peer" : "_" + r.peers() + "peers";
                out.put("tx_per_s" + suffix, Math.round(r.txPerSecond()));
                out.put("p50_ms" + suffix, round(r.p50Millis()));
                out.put("p99_ms" + suffix, round(r.p99Millis()));
                out.put("half_load_tx_per_s" + suffix, Math.round(r.halfRate()));
            }
            System.out.println(new ObjectMapper().writeValueAsString(out));
        }
        return 0;
    }

    private Result run(int peerCount) throws Exception {
        List<Keys> senders = new ArrayList<>();
        List<GenesisAccount> funded = new ArrayList<>();
        for (int i = 0; i < accounts; i++) {
            byte[] seed = new byte[32];
            seed[0] = (byte) i;
            seed[1] = (byte) (i >>> 8);
            seed[2] = (byte) (i >>> 16);
            seed[31] = 0x42;
            Keys k = Keys.fromSeed(seed);
            senders.add(k);
            funded.add(new GenesisAccount(k.publicKey(), 1_000_000 * Params.UNITS_PER_TOKEN));
        }
        Genesis genesis = new Genesis(CHAIN, funded, Params.defaults());
        Path dir = Files.createTempDirectory("verigrid-ledger-bench");
        List<LedgerPeer> peers = startGroup(peerCount, genesis, dir);
        try {
            LedgerPeer leader = awaitLeader(peers);
            LedgerClient client = leader.client();
            long[] nonces = new long[accounts];
            // Warm-up, not measured: the JIT (C2 needs every peer's apply and signature path hot), the Raft
            // pipeline, the signature pools and G1's young-generation sizing for the pause goal.
            submitAll(client, sign(senders, nonces, Math.max(accounts, txs)));
            List<SignedTx> peak = sign(senders, nonces, txs);
            long start = System.nanoTime();
            long[] outcome = submitAll(client, peak);
            double seconds = (System.nanoTime() - start) / 1e9;
            double rate = outcome[0] / seconds;

            double half = rate / 2;
            List<SignedTx> paced = sign(senders, nonces, (int) Math.max(accounts, half * latencySeconds));
            double[] latencies = paced(client, paced, half);
            return new Result(peerCount, rate, outcome[0], outcome[1], percentile(latencies, 50), percentile(latencies, 99), half);
        } finally {
            peers.forEach(LedgerPeer::close);
            deleteTree(dir);
        }
    }

    /** Transfers in nonce order per sender, interleaved across senders, signed in parallel before timing. */
    private List<SignedTx> sign(List<Keys> senders, long[] nonces, int count) throws Exception {
        byte[] receiver = senders.get(0).publicKey();
        long fee = Params.defaults().txFee();
        List<Tx> unsigned = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int s = i % senders.size();
            unsigned.add(new Tx(CHAIN, senders.get(s).publicKey(), ++nonces[s], fee, new TxBody.Transfer(receiver, 1)));
        }
        int threads = Runtime.getRuntime().availableProcessors();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            SignedTx[] signed = new SignedTx[count];
            List<Future<?>> parts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                parts.add(pool.submit(() -> {
                    for (int i = first; i < count; i += threads) {
                        signed[i] = SignedTx.sign(unsigned.get(i), senders.get(i % senders.size()));
                    }
                }));
            }
            for (Future<?> f : parts) f.get();
            return Arrays.asList(signed);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Submits everything with at most {@link #WINDOW} outstanding; returns {committed, rejected}. */
    private static long[] submitAll(LedgerClient client, List<SignedTx> txs) throws Exception {
        Semaphore window = new Semaphore(WINDOW);
        AtomicLong committed = new AtomicLong(), rejected = new AtomicLong();
        List<CompletableFuture<TxResult>> all = new ArrayList<>(txs.size());
        for (SignedTx tx : txs) {
            window.acquire();
            all.add(client.submitAsync(tx).whenComplete((r, e) -> {
                window.release();
                if (e == null && r.accepted()) committed.incrementAndGet();
                else rejected.incrementAndGet();
            }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).exceptionally(e -> null).get(10, TimeUnit.MINUTES);
        return new long[] {committed.get(), rejected.get()};
    }

    /**
     * Open-loop load: transaction i is due at {@code start + i / rate} whatever happened to earlier ones, and its
     * latency runs from that intended time to its result, so a stalled submitter or ledger counts against the
     * ledger instead of hiding (no coordinated omission). Due transactions go out once per millisecond tick, so
     * the submitting thread sleeps instead of spinning on a core the peers need; a tick adds at most ~1 ms.
     */
    private static double[] paced(LedgerClient client, List<SignedTx> txs, double rate) throws Exception {
        double[] latencies = new double[txs.size()];
        List<CompletableFuture<TxResult>> all = new ArrayList<>(txs.size());
        double nanosPerTx = 1e9 / rate;
        long start = System.nanoTime();
        int next = 0;
        while (next < txs.size()) {
            long now = System.nanoTime();
            for (; next < txs.size() && start + (long) (next * nanosPerTx) <= now; next++) {
                long intended = start + (long) (next * nanosPerTx);
                int index = next;
                all.add(client.submitAsync(txs.get(index))
                        .whenComplete((r, e) -> latencies[index] = (System.nanoTime() - intended) / 1e6));
            }
            Thread.sleep(1);
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
        return latencies;
    }

    private static double percentile(double[] values, int p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static List<LedgerPeer> startGroup(int n, Genesis genesis, Path dir) throws IOException {
        List<String> group = new ArrayList<>();
        List<Integer> ports = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            ports.add(freePort());
            group.add("p" + i + "=127.0.0.1:" + ports.get(i - 1));
        }
        List<LedgerPeer> peers = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            peers.add(LedgerPeer.start(new PeerConfig("p" + i, dir.resolve("p" + i), "127.0.0.1", ports.get(i - 1),
                    n == 1 ? List.of() : group, genesis, 1000)));
        }
        return peers;
    }

    private static LedgerPeer awaitLeader(List<LedgerPeer> peers) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            for (LedgerPeer p : peers) if (p.isLeader()) return p;
            Thread.sleep(50);
        }
        throw new IllegalStateException("no ledger leader elected within 60 s");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
