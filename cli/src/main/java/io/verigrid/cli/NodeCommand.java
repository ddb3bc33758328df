package io.verigrid.cli;

import io.verigrid.ledger.Genesis;
import io.verigrid.ledger.PeerConfig;
import io.verigrid.node.ledger.LedgerNode;
import io.verigrid.node.process.ProviderProcess;
import io.verigrid.node.process.SubnetRoleProcess;
import io.verigrid.node.process.VerifierProcess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code verigrid node}: one long-running participant. {@code --role ledger} runs a Ratis ledger peer with its
 * HTTP API; {@code --role provider} and {@code --role verifier} run those roles against a ledger node's API with
 * an account key from {@code --home}. SIGTERM (or Ctrl-C) stops it cleanly; a peer that halts on a state-root
 * mismatch exits with code 3.
 */
@Command(name = "node", mixinStandardHelpOptions = true,
        description = {
            "Run a Verigrid node.",
            "%nLedger peer: one process per peer. Alone (no --peers) it is a one-peer chain; with",
            "--peers p1=127.0.0.1:7001,p2=127.0.0.1:7002,p3=127.0.0.1:7003 each peer runs as its own process",
            "and Ratis replicates the log. The data directory is resumed on restart (snapshot + log replay).",
            "%nProvider: --role provider --key NAME [--ledger URL]: leases jobs, trains, commits, serves checkpoints.",
            "Verifier: --role verifier --key NAME --provider ADDRESS=URL…: samples, re-executes, attests or challenges.",
            "The key's account must hold stake on the ledger (`verigrid tx stake`) before it can lease or verify.",
            "%nMiner: --role miner --subnet ID --key NAME --model DIR: registers on the LM-quality subnet if needed,",
            "serves the model through the OpenAI-compatible gateway and its files for validators, commits to its hash.",
            "Validator: --role validator --subnet ID --key NAME [--every N]: every N blocks scores every miner on an",
            "evaluation set seeded by the chain, publishes the scores, sets weights, challenges other validators' wrong scores."
        })
final class NodeCommand implements Callable<Integer> {
    static final Set<String> ROLES = Set.of("ledger", "provider", "verifier", "gateway", "miner", "validator");

    @Option(names = "--config", paramLabel = "FILE",
            description = "A properties file of option defaults (e.g. role=provider, key=alice, http-port=8601); flags win.")
    Path config;

    @Option(names = "--role", defaultValue = "ledger", description = "ledger, provider, verifier, miner or validator (one role per process). Default: ${DEFAULT-VALUE}.")
    String role;

    @Option(names = "--subnet", description = "Miner/validator: the LM-quality subnet's id.")
    Integer subnet;

    @Option(names = "--model", description = "Gateway/miner: the Hugging Face Llama directory to serve (e.g. from `verigrid model create-tiny`).")
    Path model;

    @Option(names = "--every", defaultValue = "10", description = "Validator: blocks between scoring rounds. Default: ${DEFAULT-VALUE}.")
    int everyBlocks;

    @Option(names = "--id", defaultValue = "p1", description = "This peer's id. Default: ${DEFAULT-VALUE}.")
    String id;

    @Option(names = "--peers", split = ",", paramLabel = "ID=HOST:PORT",
            description = "The whole ledger group, this peer included. Omit for a one-peer chain on --port.")
    List<String> peers = new ArrayList<>();

    @Option(names = "--port", defaultValue = "7001", description = "Ratis port of a one-peer chain. Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--http-host", defaultValue = "127.0.0.1", description = "HTTP API bind address. Default: ${DEFAULT-VALUE}.")
    String httpHost;

    @Option(names = "--http-port", description = "HTTP port (0: any free). Default: 8545 for a ledger peer, any free port otherwise.")
    Integer httpPort;

    @Option(names = "--data-dir", description = "Raft log and snapshots. Default: ~/.verigrid/node-ID.")
    Path dataDir;

    @Option(names = "--genesis", description = "Ledger role: the chain's genesis JSON (see `verigrid ledger genesis`).")
    Path genesis;

    @Option(names = "--home", description = "Provider/verifier: where keys live (keys/NAME.json). Default: $VERIGRID_HOME or ~/.verigrid.")
    Path home;

