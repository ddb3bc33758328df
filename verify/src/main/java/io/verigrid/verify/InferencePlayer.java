package io.verigrid.verify;

import io.verigrid.verify.InferenceCommitments.ResponseLeaf;
import io.verigrid.verify.InferenceGame.Party;
import io.verigrid.verify.InferenceGame.Phase;
import java.util.Arrays;
import java.util.List;

/**
 * A party's moves in an {@link InferenceGame}, computed from its own {@link InferenceTrace.Replica}: the provider
 * posts what its computation gives, the challenger disputes the first thing that differs from its own. An honest
 * replica therefore never loses. {@link #next} answers the move to make now, or null when it is not this party's
 * turn, the game is settled, or (challenger) nothing it sees differs.
 */
public final class InferencePlayer {
    private final Party role;
    private final InferenceRequest request;
    private final InferenceTrace.Replica replica;
    private final List<ResponseLeaf> served;
    private final byte[] servedPooledRoot;
    private final long maxRefereeBytes;
    private List<ResponseLeaf> own;
    private InferenceTrace trace;

    /**
     * {@code served}: the provider's committed leaves (null for the challenger, who recomputes its own from the
     * lengths the provider opened).
     */
    public InferencePlayer(Party role, InferenceRequest request, InferenceTrace.Replica replica, List<ResponseLeaf> served) {
        this(role, request, replica, served, io.verigrid.engine.MatmulTiles.DEFAULT_MAX_REFEREE_BYTES);
    }

    /** As above, tracing under the chain's {@code maxRefereeBytes} (genesis max_referee_bytes), as the ledger lays traces out. */
    public InferencePlayer(Party role, InferenceRequest request, InferenceTrace.Replica replica, List<ResponseLeaf> served,
                           long maxRefereeBytes) {
        this(role, request, replica, served, null, maxRefereeBytes);
    }

    private InferencePlayer(Party role, InferenceRequest request, InferenceTrace.Replica replica, List<ResponseLeaf> served,
                            byte[] servedPooledRoot, long maxRefereeBytes) {
        boolean provider = role == Party.PROVIDER;
        if (request.isEmbedding() ? served != null || (provider && servedPooledRoot == null)
                : servedPooledRoot != null || (provider && served == null)) {
            throw new IllegalArgumentException("served: the provider's committed response is required (an embedding's pooled root"
                    + " through forEmbedding, a completion's leaves)");
        }
        if (maxRefereeBytes < 1) throw new IllegalArgumentException("maxRefereeBytes: must be positive, got " + maxRefereeBytes);
        this.role = role;
        this.request = request;
        this.replica = replica;
        this.served = served == null ? null : List.copyOf(served);
        this.servedPooledRoot = servedPooledRoot == null ? null : servedPooledRoot.clone();
        this.maxRefereeBytes = maxRefereeBytes;
    }

    /**
     * A party to a dispute over the embedding {@code request}: {@code servedPooledRoot} is the provider's committed
     * pooled root (null for the challenger, who pools its own).
     */
    public static InferencePlayer forEmbedding(Party role, InferenceRequest request, InferenceTrace.Replica replica,
                                               byte[] servedPooledRoot, long maxRefereeBytes) {
        if (!request.isEmbedding()) throw new IllegalArgumentException("request: not an embedding request");
        if (role == Party.PROVIDER && servedPooledRoot == null) throw new IllegalArgumentException("servedPooledRoot: required for the provider");
        return new InferencePlayer(role, request, replica, null, role == Party.PROVIDER ? servedPooledRoot : null, maxRefereeBytes);
    }

    public InferenceMove next(InferenceGame game) {
        if (game.phase() == Phase.SETTLED || game.turn() != role) return null;
        return role == Party.PROVIDER ? provider(game) : challenger(game);
    }

