package io.verigrid.cli;

import static org.junit.jupiter.api.Assertions.*;

import io.verigrid.ledger.ChainStatus;
import io.verigrid.ledger.Genesis;
import io.verigrid.ledger.GenesisAccount;
import io.verigrid.ledger.Keys;
import io.verigrid.ledger.Params;
import io.verigrid.ledger.TxResult;
import io.verigrid.ledger.tx.SignedTx;
import io.verigrid.ledger.tx.Tx;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.node.http.ApiException;
import io.verigrid.node.ledger.LedgerHttp;
import io.verigrid.node.ledger.PeerView;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three {@code verigrid node --role ledger} processes on loopback. Clients submit transfers through the HTTP
 * API while the leader is killed with SIGKILL and later restarted on its data directory: every acknowledged
 * transfer is on the ledger, none is applied twice, and all three peers end on the same state root.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class LedgerProcessClusterTest {
    private static final String CHAIN = "verigrid-process-test";
    private static final long TOKEN = Params.UNITS_PER_TOKEN;
    @TempDir
    Path dir;
    private final Process[] processes = new Process[3];
    private final List<String> peers = new ArrayList<>();
    private final int[] httpPorts = new int[3];
    private Path genesisFile;

    @AfterEach
    void stopAll() {
        for (Process p : processes) if (p != null) p.destroyForcibly();
    }

    @Test
    void killingTheLeaderLosesNoAcknowledgedTransferAndAppliesNoneTwice() throws Exception {
        List<Keys> senders = List.of(key(1), key(2));
        Keys receiver = key(9);
        List<GenesisAccount> funded = new ArrayList<>();
        for (Keys k : senders) funded.add(new GenesisAccount(k.publicKey(), 1_000 * TOKEN));
        genesisFile = dir.resolve("genesis.json");
        new Genesis(CHAIN, funded, Params.defaults()).write(genesisFile);
        for (int i = 0; i < 3; i++) {
            peers.add("p" + (i + 1) + "=127.0.0.1:" + freePort());
            httpPorts[i] = freePort();
        }
        for (int i = 0; i < 3; i++) start(i);
        int leader = awaitLeader();

        Map<String, TxResult> acknowledged = new ConcurrentHashMap<>();
        Set<String> created = ConcurrentHashMap.newKeySet();
        Map<String, Long> amounts = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> clients = new ArrayList<>();
        for (Keys sender : senders) {
            Thread t = new Thread(() -> submitUntilStopped(sender, receiver, stop, created, amounts, acknowledged));
            t.start();
            clients.add(t);
        }
        awaitAtLeast(acknowledged, 30);
        processes[leader].destroyForcibly().waitFor();
        int before = acknowledged.size();
        awaitAtLeast(acknowledged, before + 30); // the two survivors elect a leader and carry on
        http(leader == 0 ? 1 : 0).snapshot();
        start(leader);
        awaitAtLeast(acknowledged, acknowledged.size() + 30);
        stop.set(true);
        for (Thread t : clients) t.join(30_000);

        LedgerHttp any = http((leader + 1) % 3);
        long appliedSum = 0;
        for (String hash : created) {
            TxResult r = recorded(any, hash);
            if (r != null && r.accepted()) appliedSum += amounts.get(hash);
            if (acknowledged.containsKey(hash)) assertTrue(r != null && r.accepted(), "acknowledged " + hash + " is missing: " + r);
        }
        long appliedCount = 0;
        for (Keys s : senders) appliedCount += any.account(s.address()).nonce();
        long recorded = created.stream().map(h -> recorded(any, h)).filter(r -> r != null && r.accepted()).count();
        assertEquals(recorded, appliedCount, "each applied transfer consumed exactly one nonce");
        assertEquals(appliedSum, any.account(receiver.address()).balance(), "the receiver got each applied transfer once");
        assertTrue(acknowledged.size() >= 90, "acknowledged " + acknowledged.size());

        List<ChainStatus> heads = awaitSameHead();
        assertEquals(heads.get(0).stateRoot(), heads.get(2).stateRoot());
        for (int i = 0; i < 3; i++) assertNull(http(i).peer().haltReason());
    }

    /**
     * The ledger's result for a transaction, or null when it never reached the ledger (a client signs its next
     * transfer before checking whether to stop, so the last one signed may never have been sent).
     */
    private static TxResult recorded(LedgerHttp ledger, String hash) {
        try {
            return ledger.tx(hash);
        } catch (ApiException e) {
            if (e.status() == 404) return null;
            throw e;
        }
    }

    private void submitUntilStopped(Keys sender, Keys receiver, AtomicBoolean stop, Set<String> created,
                                    Map<String, Long> amounts, Map<String, TxResult> acknowledged) {
        long fee = Params.defaults().txFee();
        int target = 0;
        for (long nonce = 1; !stop.get(); nonce++) {
            long amount = 1_000 + nonce;
            SignedTx tx = SignedTx.sign(new Tx(CHAIN, sender.publicKey(), nonce, fee, new TxBody.Transfer(receiver.publicKey(), amount)), sender);
            created.add(tx.hashHex());
            amounts.put(tx.hashHex(), amount);
            // Retry the same signed bytes on the next peer until one answers: a retry is DUPLICATE if the first got in.
            while (!stop.get()) {
                target = (target + 1) % 3;
                try {
                    TxResult r = new LedgerHttp("http://127.0.0.1:" + httpPorts[target]).submit(tx);
                    if (r.accepted()) acknowledged.put(r.txHash(), r);
                    if (r.accepted() || "DUPLICATE".equals(r.code())) break;
                    fail("transfer " + nonce + " refused: " + r);
                } catch (RuntimeException unreachableOrNoLeader) {
                    sleep(100);
                }
            }
        }
    }

    private void start(int i) throws IOException {
        String id = "p" + (i + 1);
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "node", "--role", "ledger", "--id", id, "--peers", String.join(",", peers),
                "--http-port", Integer.toString(httpPorts[i]), "--data-dir", dir.resolve(id).toString(),
                "--genesis", genesisFile.toString(), "--block-ms", "200");
        File log = dir.resolve(id + ".log").toFile();
        processes[i] = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
    }

    private LedgerHttp http(int i) {
        return new LedgerHttp("http://127.0.0.1:" + httpPorts[i]);
    }

    private int awaitLeader() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < 3; i++) {
                try {
                    if (peerView(i).leader()) return i;
                } catch (RuntimeException notUpYet) {
                    // keep polling
                }
            }
            sleep(200);
        }
        throw new AssertionError("no leader within 60 s");
    }

    private PeerView peerView(int i) {
        return new io.verigrid.node.http.HttpJsonClient(java.time.Duration.ofSeconds(2))
                .get("http://127.0.0.1:" + httpPorts[i] + "/ledger/peer", PeerView.class);
    }

    /** Polls until all three peers report the same applied head at one moment. */
    private List<ChainStatus> awaitSameHead() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        List<ChainStatus> heads = List.of();
        while (System.nanoTime() < deadline) {
            try {
                heads = List.of(peerView(0).local(), peerView(1).local(), peerView(2).local());
                if (heads.get(0).equals(heads.get(1)) && heads.get(1).equals(heads.get(2))) return heads;
            } catch (RuntimeException catchingUp) {
                // the restarted peer may still be starting
            }
            sleep(20);
        }
        throw new AssertionError("peers never showed the same head: " + heads);
    }

    private static void awaitAtLeast(Map<String, TxResult> acknowledged, int n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
        while (acknowledged.size() < n) {
            if (System.nanoTime() > deadline) throw new AssertionError("only " + acknowledged.size() + " of " + n + " transfers acknowledged");
            sleep(50);
        }
    }

    private static Keys key(int n) {
        byte[] seed = new byte[32];
        seed[0] = (byte) n;
        seed[1] = 0x77;
        return Keys.fromSeed(seed);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
