package io.verigrid.verify;

import io.verigrid.verify.DisputeGame.Party;
import io.verigrid.verify.DisputeGame.Phase;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The move rules on games whose hashes are made up: turn, phase, deadline, counts and proofs. */
class DisputeGameRulesTest {
    static final byte[] LO = Hashes.sha256("lo".getBytes());
    static final byte[] PROVIDER_HI = Hashes.sha256("provider hi".getBytes());
    static final byte[] CHALLENGER_HI = Hashes.sha256("challenger hi".getBytes());

    static DisputeGame openSteps() {
        return DisputeGame.open(3, 2, 20, 40, LO, PROVIDER_HI, CHALLENGER_HI, 4, 5, 100);
    }

    static List<byte[]> hashes(String tag, int count) {
        List<byte[]> hashes = new ArrayList<>();
        for (int i = 0; i < count; i++) hashes.add(Hashes.sha256((tag + i).getBytes()));
        return hashes;
    }

    static void rejected(String reason, Runnable move) {
        GameException e = assertThrows(GameException.class, move::run);
        assertEquals(reason, e.reason());
    }

    @Test
    void openingOnASingleStepGoesStraightToTheTrace() {
        DisputeGame game = DisputeGame.open(3, 2, 20, 21, LO, PROVIDER_HI, CHALLENGER_HI, 4, 5, 100);
        assertEquals(Phase.TRACE, game.phase());
        assertEquals(Party.PROVIDER, game.turn());
        assertEquals(105, game.deadline());
    }

    @Test
    void openingRejectsBadArgumentsByName() {
        assertThrows(IllegalArgumentException.class, () -> DisputeGame.open(3, 2, 20, 20, LO, PROVIDER_HI, CHALLENGER_HI, 4, 5, 100));
        assertThrows(IllegalArgumentException.class, () -> DisputeGame.open(3, 2, 20, 40, LO, PROVIDER_HI, PROVIDER_HI, 4, 5, 100));
        assertThrows(IllegalArgumentException.class, () -> DisputeGame.open(3, 2, 20, 40, new byte[3], PROVIDER_HI, CHALLENGER_HI, 4, 5, 100));
        assertThrows(IllegalArgumentException.class, () -> DisputeGame.open(3, 2, 20, 40, LO, PROVIDER_HI, CHALLENGER_HI, 1, 5, 100));
        assertThrows(IllegalArgumentException.class, () -> DisputeGame.open(3, 2, 20, 40, LO, PROVIDER_HI, CHALLENGER_HI, 4, 0, 100));
    }

    @Test
    void stepBisectionNarrowsToThePickedSubRange() {
        DisputeGame game = openSteps();
        assertArrayEquals(new long[] {25, 30, 35}, game.stepPoints());
        List<byte[]> roots = hashes("root", 3);
        game = game.postStepRoots(roots, 101);
        assertEquals(Party.CHALLENGER, game.turn());
        assertEquals(106, game.deadline());
        DisputeGame picked = game.pickStepRange(2, 102);
        assertEquals(30, picked.stepLo());
        assertEquals(35, picked.stepHi());
        assertArrayEquals(roots.get(1), picked.rootLo());
        assertArrayEquals(roots.get(2), picked.providerRootHi());
        assertEquals(1, picked.rounds());
        assertEquals(2, picked.moves());
        DisputeGame last = game.pickStepRange(3, 102);
        assertEquals(35, last.stepLo());
        assertEquals(40, last.stepHi());
        assertArrayEquals(PROVIDER_HI, last.providerRootHi());
        DisputeGame first = game.pickStepRange(0, 102);
        assertArrayEquals(LO, first.rootLo());
        assertEquals(25, first.stepHi());
    }

    @Test
    void movesOutOfTurnAreRejected() {
        DisputeGame game = openSteps();
        rejected("NOT_YOUR_TURN", () -> game.pickStepRange(0, 101));
        DisputeGame posted = game.postStepRoots(hashes("r", 3), 101);
        rejected("NOT_YOUR_TURN", () -> posted.postStepRoots(hashes("r", 3), 102));
    }

