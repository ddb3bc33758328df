package io.verigrid.node.inference;

import com.fasterxml.jackson.databind.JsonNode;
import io.verigrid.engine.Parallelism;
import io.verigrid.ledger.InferenceViews;
import io.verigrid.ledger.TxResult;
import io.verigrid.ledger.tx.InferenceTx;
import io.verigrid.node.http.ApiException;
import io.verigrid.node.http.Json;
import io.verigrid.node.http.NodeServer;
import io.verigrid.node.ledger.LedgerHttp;
import io.verigrid.node.ledger.Wallet;
import io.verigrid.verify.Hashes;
import io.verigrid.verify.InferenceCommitments;
import io.verigrid.verify.InferenceGame;
import io.verigrid.verify.InferenceMove;
import io.verigrid.verify.InferencePlayer;
import io.verigrid.verify.InferencePooling;
import io.verigrid.verify.InferenceRequest;
import io.verigrid.verify.InferenceCommitments.ResponseLeaf;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The verifier role for inference: {@code POST /inference/verify} takes a sampled request (its canonical bytes, the
 * positions per choice and the provider's response root), checks that the ledger holds exactly that request with
 * that root, re-executes it with its own copy of the model (an embedding: its hidden states pooled as the gateway pools
 * them) and, on a different root (or a bill that is not the
 * request's prompt plus the committed positions), challenges the hold and plays the dispute as challenger from its
 * own traced replay. {@code GET /inference/stats} counts what it did.
 */
public final class InferenceVerifierNode implements AutoCloseable {
    private record Job(InferenceRequest request, int[] lengths, byte[] responseRoot) {}

    private final Wallet wallet;
    private final LedgerHttp ledger;
    private final Computation model;
    private final Consumer<String> log;
    private final NodeServer server;
    private final LinkedBlockingQueue<Job> jobs = new LinkedBlockingQueue<>();
    private final Map<String, InferenceRequest> challenged = new ConcurrentHashMap<>();
    private final Map<Long, InferencePlayer> players = new ConcurrentHashMap<>();
    private final Map<Long, Integer> lastMove = new ConcurrentHashMap<>();
    private volatile long maxRefereeBytes;
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "inference-verifier");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong matched = new AtomicLong();
    private final AtomicLong challenges = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();

    public InferenceVerifierNode(Wallet wallet, LedgerHttp ledger, Computation model, long tickMillis, Consumer<String> log) {
        this.wallet = wallet;
        this.ledger = ledger;
        this.model = model;
        this.log = log;
        this.server = NodeServer.start("inference-verifier", "127.0.0.1", 0, app -> {
            app.post("/inference/verify", ctx -> ctx.json(Map.of("queued", accept(Json.MAPPER.readTree(ctx.body())))));
            app.get("/inference/stats", ctx -> ctx.json(stats()));
        });
        worker.scheduleWithFixedDelay(this::tick, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
    }

    public String url() {
        return server.url();
    }

    public String address() {
        return wallet.address();
    }

    private boolean accept(JsonNode body) {
        InferenceRequest request;
        try {
            request = InferenceRequest.decode(HexFormat.of().parseHex(body.path("request").asText()));
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, "BAD_REQUEST", "request: " + e.getMessage());
        }
        JsonNode lengthsNode = body.path("lengths");
        if (!lengthsNode.isArray() || lengthsNode.size() != request.n()) {
            throw new ApiException(400, "BAD_REQUEST", "lengths: one count per choice (" + request.n() + ") is required");
        }
        int[] lengths = new int[request.n()];
        for (int i = 0; i < lengths.length; i++) {
            lengths[i] = lengthsNode.get(i).asInt(-1);
            if (lengths[i] < 0 || lengths[i] > request.maxTokens()) throw new ApiException(400, "BAD_REQUEST", "lengths[" + i + "] out of range");
        }
        byte[] root;
        try {
            root = HexFormat.of().parseHex(body.path("responseRoot").asText());
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, "BAD_REQUEST", "responseRoot must be 64 hex digits");
        }
        if (root.length != 32) throw new ApiException(400, "BAD_REQUEST", "responseRoot must be 64 hex digits");
        received.incrementAndGet();
        return jobs.offer(new Job(request, lengths, root));
    }

    private void tick() {
        try {
            for (Job job; (job = jobs.poll()) != null; ) check(job);
            play();
        } catch (RuntimeException e) {
            log.accept("inference verifier: " + e.getMessage());
        }
    }

    /** Re-executes one sampled request; challenges its hold when the roots differ. */
    private void check(Job job) {
        String hash = Hashes.hex(job.request().hash());
        InferenceViews.HoldView hold = ledger.inferenceHold(hash);
        if (hold == null || !Arrays.equals(Hashes.unhex(hold.responseRoot()), job.responseRoot())) {
            refused.incrementAndGet(); // not what the ledger holds: nothing to check
            return;
        }
        // An embedding re-executes as the gateway pooled it; a completion decodes the committed positions, which must
        // also keep the request's rules (no token billed past an end-of-sequence id or a completed stop sequence).
        byte[] mine;
        String broken = null;
        if (job.request().isEmbedding()) {
            mine = InferencePooling.responseRoot(model.decoder().hiddenStates(job.request().prompt(), Parallelism.single()));
        } else {
            List<ResponseLeaf> leaves = FastReplay.leaves(model.decoder(), job.request(), job.lengths(), Parallelism.single());
            mine = InferenceCommitments.responseRoot(leaves);
            broken = InferenceGame.brokenRule(job.request(), leaves);
        }
        boolean fairBill = broken == null && hold.promptTokens() == job.request().prompt().length
                && hold.completionTokens() == Arrays.stream(job.lengths()).sum();
        if (broken != null) log.accept("inference verifier: request " + hash.substring(0, 12) + "… " + broken);
        if (Arrays.equals(mine, job.responseRoot()) && fairBill) {
            matched.incrementAndGet();
            return;
        }
        TxResult result = wallet.submit(new InferenceTx.ChallengeInference(job.request().encode(), mine));
        log.accept("inference verifier: request " + hash.substring(0, 12) + "… re-executed to another root: challenge "
                + (result.accepted() ? "opened" : "refused: " + result.code() + " " + result.message()));
        if (result.accepted()) {
            challenges.incrementAndGet();
            challenged.put(hash, job.request());
        }
    }

    /** Makes the challenger's move in every open dispute this verifier opened. */
    private void play() {
        if (challenged.isEmpty()) return;
        for (InferenceViews.DisputeView view : ledger.inferenceDisputes()) {
            if (!view.open() || !view.challenger().equals(wallet.address()) || !"CHALLENGER".equals(view.turn())) continue;
            InferenceGame game = InferenceGame.decode(Hashes.unhex(view.game()));
            if (lastMove.getOrDefault(view.id(), -1) == game.moves()) continue;
            lastMove.put(view.id(), game.moves());
            InferenceRequest request = challenged.get(view.requestHash());
            if (request == null) continue;
            InferencePlayer player = players.computeIfAbsent(view.id(),
                    id -> request.isEmbedding()
                            ? InferencePlayer.forEmbedding(InferenceGame.Party.CHALLENGER, request, model.replicaFor(request), null,
                                    maxRefereeBytes())
                            : new InferencePlayer(InferenceGame.Party.CHALLENGER, request, model.replicaFor(request), null,
                                    maxRefereeBytes()));
            InferenceMove move = player.next(game);
            if (move == null) continue;
            TxResult result = wallet.submit(new InferenceTx.InferenceMove(view.id(), move.encode()));
            if ("BAD_NONCE".equals(result.code())) lastMove.remove(view.id());
            log.accept("inference dispute " + view.id() + ": challenger " + move.getClass().getSimpleName()
                    + (result.accepted() ? "" : " refused: " + result.code() + " " + result.message()));
        }
    }

    public Map<String, Long> stats() {
        Map<String, Long> stats = new LinkedHashMap<>();
        stats.put("received", received.get());
        stats.put("matched", matched.get());
        stats.put("challenged", challenges.get());
        stats.put("not_on_ledger", refused.get());
        stats.put("queued", (long) jobs.size());
        return stats;
    }

    @Override
    public void close() {
        worker.shutdownNow();
        server.close();
    }

    /** The chain's max_referee_bytes, read once: traces are laid out under it exactly as the ledger lays them out. */
    private long maxRefereeBytes() {
        if (maxRefereeBytes == 0) maxRefereeBytes = ledger.params().maxRefereeBytes();
        return maxRefereeBytes;
    }
}
