package io.verigrid.node.process;

import io.verigrid.node.verifier.VerifierNode;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/** A verifier as its own long-running process: starts the node, reports where it listens, runs until shutdown. */
public final class VerifierProcess {
    /** {@code providers}: provider address → its node URL, where the verifier fetches checkpoints. */
    public record Config(String name, Path keyFile, String ledgerUrl, Path dataDir, int threads, Map<String, String> providers,
                         String host, int port) {}

    private VerifierProcess() {}

    /** Runs the verifier until the JVM shuts down (SIGTERM, Ctrl-C) or the calling thread is interrupted. */
    public static void run(Config config, Consumer<String> out) throws InterruptedException {
        if (config.threads() < 1) throw new IllegalArgumentException("threads must be at least 1, got " + config.threads());
        if (config.providers().isEmpty()) throw new IllegalArgumentException("a verifier needs at least one provider URL to fetch checkpoints from");
        VerifierNode node = new VerifierNode(new VerifierNode.Config(config.name(), KeyFile.read(config.keyFile()), config.ledgerUrl(),
                config.threads(), config.providers(), config.dataDir(), config.host(), config.port()), out);
        out.accept("verifier " + config.name() + " (" + node.wallet().address() + ") at " + node.url() + " (metrics at /metrics), watching "
                + config.providers().size() + " provider(s), ledger " + config.ledgerUrl());
        RunUntilShutdown.hold(node);
    }
}
