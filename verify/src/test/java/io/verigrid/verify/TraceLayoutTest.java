package io.verigrid.verify;

import static io.verigrid.verify.TiledTraceGames.*;
import static org.junit.jupiter.api.Assertions.*;

import io.verigrid.engine.OpRecord;
import io.verigrid.engine.StepTrace;
import org.junit.jupiter.api.Test;

import java.util.List;

/**
 * Spec §2 with tiles: a leaf must sit where the trace layout puts it. A provider that moves, repeats or reorders
 * correct leaves (each one's re-execution is right, only its index is wrong) loses at the first leaf out of place;
 * an honest provider wins wherever a challenger disputes a correct leaf, whole or tile, from its preceding leaf.
 */
class TraceLayoutTest {
    /** The honest challenger's game against {@code cheat}, down to the first leaf that differs, claiming its own output. */
    private static DisputeGame cheatGame(StepTrace cheat) {
        List<byte[]> ours = Commitments.traceLeaves(honestTrace());
        List<byte[]> theirs = Commitments.traceLeaves(cheat);
        int j = 0;
        while (java.util.Arrays.equals(theirs.get(j), ours.get(j))) j++;
        DisputeGame game = descend(theirs, ours, honestOutputRoot(j));
        assertEquals(j, game.operator(), "the descent reaches the first leaf out of place");
        return game;
    }

    @Test
    void theTraceIsTheLayoutTheTestsAssume() {
        List<OpRecord> ops = honestTrace().ops();
        assertEquals(29, ops.size());
        assertEquals(23, JOB.program(2).size());
        assertTrue(ops.get(2).isTile() && ops.get(3).isTile() && !ops.get(4).isTile() && ops.get(4).programIndex() == 2);
        assertTrue(ops.get(16).isTile() && !ops.get(20).isTile() && ops.get(20).programIndex() == 14);
        assertTrue(TiledOutputEvidence.isAssembly(honestTrace(), 4) && TiledOutputEvidence.isAssembly(honestTrace(), 20));
        assertFalse(TiledOutputEvidence.isAssembly(honestTrace(), 5));
    }

    @Test
    void reorderedTilesLoseAtTheFirstTileOutOfPlace() {
        // Both tiles of x·w1 are right; swapped, the first one reached is the plan's second tile after slice y.
        StepTrace cheat = reordered(swap(2, 3));
        DisputeGame game = cheatGame(cheat);
        assertEquals(Verdict.CHALLENGER_WINS, settleFrom(game, cheat));
    }

    @Test
    void aRepeatedTileLoses() {
        int[] order = swap(0, 0);
        order[3] = 2; // the first tile recorded twice, the second one never
        StepTrace cheat = reordered(order);
        assertEquals(Verdict.CHALLENGER_WINS, settleFrom(cheatGame(cheat), cheat));
    }

    @Test
    void aMovedAssemblyLeafLoses() {
        // xᵀ·dh's assembly leaf recorded before its last K-block: its final tile is not where the plan puts it.
        StepTrace cheat = reordered(swap(19, 20));
        assertEquals(Verdict.CHALLENGER_WINS, settleFrom(cheatGame(cheat), cheat));
    }

    @Test
    void aWholeLeafShiftedAfterTheTilesLoses() {
        // momentum_update of b2 [17] recorded where sgd_apply of b1 [16] belongs: its inputs are proven and its output
        // right, so without the layout check the referee would uphold it; the leaf before it ends operator 15, not 16.
        StepTrace cheat = reordered(swap(22, 23));
        DisputeGame game = cheatGame(cheat);
        assertEquals(22, game.operator());
        assertEquals(Verdict.CHALLENGER_WINS, settleFrom(game, cheat));
        // Nor can the cheat leave the preceding leaf out.
        GameMoves.Settlement s = GameMoves.settlement(JOB, cheat, 22, HONEST.state(1), JOB.dataset());
        assertEquals(Verdict.CHALLENGER_WINS, settle(game, new GameMoves.Settlement(null, null, s.inputs(), null, s.outputRoot())));
    }

    @Test
    void anHonestProviderWinsWhereverACorrectLeafIsDisputed() {
        // 0: first leaf; 2, 3: first K-block tiles after a whole leaf and after a tile; 17: a chained K-block;
        // 4, 20: assembly leaves; 5, 25: whole operators reading a tiled output; 22: a whole leaf after a whole leaf.
        for (int j : new int[] {0, 2, 3, 4, 5, 17, 20, 22, 25, 28}) {
            DisputeGame game = descend(Commitments.traceLeaves(honestTrace()), lyingAt(j), Hashes.sha256("a wrong output".getBytes()));
            assertEquals(j, game.operator());
            DisputeGame settled = GameMoves.provider(game, HONEST, game.deadline());
            assertEquals(Verdict.PROVIDER_WINS, settled.verdict(), "leaf " + j);
        }
    }

    @Test
    void anHonestLeafSettledWithoutItsPrecedingLeafLoses() {
        for (int j : new int[] {2, 5}) {
            DisputeGame game = descend(Commitments.traceLeaves(honestTrace()), lyingAt(j), Hashes.sha256("a wrong output".getBytes()));
            GameMoves.Settlement s = GameMoves.settlement(JOB, honestTrace(), j, HONEST.state(1), JOB.dataset());
            GameMoves.Settlement bare = s.tile() != null
                    ? new GameMoves.Settlement(new TileEvidence(s.tile().programIndex(), s.tile().tile(), s.tile().a(), s.tile().b(),
                            null, null), null, List.of(), null, s.outputRoot())
                    : new GameMoves.Settlement(null, null, s.inputs(), null, s.outputRoot());
            assertEquals(Verdict.CHALLENGER_WINS, settle(game, bare), "leaf " + j + " without the leaf before it");
            assertEquals(Verdict.PROVIDER_WINS, settle(game, s), "leaf " + j);
        }
    }

    @Test
    void thePrecedingLeafSurvivesItsEncoding() {
        for (int j : new int[] {3, 5}) {
            PrecedingLeaf leaf = PrecedingLeaf.before(honestTrace(), j);
            assertEquals(leaf, PrecedingLeaf.decode(leaf.encode()));
            assertArrayEquals(Commitments.traceLeaves(honestTrace()).get(j - 1), leaf.leaf());
        }
        assertNull(PrecedingLeaf.before(honestTrace(), 0));
        byte[] bytes = PrecedingLeaf.before(honestTrace(), 3).encode();
        bytes[4] = 7; // the form byte
        assertThrows(IllegalArgumentException.class, () -> PrecedingLeaf.decode(bytes));
    }
}
