package io.verigrid.cli;

import io.verigrid.ledger.Genesis;
import io.verigrid.ledger.PeerConfig;
import io.verigrid.node.ledger.LedgerNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code verigrid node}: one long-running participant. {@code --role ledger} runs a Ratis ledger peer with its
 * HTTP API; the option takes a comma-separated list so a node can later hold several roles. SIGTERM (or
 * Ctrl-C) stops it cleanly; a peer that halts on a state-root mismatch exits with code 3.
 */
@Command(name = "node", mixinStandardHelpOptions = true,
        description = {
            "Run a Verigrid node.",
            "%nLedger peer: one process per peer. Alone (no --peers) it is a one-peer chain; with",
            "--peers p1=127.0.0.1:7001,p2=127.0.0.1:7002,p3=127.0.0.1:7003 each peer runs as its own process",
            "and Ratis replicates the log. The data directory is resumed on restart (snapshot + log replay)."
        })
final class NodeCommand implements Callable<Integer> {
    static final Set<String> ROLES = Set.of("ledger");

    @Option(names = "--role", defaultValue = "ledger", split = ",", description = "Roles to run. This build runs: ledger. Default: ${DEFAULT-VALUE}.")
    List<String> roles;

    @Option(names = "--id", defaultValue = "p1", description = "This peer's id. Default: ${DEFAULT-VALUE}.")
    String id;

    @Option(names = "--peers", split = ",", paramLabel = "ID=HOST:PORT",
            description = "The whole ledger group, this peer included. Omit for a one-peer chain on --port.")
    List<String> peers = new ArrayList<>();

    @Option(names = "--port", defaultValue = "7001", description = "Ratis port of a one-peer chain. Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--http-host", defaultValue = "127.0.0.1", description = "HTTP API bind address. Default: ${DEFAULT-VALUE}.")
    String httpHost;

    @Option(names = "--http-port", defaultValue = "8545", description = "HTTP API port (0: any free). Default: ${DEFAULT-VALUE}.")
    int httpPort;

    @Option(names = "--data-dir", description = "Raft log and snapshots. Default: ~/.verigrid/node-ID.")
    Path dataDir;

    @Option(names = "--genesis", required = true, description = "The chain's genesis JSON (see `verigrid ledger genesis`).")
    Path genesis;

    @Option(names = "--block-ms", defaultValue = "1000", description = "Block interval of the leader in ms. Default: ${DEFAULT-VALUE}.")
    long blockMillis;

    @Override
    public Integer call() throws InterruptedException {
        for (String role : new LinkedHashSet<>(roles)) {
            if (!ROLES.contains(role)) throw new IllegalArgumentException("--role " + role + " is not a role this build runs; roles: " + ROLES);
        }
        if (blockMillis < 10) throw new IllegalArgumentException("--block-ms must be at least 10, got " + blockMillis);
        Genesis chain = Genesis.read(genesis);
        Path data = dataDir != null ? dataDir : Path.of(System.getProperty("user.home"), ".verigrid", "node-" + id);
        PeerConfig config = peerConfig(chain, data);

        LedgerNode node = LedgerNode.start(config, httpHost, httpPort);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            node.close();
            stopped.countDown();
        }, "verigrid-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        System.out.println("ledger peer " + id + " of chain " + chain.chainId() + " at " + config.host() + ":" + config.port()
                + ", HTTP API " + "http://" + httpHost + ":" + node.port() + ", data " + data.toAbsolutePath());
        System.out.flush();
        while (!stopped.await(250, TimeUnit.MILLISECONDS)) {
            String halt = node.peer().haltReason();
            if (halt != null) {
                System.err.println("verigrid: ledger peer " + id + " HALTED: " + halt);
                return 3;
            }
        }
        return 0;
    }

    private PeerConfig peerConfig(Genesis chain, Path data) {
        if (peers.isEmpty()) return new PeerConfig(id, data, "127.0.0.1", port, List.of(), chain, blockMillis);
        String mine = peers.stream().filter(p -> p.startsWith(id + "=")).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("--peers must include this peer's id " + id + ", got " + peers));
        String address = mine.substring(id.length() + 1);
        int colon = address.lastIndexOf(':');
        if (colon <= 0) throw new IllegalArgumentException("--peers entry must be id=host:port, got " + mine);
        int peerPort;
        try {
            peerPort = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--peers entry must be id=host:port, got " + mine);
        }
        return new PeerConfig(id, data, address.substring(0, colon), peerPort, peers, chain, blockMillis);
    }
}