    @Test
    void movesOfAnotherPhaseAreRejected() {
        DisputeGame game = openSteps();
        rejected("WRONG_PHASE", () -> game.postTraceRoot(LO, 5, 5, 101));
        rejected("WRONG_PHASE", () -> game.postTraceNodes(hashes("n", 2), 101));
        rejected("WRONG_PHASE", () -> game.settleAssembly(null, null, 101));
        rejected("WRONG_PHASE", () -> game.disputeAssembly(101));
    }

    @Test
    void movesAfterTheDeadlineAreRejectedAndTimeoutDecidesAgainstThePartyToMove() {
        DisputeGame game = openSteps();
        rejected("DEADLINE_PASSED", () -> game.postStepRoots(hashes("r", 3), 106));
        rejected("DEADLINE_NOT_PASSED", () -> game.timeout(105));
        DisputeGame providerLate = game.timeout(106);
        assertEquals(Phase.SETTLED, providerLate.phase());
        assertEquals(Verdict.CHALLENGER_WINS, providerLate.verdict());
        DisputeGame posted = game.postStepRoots(hashes("r", 3), 104);
        DisputeGame challengerLate = posted.timeout(110);
        assertEquals(Verdict.PROVIDER_WINS, challengerLate.verdict());
        rejected("SETTLED", () -> challengerLate.pickStepRange(0, 110));
        rejected("SETTLED", () -> challengerLate.timeout(500));
    }

    @Test
    void wrongCountsAndBadPicksAreRejected() {
        DisputeGame game = openSteps();
        rejected("WRONG_COUNT", () -> game.postStepRoots(hashes("r", 2), 101));
        rejected("MALFORMED", () -> game.postStepRoots(List.of(LO, LO, new byte[5]), 101));
        DisputeGame posted = game.postStepRoots(hashes("r", 3), 101);
        rejected("BAD_PICK", () -> posted.pickStepRange(4, 102));
        rejected("BAD_PICK", () -> posted.pickStepRange(-1, 102));
    }

    /** A trace game on made-up leaves: 40 leaves, fanout 4 (2 levels a round). */
    static DisputeGame traceGame(List<byte[]> leaves) {
        DisputeGame game = DisputeGame.open(3, 2, 20, 21, LO, PROVIDER_HI, CHALLENGER_HI, 4, 5, 100);
        return game.postTraceRoot(Merkle.root(leaves), leaves.size(), leaves.size(), 101);
    }

    @Test
    void theTraceRootMustCoverTheProgramsLength() {
        DisputeGame game = DisputeGame.open(3, 2, 20, 21, LO, PROVIDER_HI, CHALLENGER_HI, 4, 5, 100);
        rejected("WRONG_COUNT", () -> game.postTraceRoot(LO, 39, 40, 101));
        rejected("MALFORMED", () -> game.postTraceRoot(new byte[4], 40, 40, 101));
    }

    @Test
    void traceDescentReachesTheLeftmostDisputedLeaf() {
        List<byte[]> provider = hashes("leaf", 40);
        List<byte[]> challenger = new ArrayList<>(provider);
        challenger.set(23, Hashes.sha256("other".getBytes()));
        challenger.set(31, Hashes.sha256("other too".getBytes()));
        List<List<byte[]>> own = Merkle.levels(challenger);
        List<List<byte[]>> theirs = Merkle.levels(provider);
        DisputeGame game = traceGame(provider);
        long height = 102;
        while (game.phase() == Phase.TRACE) {
            List<byte[]> nodes = theirs.get(game.childLevel()).subList(game.childStart(), game.childStart() + game.childCount());
            game = game.postTraceNodes(nodes, height++);
            int k = 0;
            while (Arrays.equals(nodes.get(k), own.get(game.childLevel()).get(game.childStart() + k))) k++;
            byte[] claim = game.childLevel() == 0 ? Hashes.sha256("claim".getBytes()) : null;
            game = game.pickTraceNode(k, claim, height++);
            assertEquals(game, DisputeGame.decode(game.encode()));
        }
        assertEquals(Phase.OPERATOR, game.phase());
        assertEquals(23, game.operator());
        assertEquals(Bisection.ceilLog(4, 40), game.rounds(), "one round per two levels of a 6-level tree");
    }

