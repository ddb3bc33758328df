package io.verigrid.node.preprocess;

import io.verigrid.ledger.DisputeView;
import io.verigrid.ledger.PreprocessMoves;
import io.verigrid.ledger.TxResult;
import io.verigrid.ledger.tx.PreprocessTx;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.node.ledger.LedgerHttp;
import io.verigrid.node.ledger.Wallet;
import io.verigrid.verify.DisputeGame;
import io.verigrid.verify.PreprocessGame;
import io.verigrid.verify.PreprocessRun;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Plays one side of preprocessing disputes over the network: reads each tracked game from the ledger and, when it is
 * this party's turn, posts the honest move computed from its own run of the disputed shard ({@link PreprocessMoves}).
 */
public final class PreprocessPlayer {
    private final Wallet wallet;
    private final LedgerHttp ledger;
    private final Consumer<String> log;
    private final Map<Long, PreprocessRun> runs = new ConcurrentHashMap<>();
    /** The chain's transaction size limit (fixed at genesis), read once. */
    private volatile int maxTxBytes;

    public PreprocessPlayer(Wallet wallet, LedgerHttp ledger, Consumer<String> log) {
        this.wallet = wallet;
        this.ledger = ledger;
        this.log = log;
    }

    private int maxTxBytes() {
        if (maxTxBytes == 0) maxTxBytes = ledger.params().maxTxBytes();
        return maxTxBytes;
    }

    public void track(long disputeId, PreprocessRun run) {
        runs.put(disputeId, run);
    }

    public boolean tracks(long disputeId) {
        return runs.containsKey(disputeId);
    }

    /** Moves in every tracked dispute where it is this party's turn; forgets the settled ones. */
    public void playAll() {
        for (Map.Entry<Long, PreprocessRun> entry : runs.entrySet()) {
            long id = entry.getKey();
            DisputeView view = ledger.dispute(id);
            if (view.verdict() != null) {
                runs.remove(id);
                log.accept(wallet.name() + ": dispute " + id + " settled " + view.verdict()
                        + (view.outcome() != null && view.outcome().opKind() != null ? " at " + view.outcome().opKind() : ""));
                continue;
            }
            if (!wallet.address().equals(view.turnAddress())) continue;
            PreprocessGame game = view.decodePreprocessGame();
            TxBody move = game.turn() == DisputeGame.Party.PROVIDER
                    ? PreprocessMoves.provider(id, game, entry.getValue()) : PreprocessMoves.challenger(id, game, entry.getValue());
            // Evidence too large for one transaction goes in parts, in order; a refused part stops the upload, which
            // the next round starts again from the first part.
            List<TxBody> txs = PreprocessMoves.inParts(id, move, maxTxBytes());
            TxResult result = null;
            for (TxBody tx : txs) {
                result = wallet.submit(tx);
                if (!result.accepted()) break;
            }
            log.accept(String.format("%-10s dispute %d %-8s %s%s%s", wallet.name(), id, game.phase(), describe(move, game),
                    txs.size() > 1 ? " in " + txs.size() + " parts" : "",
                    result.accepted() ? "" : "  REJECTED " + result.code() + ": " + result.message()));
        }
    }

    private static String describe(TxBody move, PreprocessGame game) {
        if (move instanceof PreprocessTx.PostShardTraceRoot m) {
            return "posts the trace root of shard " + game.shard() + " (" + game.traceLength() + " leaves, " + m.lastCount() + " records)";
        } else if (move instanceof PreprocessTx.PostShardTraceNodes m) {
            return "posts " + m.nodes().size() + " trace nodes at level " + game.childLevel();
        } else if (move instanceof PreprocessTx.PickShardTraceNode m) {
            int position = game.childStart() + m.k();
            if (game.childLevel() > 0) return "disputes trace node " + position + " at level " + game.childLevel();
            boolean plan = position <= game.steps();
            return "disputes leaf " + position + ": the " + (plan ? "plan" : "records") + " after step " + (plan ? position : position - game.steps() - 1);
        } else if (move instanceof PreprocessTx.SettleShardStep m) {
            return "posts its evidence (" + m.evidence().before().size() + " records, " + m.evidence().proven().size()
                    + " proven inputs) for the referee";
        } else if (move instanceof PreprocessTx.SettleShardCut m) {
            return "posts its plan and " + m.evidence().inputs().size() + " proven inputs for the cut of shard " + game.shard();
        } else if (move instanceof PreprocessTx.PostShardWitness m) {
            return m.witness().length == 0 ? "has no duplicate witness" : "names the kept record the disputed one duplicates";
        }
        return move.getClass().getSimpleName();
    }
}
