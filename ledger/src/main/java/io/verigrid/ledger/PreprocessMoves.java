package io.verigrid.ledger;

import io.verigrid.ledger.tx.PreprocessTx;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.verify.DisputeGame;
import io.verigrid.verify.PreprocessGame;
import io.verigrid.verify.PreprocessRun;

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

    private static void expectTurn(PreprocessGame game, DisputeGame.Party party) {
        if (game.phase() == PreprocessGame.Phase.SETTLED || game.turn() != party) {
            throw new IllegalArgumentException("game: not the " + party + "'s turn (" + game.phase() + ", " + game.turn() + ")");
        }
    }
}