    @Test
    void traceNodesMustHashBackToTheDisputedNode() {
        List<byte[]> leaves = hashes("leaf", 40);
        DisputeGame game = traceGame(leaves);
        List<byte[]> nodes = new ArrayList<>(Merkle.levels(leaves).get(game.childLevel())
                .subList(game.childStart(), game.childStart() + game.childCount()));
        rejected("WRONG_COUNT", () -> game.postTraceNodes(nodes.subList(0, nodes.size() - 1), 102));
        nodes.set(1, LO);
        rejected("BAD_PROOF", () -> game.postTraceNodes(nodes, 102));
    }

    @Test
    void theClaimIsRequiredExactlyOnThePickThatReachesALeaf() {
        List<byte[]> leaves = hashes("leaf", 3);
        List<List<byte[]>> levels = Merkle.levels(leaves);
        DisputeGame game = traceGame(leaves).postTraceNodes(levels.get(0), 102);
        assertEquals(0, game.childLevel());
        rejected("MISSING_CLAIM", () -> game.pickTraceNode(1, null, 103));
        DisputeGame picked = game.pickTraceNode(1, LO, 103);
        assertEquals(1, picked.operator());
        assertEquals(Party.PROVIDER, picked.turn());
        rejected("WRONG_PHASE", () -> picked.disputeAssembly(104));

        List<byte[]> many = hashes("leaf", 40);
        DisputeGame deep = traceGame(many).postTraceNodes(Merkle.levels(many).get(4), 102);
        rejected("UNEXPECTED_CLAIM", () -> deep.pickTraceNode(0, LO, 103));
    }

    @Test
    void theAssemblyCanBeDisputedOnlyBeforeTheDescentBegins() {
        List<byte[]> many = hashes("leaf", 40);
        DisputeGame game = traceGame(many).postTraceNodes(Merkle.levels(many).get(4), 102);
        DisputeGame assembly = game.disputeAssembly(103);
        assertTrue(assembly.assemblyDisputed());
        assertEquals(Phase.OPERATOR, assembly.phase());
        DisputeGame descended = game.pickTraceNode(1, null, 103);
        DisputeGame posted = descended.postTraceNodes(
                Merkle.levels(many).get(2).subList(descended.childStart(), descended.childStart() + descended.childCount()), 104);
        rejected("WRONG_PHASE", () -> posted.disputeAssembly(105));
    }

    @Test
    void aOneOperatorTraceIsPickedDirectly() {
        DisputeGame game = DisputeGame.open(3, 2, 20, 21, LO, PROVIDER_HI, CHALLENGER_HI, 4, 5, 100)
                .postTraceRoot(LO, 1, 1, 101);
        assertEquals(Party.CHALLENGER, game.turn());
        DisputeGame picked = game.pickTraceNode(0, PROVIDER_HI, 102);
        assertEquals(0, picked.operator());
    }

    @Test
    void decodeRejectsGarbage() {
        byte[] bytes = openSteps().encode();
        assertThrows(IllegalArgumentException.class, () -> DisputeGame.decode(new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> DisputeGame.decode(Arrays.copyOf(bytes, bytes.length - 1)));
        assertThrows(IllegalArgumentException.class, () -> DisputeGame.decode(Arrays.copyOf(bytes, bytes.length + 1)));
        byte[] badVersion = bytes.clone();
        badVersion[0] = 9;
        assertThrows(IllegalArgumentException.class, () -> DisputeGame.decode(badVersion));
        byte[] badPhase = bytes.clone();
        badPhase[1 + 8 + 4 + 2 + 8] = 7;
        assertThrows(IllegalArgumentException.class, () -> DisputeGame.decode(badPhase));
        java.util.Random random = new java.util.Random(5);
        for (int i = 0; i < 2000; i++) {
            byte[] noise = new byte[random.nextInt(bytes.length + 20)];
            random.nextBytes(noise);
            try {
                DisputeGame.decode(noise);
            } catch (IllegalArgumentException expected) {
                // garbage must fail this way only
            }
        }
    }

    @Test
    void theEncodingIsStableAcrossPhases() {
        DisputeGame game = openSteps();
        assertEquals(game, DisputeGame.decode(game.encode()));
        DisputeGame posted = game.postStepRoots(hashes("r", 3), 101);
        assertEquals(posted, DisputeGame.decode(posted.encode()));
        DisputeGame settled = posted.timeout(200);
        assertEquals(settled, DisputeGame.decode(settled.encode()));
        assertNotEquals(game, posted);
    }
}
