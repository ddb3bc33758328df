package io.verigrid.ledger;

import io.verigrid.engine.StepTrace;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.verify.Commitments;
import io.verigrid.verify.DisputeGame;
import io.verigrid.verify.GameMoves;
import io.verigrid.verify.LocalRun;
import java.util.Arrays;

/**
 * The transaction body of an honest party's next move, computed from its own execution ({@link LocalRun}) of
 * the disputed unit and the game as the ledger holds it ({@link DisputeView#decodeGame()}). Provider and
 * verifier roles sign what this returns.
 */
public final class DisputeMoves {
    private DisputeMoves() {}

    /** The provider's move; the game must be waiting for the provider. */
    public static TxBody provider(long disputeId, DisputeGame game, LocalRun run) {
        expectTurn(game, DisputeGame.Party.PROVIDER);
        return switch (game.phase()) {
            case STEPS -> new TxBody.PostStepRoots(disputeId, GameMoves.stepRoots(game, run));
            case TRACE -> {
                if (game.providerTraceRoot() == null) {
                    StepTrace trace = run.trace(game.stepHi());
                    yield new TxBody.PostTraceRoot(disputeId, Commitments.traceRoot(trace), trace.ops().size());
                }
                yield new TxBody.PostTraceNodes(disputeId, GameMoves.traceNodes(game, run));
            }
            case OPERATOR -> {
                if (game.assemblyDisputed()) {
                    // A job trained on a dataset blob: the referee needs the data, proven by the job's dataset root.
                    boolean seeded = run.job().seededDataset()
                            .map(data -> Arrays.equals(Commitments.datasetRoot(data), Commitments.datasetRoot(run.dataset())))
                            .orElse(false);
                    yield new TxBody.SettleAssembly(disputeId, run.state(game.stepLo()), seeded ? null : run.dataset());
                }
                GameMoves.Settlement s = GameMoves.settlement(game, run);
                if (s.tile() != null) yield new TxBody.SettleOperator(disputeId, s.tile(), s.outputRoot());
                if (s.tiledOutput() != null) yield new TxBody.SettleOperator(disputeId, s.tiledOutput(), s.outputRoot());
                yield new TxBody.SettleOperator(disputeId, s.inputs(), s.outputRoot(), null, s.previous(), null);
            }
            case SETTLED -> throw new IllegalStateException("dispute " + disputeId + " is settled");
        };
    }

    /** The challenger's move; the game must be waiting for the challenger. */
    public static TxBody challenger(long disputeId, DisputeGame game, LocalRun run) {
        expectTurn(game, DisputeGame.Party.CHALLENGER);
        return switch (game.phase()) {
            case STEPS -> new TxBody.PickStepRange(disputeId, GameMoves.stepPick(game, run));
            case TRACE -> {
                GameMoves.TracePick pick = GameMoves.tracePick(game, run);
                yield pick.assembly() ? new TxBody.DisputeAssembly(disputeId)
                        : new TxBody.PickTraceNode(disputeId, pick.k(), pick.outputRoot());
            }
            case OPERATOR, SETTLED -> throw new IllegalStateException("the challenger has no move in " + game.phase());
        };
    }

    private static void expectTurn(DisputeGame game, DisputeGame.Party party) {
        if (game.phase() == DisputeGame.Phase.SETTLED || game.turn() != party) {
            throw new IllegalArgumentException("game: not the " + party + "'s turn (" + game.phase() + ", " + game.turn() + ")");
        }
    }
}
