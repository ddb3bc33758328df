package io.verigrid.node.drill;

import io.verigrid.engine.Dataset;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.Tensor;
import io.verigrid.engine.io.Safetensors;
import io.verigrid.ledger.AccountView;
import io.verigrid.ledger.DisputeOutcome;
import io.verigrid.ledger.DisputeView;
import io.verigrid.ledger.Genesis;
import io.verigrid.ledger.GenesisAccount;
import io.verigrid.ledger.JobView;
import io.verigrid.ledger.Keys;
import io.verigrid.ledger.MarketParams;
import io.verigrid.ledger.MarketViews.OrderView;
import io.verigrid.ledger.Params;
import io.verigrid.ledger.PeerConfig;
import io.verigrid.ledger.TxResult;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.node.blob.BlobNode;
import io.verigrid.node.blob.BlobStore;
import io.verigrid.node.blob.DatasetCodec;
import io.verigrid.node.ledger.LedgerHttp;
import io.verigrid.node.ledger.LedgerNode;
import io.verigrid.node.ledger.Wallet;
import io.verigrid.node.market.MarketOffer;
import io.verigrid.node.provider.ProviderNode;
import io.verigrid.node.verifier.VerifierNode;
import io.verigrid.verify.Commitments;
import io.verigrid.verify.Hashes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The fault-injection soak: random {@link CheatCase}s played through a real one-peer ledger (Ratis) and real
 * provider and verifier nodes over HTTP. Each case gets a fresh provider and verifier (one of them the cheater),
 * a market order of its job sampled at rate 1 so the faulty unit is always re-executed, and waits for the dispute
 * the verifier opens to settle. A case passes when the cheater lost, the ledger's outcome names the unit, step and
 * operator {@link CheatCase#expected} names, the rounds stay within spec §6's bound, and an honest provider kept
 * its whole stake. The order is then cancelled, so cases never wait on each other.
 */
public final class CheatSoak implements AutoCloseable {
    /** What one case ended with; {@code failure} is null when every check held. */
    public record Outcome(CheatCase cheat, DisputeOutcome dispute, long providerStakeLost, long millis, String failure) {
        public boolean passed() {
            return failure == null;
        }
    }

    private static final long TOKEN = Params.UNITS_PER_TOKEN;
    private static final long ASK = TOKEN / 4;
    private static final Duration CASE_TIMEOUT = Duration.ofSeconds(90);
    /** Long enough for a provider polling the market four times a second to see the order and bid. */
    private static final int AUCTION_BLOCKS = 6;
    /**
     * Fast blocks keep a case short; the market's heartbeat and grace windows scale with them, so a stall of a
     * loaded machine (three lanes of nodes on two cores) lasts as many blocks as it would at one block a second.
     */
    private static final int BLOCK_MILLIS = 50;

    private final Path dir;
    private final int maxCases;
    private final Params params;
    private final LedgerNode ledgerNode;
    private final LedgerHttp ledger;
    private final Wallet buyer;
    private final BlobNode replica1;
    private final BlobNode replica2;
    private final TxBody.DatasetBlob lmBlob;
    private static final int CHUNK = 4096;
    private long lastDispute;

    private CheatSoak(Path dir, int lane, int maxCases, CheatCase.Inputs inputs) {
        this.dir = dir;
        this.maxCases = maxCases;
        Params d = Params.defaults();
        // Moves get 200 blocks (10 s at 50 ms blocks): a loaded machine must not turn a slow move into a lost game.
        this.params = new Params(d.txFee(), d.minProviderStake(), d.minVerifierStake(), d.unbondingBlocks(), 400,
                d.sampleDelayBlocks(), 200, d.fanout(), d.challengeBond(), d.challengeFee(), d.slashPpm(), d.winnerSharePpm(), 4 << 20);
        List<GenesisAccount> accounts = new ArrayList<>();
        accounts.add(new GenesisAccount(key("buyer").publicKey(), 1_000_000 * TOKEN));
        accounts.add(new GenesisAccount(key("replica-1").publicKey(), TOKEN));
        accounts.add(new GenesisAccount(key("replica-2").publicKey(), TOKEN));
        for (int i = 0; i < maxCases; i++) {
            accounts.add(new GenesisAccount(key("provider-" + i).publicKey(), 1_000 * TOKEN));
            accounts.add(new GenesisAccount(key("verifier-" + i).publicKey(), 1_000 * TOKEN));
        }
        this.ledgerNode = LedgerNode.start(PeerConfig.single(dir.resolve("ledger"), LedgerNode.freePort(),
                new Genesis("verigrid-cheat-soak-" + lane, accounts, params).withMarket(MarketParams.forBlockMillis(BLOCK_MILLIS)),
                BLOCK_MILLIS), 0); // one Ratis group per lane
        this.ledger = new LedgerHttp(ledgerNode.url());
        this.buyer = new Wallet("buyer", key("buyer"), ledger);
        this.replica1 = replica("replica-1");
        this.replica2 = replica("replica-2");
        String blob = hold(DatasetCodec.encode(inputs.lmData()));
        hold(Safetensors.encode(inputs.gptBase(), Map.of()));
        hold(Safetensors.encode(inputs.llamaBase(), Map.of()));
        this.lmBlob = new TxBody.DatasetBlob(blob, List.of(replica1.url(), replica2.url()));
    }

    /** Both replicas hold {@code bytes}, pinned; returns the blob id. */
    private String hold(byte[] bytes) {
        String id = replica1.store().put(bytes);
        replica1.store().pin(id);
        if (!id.equals(replica2.store().put(bytes))) throw new IllegalStateException("the replicas chunk blob " + id + " differently");
        replica2.store().pin(id);
        return id;
    }

    /** The dataset and base checkpoints every case draws on; blob ids as replicas chunking by {@link #CHUNK} give them. */
    static CheatCase.Inputs inputs(Path scratch) {
        BlobStore store = new BlobStore(scratch, CHUNK, java.time.Clock.systemUTC());
        SortedMap<String, Tensor> gpt = CheatCase.baseWeights(CheatCase.GPT), llama = CheatCase.baseWeights(CheatCase.LLAMA);
        return new CheatCase.Inputs(CheatCase.lmDataset(), gpt, Hashes.unhex(store.put(Safetensors.encode(gpt, Map.of()))),
                llama, Hashes.unhex(store.put(Safetensors.encode(llama, Map.of()))));
    }

    private static Keys key(String name) {
        return Keys.fromSeed(Hashes.sha256(("verigrid-cheat-soak/" + name).getBytes(StandardCharsets.UTF_8)));
    }

    private BlobNode replica(String name) {
        BlobNode.Config d = BlobNode.Config.defaults(name, key(name), dir.resolve(name));
        return new BlobNode(new BlobNode.Config(name, key(name), d.dataDir(), 0, CHUNK, d.limits(), d.clock(), d.authWindow(),
                new io.verigrid.node.blob.LedgerAccessPolicy(ledger, key(name).address())));
    }

    /**
     * Draws {@code cases} cases from {@code seed} and plays them on {@code lanes} independent networks (a ledger and
     * two replicas each, under {@code dir}) at once, so the waits for blocks overlap; the outcomes come back in case
     * order. The cases, and so every outcome, depend only on the seed, not on the lanes.
     */
    public static List<Outcome> soak(Path dir, long seed, int cases, int lanes, Consumer<String> log) {
        if (cases < 1 || lanes < 1) throw new IllegalArgumentException("cases and lanes must be positive, got " + cases + ", " + lanes);
        SplittableRandom random = new SplittableRandom(seed);
        CheatCase.Inputs inputs = inputs(dir.resolve("inputs"));
        List<CheatCase> drawn = new ArrayList<>();
        try (Parallelism par = Parallelism.single()) {
            for (int i = 0; i < cases; i++) drawn.add(CheatCase.draw(random, i, inputs, par));
        }
        int width = Math.min(lanes, cases);
        Outcome[] outcomes = new Outcome[cases];
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(width);
        try {
            List<java.util.concurrent.Future<?>> running = new ArrayList<>();
            for (int lane = 0; lane < width; lane++) {
                int first = lane;
                running.add(pool.submit(() -> {
                    try (CheatSoak network = new CheatSoak(dir.resolve("lane-" + first), first, cases, inputs)) {
                        for (int i = first; i < cases; i += width) {
                            Outcome outcome = network.play(drawn.get(i));
                            outcomes[i] = outcome;
                            log.accept(String.format("%s  %s in %d ms%s", outcome.passed() ? "PASS" : "FAIL", drawn.get(i),
                                    outcome.millis(), outcome.passed() ? "" : ": " + outcome.failure()));
                        }
                    }
                }));
            }
            for (java.util.concurrent.Future<?> lane : running) lane.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("the soak was interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("a soak lane failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return List.of(outcomes);
    }

    /** Plays one case on fresh provider and verifier nodes. */
    public Outcome play(CheatCase c) {
        if (c.index() >= maxCases) throw new IllegalArgumentException("case " + c.index() + ": the soak has accounts for " + maxCases);
        long started = System.nanoTime();
        Keys providerKey = key("provider-" + c.index()), verifierKey = key("verifier-" + c.index());
        new Wallet("provider-" + c.index(), providerKey, ledger).submitOrThrow(new TxBody.Stake(params.minProviderStake()));
        new Wallet("verifier-" + c.index(), verifierKey, ledger).submitOrThrow(new TxBody.Stake(params.minVerifierStake()));
        List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        Path caseDir = dir.resolve("case-" + c.index());
        try (ProviderNode provider = new ProviderNode(new ProviderNode.Config("provider-" + c.index(), providerKey, ledger.url(),
                caseDir.resolve("provider"), 1, c.dishonestChallenger() ? null : c.fault(), false, "127.0.0.1", 0,
                new MarketOffer(ASK, Duration.ofHours(1))), lines::add);
             VerifierNode verifier = new VerifierNode(new VerifierNode.Config("verifier-" + c.index(), verifierKey, ledger.url(), 1,
                     Map.of(provider.address(), provider.url()), caseDir.resolve("verifier"), "127.0.0.1", 0,
                     c.dishonestChallenger() ? c.fault() : null), lines::add)) {
            awaitRegistered(provider.address());
            OrderView order = post(c);
            DisputeView settled = awaitSettled(order.jobId());
            cancel(order.id());
            AccountView account = ledger.account(provider.address());
            long lost = params.minProviderStake() - account.stake();
            String failure = check(c, settled, lost);
            if (failure != null) failure += "\n  node log:\n    " + String.join("\n    ", lines);
            return new Outcome(c, settled.outcome(), lost, (System.nanoTime() - started) / 1_000_000, failure);
        } catch (RuntimeException | InterruptedException e) {
            return new Outcome(c, null, 0, (System.nanoTime() - started) / 1_000_000,
                    e + "\n  node log:\n    " + String.join("\n    ", lines));
        }
    }

    private String check(CheatCase c, DisputeView d, long stakeLost) {
        DisputeOutcome o = d.outcome();
        String expectedVerdict = c.dishonestChallenger() ? "PROVIDER_WINS" : "CHALLENGER_WINS";
        if (!expectedVerdict.equals(o.verdict()) || !"REFEREE".equals(o.reason())) {
            return "verdict " + o.verdict() + " by " + o.reason() + ", expected " + expectedVerdict + " by REFEREE";
        }
        CheatCase.Expected e = c.expected();
        if (o.unit() != e.unit() || o.step() != e.step() || o.operatorIndex() != e.operator() || !e.opKind().equals(o.opKind())) {
            return "the game settled unit " + o.unit() + " step " + o.step() + " operator " + o.operatorIndex() + " (" + o.opKind()
                    + "), expected unit " + e.unit() + " step " + e.step() + " operator " + e.operator() + " (" + e.opKind() + ")";
        }
        if (o.rounds() > c.roundBound(params.fanout())) {
            return "the game took " + o.rounds() + " rounds, spec §6 bounds it by " + c.roundBound(params.fanout());
        }
        if (c.dishonestChallenger() && stakeLost != 0) return "the honest provider lost " + stakeLost + " of its stake";
        if (!c.dishonestChallenger() && (stakeLost <= 0 || o.providerSlashed() != stakeLost)) {
            return "the cheater lost " + stakeLost + " of its stake, the outcome says " + o.providerSlashed();
        }
        return null;
    }

    private void awaitRegistered(String address) throws InterruptedException {
        long deadline = System.nanoTime() + CASE_TIMEOUT.toNanos();
        while (ledger.marketProvider(address) == null) {
            if (System.nanoTime() > deadline) throw new IllegalStateException(address + " did not register on the market");
            Thread.sleep(20);
        }
    }

    private OrderView post(CheatCase c) {
        boolean seeded = c.job().seededDataset().isPresent();
        byte[] root = Commitments.datasetRoot(c.dataset());
        buyer.submitOrThrow(new TxBody.PostOrder(c.job().kind().code(), c.job().encode(), root, ASK, 1_000_000,
                0, 0, AUCTION_BLOCKS, 100_000, seeded ? null : lmBlob));
        return ledger.marketOrders().stream().max(java.util.Comparator.comparingLong(OrderView::id)).orElseThrow();
    }

    /**
     * Waits for the dispute on {@code jobId} to open and settle. Cases run one at a time, so dispute ids follow
     * them, except that a case's verifier may also challenge an earlier case's job still inside its challenge
     * window (any verifier may): such a dispute is not this case's and is passed over.
     */
    private DisputeView awaitSettled(long jobId) throws InterruptedException {
        long deadline = System.nanoTime() + CASE_TIMEOUT.toNanos();
        long id = lastDispute + 1;
        while (System.nanoTime() < deadline) {
            DisputeView view = disputeOrNull(id);
            if (view != null && view.jobId() != jobId) {
                id++;
                continue;
            }
            if (view != null && view.verdict() != null) {
                lastDispute = id;
                return view;
            }
            if (view == null && "DONE".equals(ledger.job(jobId).status())) {
                throw new IllegalStateException("job " + jobId + " finished undisputed");
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("no dispute on job " + jobId + " settled within " + CASE_TIMEOUT.toSeconds() + " s: "
                + ledger.job(jobId));
    }

    private DisputeView disputeOrNull(long id) {
        try {
            return ledger.dispute(id);
        } catch (io.verigrid.node.http.ApiException e) {
            if (e.status() != 404) throw e;
            return null;
        }
    }

    private void cancel(long orderId) {
        TxResult r = buyer.submit(new TxBody.CancelOrder(orderId));
        if (!r.accepted() && !"ORDER_CLOSED".equals(r.code())) {
            throw new IllegalStateException("cannot cancel order " + orderId + ": " + r.code() + " " + r.message());
        }
    }

    @Override
    public void close() {
        replica1.close();
        replica2.close();
        ledgerNode.close();
    }
}
