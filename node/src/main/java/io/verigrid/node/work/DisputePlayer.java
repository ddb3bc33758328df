package io.verigrid.node.work;

import io.verigrid.ledger.DisputeMoves;
import io.verigrid.ledger.DisputeView;
import io.verigrid.ledger.TxResult;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.node.ledger.LedgerHttp;
import io.verigrid.node.ledger.Wallet;
import io.verigrid.verify.DisputeGame;
import io.verigrid.verify.LocalRun;
import io.verigrid.verify.Verdict;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Plays one side of a dispute over the network: reads the game from the ledger, and when it is this party's turn
 * posts the move an honest party makes ({@link DisputeMoves}), computed from its own execution of the disputed unit.
 */
public final class DisputePlayer {
    private final Wallet wallet;
    private final LedgerHttp ledger;
    private final Consumer<String> log;
    private final Map<Long, LocalRun> runs = new ConcurrentHashMap<>();

    public DisputePlayer(Wallet wallet, LedgerHttp ledger, Consumer<String> log) {
        this.wallet = wallet;
        this.ledger = ledger;
        this.log = log;
    }

    /** Plays dispute {@code disputeId} from now on with this party's own execution of the disputed unit. */
    public void track(long disputeId, LocalRun run) {
        runs.put(disputeId, run);
    }

    public boolean tracks(long disputeId) {
        return runs.containsKey(disputeId);
    }

    /** Moves in every tracked dispute where it is this party's turn; forgets the settled ones. */
    public void playAll() {
        for (Map.Entry<Long, LocalRun> dispute : runs.entrySet()) {
            Verdict verdict = play(dispute.getKey(), dispute.getValue());
            if (verdict != null) {
                runs.remove(dispute.getKey());
                log.accept(wallet.name() + ": dispute " + dispute.getKey() + " settled " + verdict);
            }
        }
    }

    /** Makes this party's move if it is its turn; returns the verdict once the game is settled, else null. */
    private Verdict play(long disputeId, LocalRun run) {
        DisputeView view = ledger.dispute(disputeId);
        if (view.verdict() != null) return Verdict.valueOf(view.verdict());
        if (!wallet.address().equals(view.turnAddress())) return null;
        DisputeGame game = view.decodeGame();
        TxBody move = game.turn() == DisputeGame.Party.PROVIDER ? DisputeMoves.provider(disputeId, game, run) : DisputeMoves.challenger(disputeId, game, run);
        TxResult result = wallet.submit(move);
        log.accept(String.format("%-10s dispute %d %-8s %s%s", wallet.name(), disputeId, game.phase(), describe(move, game, run),
                result.accepted() ? "" : "  REJECTED " + result.code() + ": " + result.message()));
        return null;
    }

    private static String describe(TxBody move, DisputeGame game, LocalRun run) {
        if (move instanceof TxBody.PostStepRoots) {
            return "posts state roots at steps " + Arrays.toString(game.stepPoints()) + " inside (" + game.stepLo() + ", " + game.stepHi() + "]";
        } else if (move instanceof TxBody.PickStepRange m) {
            long[] p = game.stepPoints();
            long lo = m.k() == 0 ? game.stepLo() : p[m.k() - 1];
            long hi = m.k() == p.length ? game.stepHi() : p[m.k()];
            return "disputes steps (" + lo + ", " + hi + "]" + (hi == lo + 1 ? " -> step " + hi : "");
        } else if (move instanceof TxBody.PostTraceRoot m) {
            return "posts the trace root of step " + game.stepHi() + " (" + m.traceLength() + " operators)";
        } else if (move instanceof TxBody.PostTraceNodes m) {
            return "posts " + m.nodes().size() + " trace nodes at level " + game.childLevel();
        } else if (move instanceof TxBody.PickTraceNode m) {
            int position = game.childStart() + m.k();
            if (game.childLevel() == 0) {
                // The trace entry, not the program's: under max_referee_bytes a large matmul is several tile entries.
                return "disputes operator #" + position + " (" + run.trace(game.stepHi()).ops().get(position).spec().kind() + ")";
            }
            return "disputes trace node " + position + " at level " + game.childLevel();
        } else if (move instanceof TxBody.SettleOperator m && m.tile() != null) {
            return "proves the " + m.tile().inputBytes() + " input bytes of tile #" + game.operator() + " (matmul #"
                    + m.tile().programIndex() + ") for the referee";
        } else if (move instanceof TxBody.SettleOperator m && m.tiledOutput() != null) {
            return "proves the " + m.tiledOutput().inputBytes() + "-byte output of tiled matmul #" + m.tiledOutput().programIndex()
                    + " (trace entry #" + game.operator() + ") against its " + m.tiledOutput().finalTiles().size() + " final tiles";
        } else if (move instanceof TxBody.SettleOperator m) {
            return "proves " + m.inputs().size() + " inputs of operator #" + game.operator()
                    + (m.previous() == null ? "" : " after agreed leaf #" + m.previous().proof().index()) + " for the referee";
        } else if (move instanceof TxBody.SettleAssembly) {
            return "posts the state before step " + game.stepHi() + " for the referee";
        } else if (move instanceof TxBody.DisputeAssembly) {
            return "agrees with every operator but not with the assembled state";
        }
        return move.getClass().getSimpleName();
    }
}
