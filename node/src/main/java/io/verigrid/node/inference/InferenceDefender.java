package io.verigrid.node.inference;

import io.verigrid.ledger.InferenceViews;
import io.verigrid.ledger.TxResult;
import io.verigrid.ledger.tx.InferenceTx;
import io.verigrid.node.ledger.LedgerHttp;
import io.verigrid.node.ledger.Wallet;
import io.verigrid.verify.Hashes;
import io.verigrid.verify.InferenceGame;
import io.verigrid.verify.InferenceMove;
import io.verigrid.verify.InferencePlayer;
import io.verigrid.verify.InferenceRequest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The provider's side of inference disputes: each tick, for every open dispute over a request it served where it is
 * the provider's turn, makes the move its own computation ({@link Computation#replicaFor}) gives. A move the ledger
 * refuses is not retried blindly: the game's deadline then settles it.
 */
public final class InferenceDefender {
    private final Wallet provider;
    private final LedgerHttp ledger;
    private final Computation computation;
    private final InferenceSettler settler;
    private final Consumer<String> log;
    private final Map<Long, InferencePlayer> players = new ConcurrentHashMap<>();
    private final Map<Long, Integer> lastMove = new ConcurrentHashMap<>();
    private volatile long maxRefereeBytes;
    private final java.util.concurrent.atomic.AtomicLong largestMove = new java.util.concurrent.atomic.AtomicLong();

    public InferenceDefender(Wallet provider, LedgerHttp ledger, Computation computation, InferenceSettler settler,
                             Consumer<String> log) {
        this.provider = provider;
        this.ledger = ledger;
        this.computation = computation;
        this.settler = settler;
        this.log = log;
    }

    public void tick() {
        for (InferenceViews.DisputeView view : ledger.inferenceDisputes()) {
            if (!view.open() || !view.provider().equals(provider.address()) || !"PROVIDER".equals(view.turn())) continue;
            InferenceGame game = InferenceGame.decode(Hashes.unhex(view.game()));
            if (lastMove.getOrDefault(view.id(), -1) == game.moves()) continue; // already tried this position
            lastMove.put(view.id(), game.moves());
            InferencePlayer player = players.computeIfAbsent(view.id(), id -> {
                ServedRecord served = settler.served(view.requestHash());
                InferenceRequest request = InferenceRequest.decode(Hashes.unhex(view.request()));
                if (served == null) return null;
                return request.isEmbedding()
                        ? InferencePlayer.forEmbedding(InferenceGame.Party.PROVIDER, request, computation.replicaFor(request),
                                served.pooledRoot(), maxRefereeBytes())
                        : new InferencePlayer(InferenceGame.Party.PROVIDER, request, computation.replicaFor(request),
                                served.leaves(), maxRefereeBytes());
            });
            if (player == null) {
                log.accept("inference dispute " + view.id() + ": this provider has no record of request " + view.requestHash());
                continue;
            }
            InferenceMove move;
            try {
                move = player.next(game);
            } catch (RuntimeException e) {
                log.accept("inference dispute " + view.id() + ": no move from this provider's computation: " + e.getMessage());
                continue;
            }
            if (move == null) continue;
            byte[] encoded = move.encode();
            largestMove.accumulateAndGet(encoded.length, Math::max);
            TxResult result = provider.submit(new InferenceTx.InferenceMove(view.id(), encoded));
            if ("BAD_NONCE".equals(result.code())) lastMove.remove(view.id()); // the wallet resynced: try again next tick
            log.accept("inference dispute " + view.id() + ": provider " + move.getClass().getSimpleName() + " (" + encoded.length
                    + " bytes)" + (result.accepted() ? "" : " refused: " + result.code() + " " + result.message()));
        }
    }

    /** The largest move this provider has sent, in encoded bytes (its transaction adds a fixed envelope). */
    public long largestMoveBytes() {
        return largestMove.get();
    }

    /** The chain's max_referee_bytes, read once: traces are laid out under it exactly as the ledger lays them out. */
    private long maxRefereeBytes() {
        if (maxRefereeBytes == 0) maxRefereeBytes = ledger.params().maxRefereeBytes();
        return maxRefereeBytes;
    }
}
