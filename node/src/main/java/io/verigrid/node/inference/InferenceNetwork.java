package io.verigrid.node.inference;

import io.verigrid.ledger.Genesis;
import io.verigrid.ledger.GenesisAccount;
import io.verigrid.ledger.InferenceViews;
import io.verigrid.ledger.Keys;
import io.verigrid.ledger.Params;
import io.verigrid.ledger.PeerConfig;
import io.verigrid.ledger.tx.InferenceTx;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.node.gateway.GatewayServer;
import io.verigrid.node.gateway.ServedModel;
import io.verigrid.node.ledger.LedgerHttp;
import io.verigrid.node.ledger.LedgerNode;
import io.verigrid.node.ledger.Wallet;
import io.verigrid.verify.Hashes;
import io.verigrid.verify.InferenceCommitments;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Verified inference on one machine: a one-peer Ratis ledger, a provider (the gateway serving the model, settling
 * what it served once per block, defending disputes), a verifier node re-executing sampled requests, and a funded
 * buyer account whose API key is registered on the ledger. What {@code verigrid serve} starts; tests start it with
 * a cheating provider or verifier ({@link Computation}). Everything lives in the data directory (ledger, the
 * provider's {@link ServedStore}, the accounts' keys), so starting again on it resumes the same chain and provider.
 */
public final class InferenceNetwork implements AutoCloseable {
    public static final long TOKEN = Params.UNITS_PER_TOKEN;

    /**
     * {@code pricePerToken} and {@code escrowUnits} in units (10^-9 token); {@code samplePpm} the share of requests
     * re-executed; {@code windowBlocks} the challenge window and {@code moveBlocks} the time per dispute move;
     * {@code provider}/{@code verifier} null for the honest computation of the model.
     */
    public record Options(Path modelDir, Path dataDir, String host, int port, long blockMillis, int samplePpm,
                          long pricePerToken, long escrowUnits, int threads, int maxBatch, Computation provider,
                          Computation verifier, long windowBlocks, long moveBlocks) {
        public static Options defaults(Path modelDir, Path dataDir) {
            return new Options(modelDir, dataDir, "127.0.0.1", 0, 200, 50_000, 1_000, 100 * TOKEN, 1, 32, null, null, 300, 300);
        }

        public Options withPort(int p) {
            return new Options(modelDir, dataDir, host, p, blockMillis, samplePpm, pricePerToken, escrowUnits, threads, maxBatch, provider, verifier, windowBlocks, moveBlocks);
        }

        public Options withSampling(int ppm) {
            return new Options(modelDir, dataDir, host, port, blockMillis, ppm, pricePerToken, escrowUnits, threads, maxBatch, provider, verifier, windowBlocks, moveBlocks);
        }

        public Options withBlockMillis(long ms) {
            return new Options(modelDir, dataDir, host, port, ms, samplePpm, pricePerToken, escrowUnits, threads, maxBatch, provider, verifier, windowBlocks, moveBlocks);
        }

        public Options withEscrowUnits(long units) {
            return new Options(modelDir, dataDir, host, port, blockMillis, samplePpm, pricePerToken, units, threads, maxBatch, provider, verifier, windowBlocks, moveBlocks);
        }

        /** The challenge window and the time a dispute party has per move, in blocks. */
        public Options withWindows(long window, long move) {
            return new Options(modelDir, dataDir, host, port, blockMillis, samplePpm, pricePerToken, escrowUnits, threads, maxBatch, provider, verifier, window, move);
        }

        public Options withProvider(Computation c) {
            return new Options(modelDir, dataDir, host, port, blockMillis, samplePpm, pricePerToken, escrowUnits, threads, maxBatch, c, verifier, windowBlocks, moveBlocks);
        }

        public Options withVerifier(Computation c) {
            return new Options(modelDir, dataDir, host, port, blockMillis, samplePpm, pricePerToken, escrowUnits, threads, maxBatch, provider, c, windowBlocks, moveBlocks);
        }
    }

    private final Options options;
    private final LedgerNode ledgerNode;
    private final LedgerHttp ledger;
    private final Keys providerKeys;
    private final Wallet buyer;
    private final InferenceVerifierNode verifier;
    private final ServedModel model;
    private final Computation served;
    private final String apiKey;
    private final String modelId;
    private final Consumer<String> log;
    private volatile InferenceProvider provider;

    private InferenceNetwork(Options options, LedgerNode ledgerNode, LedgerHttp ledger, Keys providerKeys, Wallet buyer,
                             InferenceVerifierNode verifier, ServedModel model, Computation served, String apiKey,
                             String modelId, Consumer<String> log, InferenceProvider provider) {
        this.options = options;
        this.ledgerNode = ledgerNode;
        this.ledger = ledger;
        this.providerKeys = providerKeys;
        this.buyer = buyer;
        this.verifier = verifier;
        this.model = model;
        this.served = served;
        this.apiKey = apiKey;
        this.modelId = modelId;
        this.log = log;
        this.provider = provider;
    }

    /**
     * The chain's parameters: the default stakes, bonds, slash and fees, with the challenge window and the time per
     * dispute move from the options (long enough for a verifier to re-execute a request, and for either party to
     * replay one with traces, on the model being served).
     */
    static Params params(Options o) {
        Params d = Params.defaults();
        return new Params(d.txFee(), 100 * TOKEN, 10 * TOKEN, 50, o.windowBlocks(), 2, o.moveBlocks(), 16, 10 * TOKEN, TOKEN,
                d.slashPpm(), d.winnerSharePpm(), d.maxTxBytes());
    }

