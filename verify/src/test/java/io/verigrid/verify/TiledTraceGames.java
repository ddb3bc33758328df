package io.verigrid.verify;

import io.verigrid.engine.MlpJob;
import io.verigrid.engine.OpRecord;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.StepTrace;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A small job whose step trace under a 256 KiB bound has tiled matmuls read by later operators, and a game played
 * on one step's trace leaves as the provider and the challenger post them, however they built them. Trace (program
 * index in brackets): slice x [0], slice y [1], two tiles of x·w1 [2] and its assembly (entry 4), add_bias [3]
 * reading it, …, four K-chained tiles of xᵀ·dh [14] and its assembly (entry 20), …, momentum_update of w1 [19]
 * reading that one (entry 25).
 */
final class TiledTraceGames {
    static final long BOUND = 256 * 1024;
    /** 256 → 32 → 4, all 240 samples per batch: x (240 KiB) and w1 (32 KiB) together exceed the bound. */
    static final MlpJob JOB = new MlpJob(5, 256, 32, 4, 240, 240, 0.05f, 0.9f, 2, 1);
    static final LocalRun HONEST = LocalRun.execute(JOB, JOB.dataset(), JOB.initialState(), 2, Parallelism.single(), null, BOUND);
    static final byte[] DATASET_ROOT = Commitments.datasetRoot(JOB.dataset());

    private TiledTraceGames() {}

    static StepTrace honestTrace() {
        return HONEST.trace(2);
    }

    /** The honest trace with its entries in {@code order} (entry i of the result is entry order[i] of the honest one). */
    static StepTrace reordered(int... order) {
        List<OpRecord> ops = honestTrace().ops();
        List<OpRecord> out = new ArrayList<>();
        for (int i = 0; i < order.length; i++) {
            OpRecord r = ops.get(order[i]);
            out.add(new OpRecord(i, r.spec(), r.output(), r.programIndex()));
        }
        return new StepTrace(2, out);
    }

    /** 0, 1, …, n − 1 with entries a and b exchanged. */
    static int[] swap(int a, int b) {
        int[] order = new int[honestTrace().ops().size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        order[a] = b;
        order[b] = a;
        return order;
    }

    /**
     * Opens a game on step 2 and descends the provider's trace tree, the challenger picking the leftmost node that
     * differs from its own leaves, until a leaf is disputed with {@code claim}.
     */
    static DisputeGame descend(List<byte[]> providerLeaves, List<byte[]> challengerLeaves, byte[] claim) {
        DisputeGame game = DisputeGame.open(1, 2, 1, 2, HONEST.stateRoot(1), Hashes.sha256("the provider's state".getBytes()),
                Hashes.sha256("the challenger's state".getBytes()), 16, 10, 0);
        long height = 0;
        game = game.postTraceRoot(Merkle.root(providerLeaves), providerLeaves.size(), JOB.program(2).size(), BOUND, ++height);
        List<List<byte[]>> theirs = Merkle.levels(providerLeaves);
        List<List<byte[]>> ours = Merkle.levels(challengerLeaves);
        while (game.phase() == DisputeGame.Phase.TRACE) {
            int from = game.childStart();
            int level = game.childLevel();
            game = game.postTraceNodes(theirs.get(level).subList(from, from + game.childCount()), ++height);
            int k = 0;
            while (Arrays.equals(game.postedNodes().get(k), ours.get(level).get(from + k))) k++;
            game = game.pickTraceNode(k, level == 0 ? claim : null, ++height);
        }
        return game;
    }

    /** The provider settles with the evidence an honest provider would build from {@code trace}. */
    static Verdict settleFrom(DisputeGame game, StepTrace trace) {
        return settle(game, GameMoves.settlement(JOB, trace, game.operator(), HONEST.state(1), JOB.dataset()));
    }

    static Verdict settle(DisputeGame game, GameMoves.Settlement s) {
        return GameMoves.settle(game, JOB, DATASET_ROOT, BOUND, s, game.deadline()).verdict();
    }

    /** The honest leaves with leaf {@code j} replaced: what a challenger who disputes a correct leaf posts. */
    static List<byte[]> lyingAt(int j) {
        List<byte[]> leaves = new ArrayList<>(Commitments.traceLeaves(honestTrace()));
        leaves.set(j, Hashes.sha256(("a lie about leaf " + j).getBytes()));
        return leaves;
    }

    static byte[] honestOutputRoot(int j) {
        return Commitments.outputRoot(honestTrace().ops().get(j).output());
    }
}