    private InferenceMove provider(InferenceGame game) {
        switch (game.phase()) {
            case RESPONSE:
                return request.isEmbedding() ? new InferenceMove.OpenEmbedding(servedPooledRoot, trace(game).root())
                        : new InferenceMove.OpenResponse(served);
            case POOLING: {
                InferenceTrace tr = trace(game);
                return new InferenceMove.SettlePooling(tr.hiddenStates(), tr.hiddenStateProofs());
            }
            case LOGITS:
                return new InferenceMove.PostLogits(trace(game).lastLogits());
            case TRANSCRIPT: {
                InferenceTrace tr = trace(game);
                int last = tr.length() - 1;
                int leaves = tr.traceLeaves(last).size(); // its own trace's length: a cheater's may differ
                int ops = tr.layout().programLength();
                String lastKind = io.verigrid.engine.Decoder.positionProgram(replica.model(), last).get(ops - 1).kind();
                return new InferenceMove.PostTranscript(tr.root(), tr.token(last), tr.traceRoot(last), tr.transcriptProof(last),
                        tr.traceProof(last, leaves - 1), lastKind);
            }
            case POSITIONS:
                return new InferenceMove.PostNodes(InferenceTrace.nodes(trace(game).transcriptLeaves(), game.childLevel(),
                        game.childStart(), game.childCount()));
            case TRACE:
                return new InferenceMove.PostNodes(InferenceTrace.nodes(trace(game).traceLeaves(game.position()),
                        game.childLevel(), game.childStart(), game.childCount()));
            case OPEN_POSITION: {
                InferenceTrace tr = trace(game);
                int t = game.position();
                return t == 0 ? new InferenceMove.OpenPosition(tr.token(0), tr.traceRoot(0), -1, null, null)
                        : new InferenceMove.OpenPosition(tr.token(t), tr.traceRoot(t), tr.token(t - 1), tr.traceRoot(t - 1),
                                tr.transcriptProof(t - 1));
            }
            case OPERATOR: {
                return trace(game).settlement(game.position(), game.operator());
            }
            default:
                return null;
        }
    }

    private InferenceMove challenger(InferenceGame game) {
        switch (game.phase()) {
            case PICK: {
                List<ResponseLeaf> theirs = game.leaves();
                List<ResponseLeaf> mine = own(theirs);
                for (int i = 0; i < Math.min(theirs.size(), mine.size()); i++) {
                    ResponseLeaf a = theirs.get(i);
                    ResponseLeaf b = mine.get(i);
                    if (!Arrays.equals(a.hash(), b.hash())) {
                        return new InferenceMove.PickLeaf(a.choice(), a.position(), Arrays.equals(a.logitsRoot(), b.logitsRoot()));
                    }
                }
                return null;
            }
            case POOL_PICK: {
                // The pooling is disputed only when every position agrees and the pooled root still differs.
                InferenceTrace tr = trace(game);
                if (!Arrays.equals(tr.root(), game.transcriptRoot())) return new InferenceMove.PickPooling(false);
                boolean agree = Arrays.equals(InferencePooling.responseRoot(tr.hiddenStates()), game.providerRoot());
                return agree ? null : new InferenceMove.PickPooling(true);
            }
            case POSITIONS:
                return pick(game, game.postedNodes(), InferenceTrace.nodes(trace(game).transcriptLeaves(), game.childLevel(),
                        game.childStart(), game.childCount()), false);
            case TRACE:
                return pick(game, game.postedNodes(), InferenceTrace.nodes(trace(game).traceLeaves(game.position()),
                        game.childLevel(), game.childStart(), game.childCount()), game.childLevel() == 0);
            default:
                return null;
        }
    }

    private InferenceMove pick(InferenceGame game, List<byte[]> theirs, List<byte[]> mine, boolean claim) {
        for (int k = 0; k < theirs.size(); k++) {
            if (!Arrays.equals(theirs.get(k), mine.get(k))) {
                return new InferenceMove.PickNode(k, claim ? trace(game).outputRoot(game.position(), game.childStart() + k) : null);
            }
        }
        return null;
    }

    /** The challenger's own leaves for the lengths the provider opened. */
    private List<ResponseLeaf> own(List<ResponseLeaf> theirs) {
        if (own == null) {
            int[] lengths = new int[request.n()];
            for (ResponseLeaf leaf : theirs) {
                if (leaf.choice() < lengths.length) lengths[leaf.choice()] = Math.max(lengths[leaf.choice()], leaf.position() + 1);
            }
            own = InferenceTrace.responseLeaves(replica, request, lengths);
        }
        return own;
    }

    /**
     * The fed tokens of the disputed logits: the prompt, then the agreed tokens of the picked choice before it; of an
     * embedding, the prompt.
     */
    private InferenceTrace trace(InferenceGame game) {
        if (trace == null && request.isEmbedding()) trace = InferenceTrace.run(replica, request.prompt(), maxRefereeBytes);
        if (trace == null) {
            int promptLength = request.prompt().length;
            int[] fed = new int[promptLength + game.pickedPosition()];
            for (int t = 0; t < fed.length; t++) fed[t] = game.expectedToken(request, t);
            trace = InferenceTrace.run(replica, fed, maxRefereeBytes);
        }
        return trace;
    }
}
