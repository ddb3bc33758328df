package io.verigrid.node.process;

import io.verigrid.node.market.MarketOffer;
import io.verigrid.node.provider.ProviderNode;
import java.nio.file.Path;
import java.util.function.Consumer;

/** A provider as its own long-running process: starts the node, reports where it listens, runs until shutdown. */
public final class ProviderProcess {
    /**
     * {@code keyFile}: the provider's account key ({@link KeyFile}); its stake must already be on the ledger to lease jobs.
     * {@code offer}: null for first-come jobs only, else it registers on the compute market and bids.
     */
    public record Config(String name, Path keyFile, String ledgerUrl, Path dataDir, int threads, String host, int port, MarketOffer offer) {
        public Config(String name, Path keyFile, String ledgerUrl, Path dataDir, int threads, String host, int port) {
            this(name, keyFile, ledgerUrl, dataDir, threads, host, port, null);
        }
    }

    private ProviderProcess() {}

    /** Runs the provider until the JVM shuts down (SIGTERM, Ctrl-C) or the calling thread is interrupted. */
    public static void run(Config config, Consumer<String> out) throws InterruptedException {
        if (config.threads() < 1) throw new IllegalArgumentException("threads must be at least 1, got " + config.threads());
        ProviderNode node = new ProviderNode(new ProviderNode.Config(config.name(), KeyFile.read(config.keyFile()), config.ledgerUrl(),
                config.dataDir(), config.threads(), null, false, config.host(), config.port(), config.offer()), out);
        out.accept("provider " + config.name() + " (" + node.address() + ") serves checkpoints and blobs at " + node.url()
                + " (metrics at /metrics), ledger " + config.ledgerUrl() + ", data " + config.dataDir().toAbsolutePath());
        RunUntilShutdown.hold(node);
    }
}
