package io.verigrid.verify;

import io.verigrid.engine.Fault;
import io.verigrid.engine.MatmulTiles;
import io.verigrid.engine.MlpJob;
import io.verigrid.engine.OpRecord;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.StepTrace;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The game's tile settlement (spec §2, §3.4) between two {@link LocalRun}s traced under a 512 KiB bound: the honest
 * moves reach a tile and settle it with {@link DisputeGame#settleTile}; the evidence survives its canonical
 * encoding; a tile leaf cannot be settled as a whole operator, nor a trace posted with a length the bound excludes.
 */
class TileSettlementTest {
    private static final long MAX = 512 * 1024;
    private static final MlpJob JOB = new MlpJob(3, 256, 1024, 4, 256, 128, 0.05f, 0.9f, 2, 1);
    private static LocalRun honest;
    private static int firstTiled;

    @BeforeAll
    static void run() {
        honest = LocalRun.execute(JOB, JOB.dataset(), JOB.initialState(), 2, Parallelism.single(), null, MAX);
        firstTiled = honest.trace(2).ops().stream().filter(OpRecord::isTile).findFirst().orElseThrow().programIndex();
    }

    private static DisputeGame open(LocalRun provider, LocalRun challenger) {
        byte[] claim = java.util.Arrays.equals(provider.stateRoot(2), challenger.stateRoot(2))
                ? Hashes.sha256("a lying challenger's root".getBytes()) : challenger.stateRoot(2);
        return DisputeGame.open(1, 1, 0, 2, honest.stateRoot(0), provider.stateRoot(2), claim, 16, 10, 0);
    }

    /** Plays honest moves of both sides until the game waits for the provider's settlement. */
    private static DisputeGame toSettlement(DisputeGame game, LocalRun provider, LocalRun challenger) {
        long height = 0;
        while (game.phase() != DisputeGame.Phase.OPERATOR) {
            game = game.turn() == DisputeGame.Party.PROVIDER ? GameMoves.provider(game, provider, ++height)
                    : GameMoves.challenger(game, challenger, ++height);
        }
        return game;
    }

    @Test
    void honestMovesSettleATileAndTheEvidenceSurvivesItsEncoding() {
        LocalRun cheat = LocalRun.execute(JOB, JOB.dataset(), JOB.initialState(), 2, Parallelism.single(),
                new Fault(2, firstTiled, 1000, 1 << 20), MAX);
        DisputeGame game = toSettlement(open(cheat, honest), cheat, honest);
        StepTrace trace = cheat.trace(2);
        OpRecord reached = trace.ops().get(game.operator());
        assertTrue(reached.isTile());
        TileEvidence evidence = TileEvidence.forTile(JOB.program(2), trace, game.operator(), cheat.state(1), JOB.dataset());
        TileEvidence back = TileEvidence.decode(evidence.encode());
        assertArrayEquals(evidence.encode(), back.encode(), "canonical: decode then encode gives the same bytes");
        assertEquals(evidence.tile(), back.tile());
        assertEquals(evidence.inputBytes(), back.inputBytes());
        DisputeGame settled = game.settleTile(JOB, Commitments.datasetRoot(JOB.dataset()), MAX, back,
                Commitments.outputRoot(reached.output()), game.deadline());
        assertEquals(Verdict.CHALLENGER_WINS, settled.verdict());
        assertEquals(MatmulTiles.TILE_KIND, settled.reachedKind(JOB.program(2)));

        // The same leaf settled as a whole operator: no operator's leaf is the tile's, so the provider loses.
        DisputeGame asWhole = game.settleOperator(JOB, Commitments.datasetRoot(JOB.dataset()), List.of(),
                Commitments.outputRoot(reached.output()), game.deadline());
        assertEquals(Verdict.CHALLENGER_WINS, asWhole.verdict());
        // Under another bound the tile is not one of the operator's tiles.
        assertEquals(Verdict.CHALLENGER_WINS, game.settleTile(JOB, Commitments.datasetRoot(JOB.dataset()), 2 * MAX, back,
                Commitments.outputRoot(reached.output()), game.deadline()).verdict());
        byte[] truncated = java.util.Arrays.copyOf(evidence.encode(), evidence.encode().length - 1);
        assertThrows(IllegalArgumentException.class, () -> TileEvidence.decode(truncated));
    }

    @Test
    void anHonestProviderSettlesAWholeOperatorAfterTheTilesAtItsProgramIndex() {
        // The loss-side operators after the tiled matmuls sit at trace positions beyond their program indices.
        StepTrace trace = honest.trace(2);
        int target = -1;
        for (OpRecord r : trace.ops()) {
            if (!r.isTile() && r.index() > r.programIndex() && !isTiled(trace, r.programIndex()) && r.spec().inputs().stream()
                    .noneMatch(in -> in.source() == io.verigrid.engine.InputRef.Source.OP && isTiled(trace, in.op()))) {
                target = r.programIndex();
                break;
            }
        }
        assertTrue(target >= 0, "a whole operator after the tiles that reads no tiled output");
        LocalRun lying = LocalRun.execute(JOB, JOB.dataset(), JOB.initialState(), 2, Parallelism.single(),
                new Fault(2, target, 0, 1 << 20), MAX);
        DisputeGame game = toSettlement(open(honest, lying), honest, lying);
        assertFalse(trace.ops().get(game.operator()).isTile());
        assertTrue(game.operator() > target, "the leaf sits after tiles");
        DisputeGame settled = GameMoves.provider(game, honest, game.deadline());
        assertEquals(Verdict.PROVIDER_WINS, settled.verdict());
        assertEquals(JOB.program(2).get(target).kind(), settled.reachedKind(JOB.program(2)));
    }

    @Test
    void aTraceOfAnotherLengthIsAnsweredByDisputingTheAssembly() {
        // A provider that pads its trace with a correct leaf would shift every later leaf; the honest challenger does
        // not descend a tree of another shape but disputes the step's assembly, which re-runs the step.
        LocalRun cheat = LocalRun.execute(JOB, JOB.dataset(), JOB.initialState(), 2, Parallelism.single(),
                new Fault(2, firstTiled, 1000, 1 << 20), MAX);
        DisputeGame game = open(cheat, honest);
        long height = 0;
        while (game.phase() == DisputeGame.Phase.STEPS) {
            game = game.turn() == DisputeGame.Party.PROVIDER ? GameMoves.provider(game, cheat, ++height)
                    : GameMoves.challenger(game, honest, ++height);
        }
        List<byte[]> padded = new java.util.ArrayList<>(Commitments.traceLeaves(cheat.trace(2)));
        padded.add(1, padded.get(0));
        game = game.postTraceRoot(Merkle.root(padded), padded.size(), JOB.program(2).size(), MAX, ++height);
        int from = game.childStart();
        game = game.postTraceNodes(Merkle.levels(padded).get(game.childLevel()).subList(from, from + game.childCount()), ++height);
        game = GameMoves.challenger(game, honest, ++height);
        assertTrue(game.assemblyDisputed());
        DisputeGame settled = game.settleAssembly(JOB, JOB.dataset(), Commitments.datasetRoot(JOB.dataset()), cheat.state(1), ++height);
        assertEquals(Verdict.CHALLENGER_WINS, settled.verdict());
    }

    @Test
    void aMatmulTheBoundTilesCannotBeSettledAsAWholeOperator() {
        // The provider recorded the step whole; the game reaches the large matmul's whole leaf.
        LocalRun whole = LocalRun.execute(JOB, JOB.dataset(), JOB.initialState(), 2, Parallelism.single(), null);
        DisputeGame game = DisputeGame.open(1, 2, 1, 2, whole.stateRoot(1), whole.stateRoot(2),
                Hashes.sha256("a claim".getBytes()), 16, 10, 0);
        StepTrace trace = whole.trace(2);
        List<byte[]> leaves = Commitments.traceLeaves(trace);
        long height = 0;
        game = game.postTraceRoot(Merkle.root(leaves), leaves.size(), JOB.program(2).size(), MAX, ++height);
        while (game.phase() == DisputeGame.Phase.TRACE) {
            int from = game.childStart();
            game = game.postTraceNodes(Merkle.levels(leaves).get(game.childLevel()).subList(from, from + game.childCount()), ++height);
            int level = game.childLevel();
            int k = (firstTiled >> level) - game.childStart();
            game = game.pickTraceNode(k, level == 0 ? Hashes.sha256("their output".getBytes()) : null, ++height);
        }
        assertEquals(firstTiled, game.operator());
        List<InputEvidence> inputs = InputEvidence.forOperator(JOB, whole.state(1), JOB.dataset(), trace, firstTiled);
        byte[] output = Commitments.outputRoot(trace.ops().get(firstTiled).output());
        byte[] datasetRoot = Commitments.datasetRoot(JOB.dataset());
        assertEquals(Verdict.PROVIDER_WINS, game.settleOperator(JOB, datasetRoot, inputs, output, game.deadline()).verdict(),
                "unbounded, the whole matmul is the leaf");
        assertEquals(Verdict.CHALLENGER_WINS, game.settleOperator(JOB, datasetRoot, inputs, output, MAX, game.deadline()).verdict(),
                "under the bound it must be tiles");
    }

    private static boolean isTiled(StepTrace trace, int programIndex) {
        return trace.ops().stream().anyMatch(r -> r.isTile() && r.programIndex() == programIndex);
    }

    @Test
    void aTraceLengthTheBoundExcludesIsRefused() {
        LocalRun cheat = LocalRun.execute(JOB, JOB.dataset(), JOB.initialState(), 2, Parallelism.single(),
                new Fault(2, firstTiled, 1000, 1 << 20), MAX);
        DisputeGame game = open(cheat, honest);
        game = game.postStepRoots(GameMoves.stepRoots(game, cheat), 1).pickStepRange(GameMoves.stepPick(game.postStepRoots(
                GameMoves.stepRoots(game, cheat), 1), honest), 2);
        int programLength = JOB.program(2).size();
        int traceLength = cheat.trace(2).ops().size();
        byte[] root = Commitments.traceRoot(cheat.trace(2));
        DisputeGame at = game;
        GameException unbounded = assertThrows(GameException.class, () -> at.postTraceRoot(root, traceLength, programLength, 3));
        assertEquals("WRONG_COUNT", unbounded.reason());
        assertEquals("WRONG_COUNT", assertThrows(GameException.class,
                () -> at.postTraceRoot(root, programLength - 1, programLength, MAX, 3)).reason());
        assertEquals(traceLength, at.postTraceRoot(root, traceLength, programLength, MAX, 3).traceLength());
    }
}