    @Option(names = "--key", description = "Provider/verifier: the account key's name in --home.")
    String key;

    @Option(names = "--ledger", defaultValue = LedgerOptions.DEFAULT_NODE,
            description = "Provider/verifier: the ledger node's HTTP API. Default: ${DEFAULT-VALUE}.")
    String ledgerUrl;

    @Option(names = "--provider", split = ",", paramLabel = "ADDRESS=URL",
            description = "Verifier: a provider's account address and node URL, where its checkpoints are served.")
    List<String> providers = new ArrayList<>();

    @Option(names = "--threads", defaultValue = "1", description = "Provider/verifier: engine threads. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--block-ms", defaultValue = "1000", description = "Block interval of the leader in ms. Default: ${DEFAULT-VALUE}.")
    long blockMillis;

    @Override
    public Integer call() throws InterruptedException {
        if (!ROLES.contains(role)) throw new IllegalArgumentException("--role " + role + " is not a role; roles: " + ROLES);
        if (role.equals("gateway")) {
            if (model == null) throw new IllegalArgumentException("--role gateway needs --model DIR (a Hugging Face Llama directory)");
            ServeCommand.serve(model, httpHost, httpPort == null ? 0 : httpPort, threads, 32, 100_000_000L, 600);
            return 0;
        }
        if (!role.equals("ledger")) return runParticipant();
        if (genesis == null) throw new IllegalArgumentException("--role ledger needs --genesis FILE");
        if (blockMillis < 10) throw new IllegalArgumentException("--block-ms must be at least 10, got " + blockMillis);
        Genesis chain = Genesis.read(genesis);
        Path data = dataDir != null ? dataDir : Path.of(System.getProperty("user.home"), ".verigrid", "node-" + id);
        PeerConfig config = peerConfig(chain, data);

        LedgerNode node = LedgerNode.start(config, httpHost, httpPort == null ? 8545 : httpPort);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            node.close();
            stopped.countDown();
        }, "verigrid-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        System.out.println("ledger peer " + id + " of chain " + chain.chainId() + " at " + config.host() + ":" + config.port()
                + ", HTTP API " + "http://" + httpHost + ":" + node.port() + " (dashboard: /dashboard), data " + data.toAbsolutePath());
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

    /** A provider or verifier process, until SIGTERM. */
    private int runParticipant() throws InterruptedException {
        if (key == null) throw new IllegalArgumentException("--role " + role + " needs --key NAME (see `verigrid keys new`)");
        LedgerOptions keys = new LedgerOptions();
        keys.home = home;
        Path keyFile = keys.keys().file(key);
        Path data = dataDir != null ? dataDir : keys.home().resolve(role + "-" + key);
        int listen = httpPort == null ? 0 : httpPort;
        if (role.equals("miner") || role.equals("validator")) {
            if (subnet == null) throw new IllegalArgumentException("--role " + role + " needs --subnet ID");
            if (!keys.keys().exists(key)) throw new IllegalArgumentException("--key " + key + ": no such key in " + keys.home() + " (see `verigrid keys new`)");
            if (role.equals("miner")) {
                if (model == null) throw new IllegalArgumentException("--role miner needs --model DIR (a Hugging Face Llama directory)");
                SubnetRoleProcess.runMiner(key, keyFile, ledgerUrl, subnet, model, httpHost, listen, threads, System.out::println);
            } else {
                SubnetRoleProcess.runValidator(key, keyFile, ledgerUrl, subnet, everyBlocks, System.out::println);
            }
            return 0;
        }
        if (role.equals("provider")) {
            ProviderProcess.run(new ProviderProcess.Config(key, keyFile, ledgerUrl, data, threads, httpHost, listen), System.out::println);
        } else {
            Map<String, String> urls = new LinkedHashMap<>();
            for (String entry : providers) {
                int eq = entry.indexOf('=');
                if (eq != 64) throw new IllegalArgumentException("--provider must be ADDRESS=URL with a 64-hex-digit address, got " + entry);
                urls.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
            VerifierProcess.run(new VerifierProcess.Config(key, keyFile, ledgerUrl, data, threads, urls, httpHost, listen), System.out::println);
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