    public static InferenceNetwork start(Options o, Consumer<String> log) {
        ServeIdentity identity = ServeIdentity.loadOrCreate(o.dataDir(), new SecureRandom());
        Keys providerKeys = identity.provider();
        Keys buyerKeys = identity.buyer();
        Keys verifierKeys = identity.verifier();
        Genesis genesis = new Genesis("verigrid-local", List.of(new GenesisAccount(buyerKeys.publicKey(), 1_000 * TOKEN),
                new GenesisAccount(providerKeys.publicKey(), 500 * TOKEN), new GenesisAccount(verifierKeys.publicKey(), 200 * TOKEN)),
                params(o));
        // Loading the model overlaps the ledger's start; the three accounts' setup transactions go out together.
        CompletableFuture<Loaded> loading = CompletableFuture.supplyAsync(() -> Loaded.of(o));
        LedgerNode ledgerNode = LedgerNode.start(PeerConfig.single(o.dataDir().resolve("ledger"), LedgerNode.freePort(), genesis,
                o.blockMillis()), 0);
        try {
            LedgerHttp ledger = new LedgerHttp(ledgerNode.url());
            Wallet provider = new Wallet("provider", providerKeys, ledger);
            Wallet buyer = new Wallet("buyer", buyerKeys, ledger);
            Wallet verifierWallet = new Wallet("verifier", verifierKeys, ledger);
            String apiKey = identity.apiKey();
            // Started again on its data directory, the chain already has the setup: each step runs once.
            CompletableFuture<Void> buyerReady = CompletableFuture.runAsync(() -> {
                if (ledger.inferenceKey(Hashes.hex(LedgerMetering.keyHash(apiKey))) != null) return;
                buyer.submitOrThrow(new InferenceTx.RegisterApiKey(LedgerMetering.keyHash(apiKey), o.samplePpm()));
                buyer.submitOrThrow(new InferenceTx.DepositInference(o.escrowUnits()));
            });
            CompletableFuture<Void> verifierReady = CompletableFuture.runAsync(() -> {
                if (ledger.account(verifierWallet.address()).stake() == 0) verifierWallet.submitOrThrow(new TxBody.Stake(20 * TOKEN));
            });
            Loaded loaded = join(loading);
            Computation honest = loaded.honest();
            Computation served = o.provider() == null ? honest : o.provider();
            Computation checking = o.verifier() == null ? honest : o.verifier();
            ServedModel model = loaded.model();
            if (ledger.account(provider.address()).stake() == 0) provider.submitOrThrow(new TxBody.Stake(150 * TOKEN));
            String modelId = registeredModel(ledger, provider.address(), model.name());
            if (modelId == null) {
                provider.submitOrThrow(new InferenceTx.RegisterModel(model.name(), loaded.config(),
                        InferenceCommitments.weightsRoot(honest.replica().weights()), o.pricePerToken()));
                modelId = registeredModel(ledger, provider.address(), model.name());
            }
            join(buyerReady);
            join(verifierReady);

            InferenceVerifierNode verifier = new InferenceVerifierNode(verifierWallet, ledger, checking, o.blockMillis(), log);
            InferenceProvider running = InferenceProvider.start(o, provider, ledger, model, served, modelId, verifier.url(), log);
            return new InferenceNetwork(o, ledgerNode, ledger, providerKeys, buyer, verifier, model, served, apiKey, modelId,
                    log, running);
        } catch (RuntimeException e) {
            ledgerNode.close();
            throw e;
        }
    }

    private static String registeredModel(LedgerHttp ledger, String owner, String name) {
        return ledger.inferenceList("models", InferenceViews.ModelView.class).stream()
                .filter(m -> m.owner().equals(owner) && m.name().equals(name)).map(InferenceViews.ModelView::id)
                .findFirst().orElse(null);
    }

    /** The model as the gateway serves it, its honest computation and its config.json bytes. */
    private record Loaded(ServedModel model, Computation honest, byte[] config) {
        static Loaded of(Options o) {
            try {
                Computation honest = Computation.honest(o.modelDir());
                return new Loaded(ServedModel.load(o.modelDir(), honest.decoder()), honest,
                        Files.readAllBytes(o.modelDir().resolve("config.json")));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + o.modelDir().resolve("config.json"), e);
            }
        }
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    public String baseUrl() {
        return provider.gateway().baseUrl();
    }

    public String apiKey() {
        return apiKey;
    }

    public String modelId() {
        return modelId;
    }

    public LedgerHttp ledger() {
        return ledger;
    }

    public Path dataDir() {
        return options.dataDir();
    }

    public String ledgerUrl() {
        return ledgerNode.url();
    }

    public String providerAddress() {
        return providerKeys.address();
    }

    public String buyerAddress() {
        return buyer.address();
    }

    public InferenceVerifierNode verifier() {
        return verifier;
    }

    public GatewayServer gateway() {
        return provider.gateway();
    }

    public InferenceProvider provider() {
        return provider;
    }

    /**
     * Stops the provider as a crash would (what it had in memory is lost) and starts a new one with the same key and
     * data directory: it reloads what it settled from disk and defends it. The gateway may come back on another port.
     */
    public InferenceProvider restartProvider() {
        provider.close();
        provider = InferenceProvider.start(options, new Wallet("provider", providerKeys, ledger), ledger, model, served,
                modelId, verifier.url(), log);
        return provider;
    }

    /** Settlement, sampling and verification counters. */
    public Map<String, Long> stats() {
        Map<String, Long> stats = new LinkedHashMap<>(provider.stats());
        verifier.stats().forEach((k, v) -> stats.put("verifier_" + k, v));
        return stats;
    }

    @Override
    public void close() {
        provider.close();
        verifier.close();
        ledgerNode.close();
    }
}
