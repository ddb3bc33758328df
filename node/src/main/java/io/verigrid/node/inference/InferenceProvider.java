package io.verigrid.node.inference;

import io.verigrid.node.gateway.GatewayServer;
import io.verigrid.node.gateway.ServedModel;
import io.verigrid.node.ledger.LedgerHttp;
import io.verigrid.node.ledger.Wallet;
import io.verigrid.verify.Hashes;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One provider process's worth of inference: the gateway serving its computation of a registered model, the settler
 * (backed by the {@link ServedStore} in {@code dataDir/served}), the sampling forwarder and the dispute defender, ticked
 * once per block. Started again on the same data directory and key, it defends what it settled before.
 */
public final class InferenceProvider implements AutoCloseable {
    private final GatewayServer gateway;
    private final InferenceSettler settler;
    private final SamplingForwarder forwarder;
    private final ServedStore store;
    private final ScheduledExecutorService ticker;

    private InferenceProvider(GatewayServer gateway, InferenceSettler settler, SamplingForwarder forwarder, ServedStore store,
                              ScheduledExecutorService ticker) {
        this.gateway = gateway;
        this.settler = settler;
        this.forwarder = forwarder;
        this.store = store;
        this.ticker = ticker;
    }

    /**
     * {@code computation} is what it runs and replays; {@code modelId} the model it registered; {@code verifierUrl} where
     * sampled requests go.
     */
    static InferenceProvider start(InferenceNetwork.Options o, Wallet wallet, LedgerHttp ledger, ServedModel model,
                                   Computation computation, String modelId, String verifierUrl, Consumer<String> log) {
        ServedStore store = ServedStore.open(servedDir(o.dataDir()), log);
        if (store.size() > 0) log.accept("provider: loaded " + store.size() + " served requests from " + servedDir(o.dataDir()));
        LedgerMetering metering = new LedgerMetering(ledger, o.pricePerToken(), Long.MAX_VALUE / 4, 6_000);
        SamplingForwarder forwarder = new SamplingForwarder(ledger, verifierUrl);
        InferenceSettler settler = new InferenceSettler(wallet, ledger, Hashes.unhex(modelId), metering, store, forwarder::settled);
        settler.resume();
        InferenceDefender defender = new InferenceDefender(wallet, ledger, computation, settler, log);
        GatewayServer gateway = GatewayServer.start(model.withDecoder(computation.decoder()), metering, settler, o.host(),
                o.port(), o.threads(), o.maxBatch(), ledger.params().maxRefereeBytes());
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "inference-provider");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleWithFixedDelay(() -> {
            for (Runnable step : List.<Runnable>of(settler::tick, forwarder::tick, defender::tick)) {
                try {
                    step.run();
                } catch (RuntimeException e) {
                    log.accept("provider: " + e.getMessage());
                }
            }
        }, o.blockMillis(), o.blockMillis(), TimeUnit.MILLISECONDS);
        return new InferenceProvider(gateway, settler, forwarder, store, ticker);
    }

    /** Where a provider with data directory {@code dataDir} keeps what it served. */
    public static Path servedDir(Path dataDir) {
        return dataDir.resolve("served");
    }

    public GatewayServer gateway() {
        return gateway;
    }

    /** What the gateway tells of every answered request: settles it, keeps it for disputes, forwards samples. */
    InferenceSettler settler() {
        return settler;
    }

    /** The record this provider keeps of a settled request (hash in hex), or null. */
    public ServedRecord served(String requestHashHex) {
        return store.get(requestHashHex);
    }

    /** Settlement and sampling counters. */
    public Map<String, Long> stats() {
        Map<String, Long> stats = new LinkedHashMap<>(settler.stats());
        stats.putAll(forwarder.stats());
        return stats;
    }

    /** Stops serving and ticking; waits for a tick in progress so that a successor does not race it. */
    @Override
    public void close() {
        ticker.shutdownNow();
        gateway.close();
        try {
            ticker.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
