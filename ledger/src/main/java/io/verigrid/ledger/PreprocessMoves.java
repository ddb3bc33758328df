package io.verigrid.ledger;

import io.verigrid.ledger.tx.ByteWriter;
import io.verigrid.ledger.tx.PreprocessTx;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.verify.DisputeGame;
import io.verigrid.verify.PreprocessGame;
import io.verigrid.verify.PreprocessRun;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The transaction body of an honest party's next move in a preprocessing dispute, computed from its own run of the
 * disputed shard ({@link PreprocessRun}) and the game as the ledger holds it ({@link DisputeView#decodePreprocessGame()}).
 */
public final class PreprocessMoves {
    private PreprocessMoves() {}

    /** The provider's move; the game must be waiting for the provider. */
    public static TxBody provider(long disputeId, PreprocessGame game, PreprocessRun run) {
        expectTurn(game, DisputeGame.Party.PROVIDER);
        if (game.phase() == PreprocessGame.Phase.CUT) return new PreprocessTx.SettleShardCut(disputeId, run.cutEvidence(game));
        if (game.phase() == PreprocessGame.Phase.LEAF) return new PreprocessTx.SettleShardStep(disputeId, run.evidence(game));
        if (game.providerTraceRoot() == null) {
            PreprocessRun.TraceRootMove m = run.traceRoot();
            return new PreprocessTx.PostShardTraceRoot(disputeId, m.traceRoot(), m.lastCount(), m.lastPath().siblings());
        }
        return new PreprocessTx.PostShardTraceNodes(disputeId, run.traceNodes(game));
    }

    /** The challenger's move; the game must be waiting for the challenger. */
    public static TxBody challenger(long disputeId, PreprocessGame game, PreprocessRun run) {
        expectTurn(game, DisputeGame.Party.CHALLENGER);
        if (game.phase() == PreprocessGame.Phase.WITNESS) return new PreprocessTx.PostShardWitness(disputeId, run.witness(game));
        PreprocessRun.Pick pick = run.pick(game);
        return new PreprocessTx.PickShardTraceNode(disputeId, pick.k(), pick.claim());
    }

    /** What a signed transaction takes beyond its body (chain id, key, nonce, fee, signature, a part's header), with room to spare. */
    static final int ENVELOPE_BYTES = 600;

    /**
     * The transactions that carry {@code move} under {@code maxTxBytes}: the move itself when it fits, else its body
     * in {@link PreprocessTx.PostMovePart}s in order (a step's or a cut's evidence may hold a tokenizer, a plan and
     * many records). Only the provider's evidence moves come in parts; any other move is returned as it is.
     */
    public static List<TxBody> inParts(long disputeId, TxBody move, int maxTxBytes) {
        ByteWriter writer = new ByteWriter();
        move.write(writer);
        byte[] body = writer.toBytes();
        boolean partable = move instanceof PreprocessTx.SettleShardStep || move instanceof PreprocessTx.SettleShardCut;
        if (!partable || body.length + ENVELOPE_BYTES <= maxTxBytes) return List.of(move);
        int size = Math.max(1, maxTxBytes - ENVELOPE_BYTES);
        List<TxBody> parts = new ArrayList<>();
        for (int offset = 0; offset < body.length; offset += size) {
            parts.add(new PreprocessTx.PostMovePart(disputeId, move.tag(), body.length, offset,
                    Arrays.copyOfRange(body, offset, Math.min(body.length, offset + size))));
        }
        return parts;
    }

    private static void expectTurn(PreprocessGame game, DisputeGame.Party party) {
        if (game.phase() == PreprocessGame.Phase.SETTLED || game.turn() != party) {
            throw new IllegalArgumentException("game: not the " + party + "'s turn (" + game.phase() + ", " + game.turn() + ")");
        }
    }
}
