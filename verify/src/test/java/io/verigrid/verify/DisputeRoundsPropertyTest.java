package io.verigrid.verify;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Dispute cost (spec §6): over random unit sizes, trace lengths, fanouts and divergence points, a game played move
 * by move — a provider whose roots and trace leaves agree with the challenger's up to the divergence point and
 * differ after it — ends on exactly the diverging step and operator within
 * ⌈log_f steps⌉ step rounds + max(1, ⌈⌈log2 L⌉ / ⌊log2 f⌋⌉) trace rounds + 1 settlement round, hence within
 * ⌈log2 intervals⌉ + ⌈log2 steps⌉ + max(1, ⌈log2 L⌉) + 1 for any number of intervals (the challenge names the
 * unit, so intervals cost no round) and within the spec's ⌈log_f steps⌉ + max(1, ⌈log_f L⌉) + 1 whenever f is a
 * power of two (a one-leaf trace still takes the challenger's pick of that leaf).
 */
class DisputeRoundsPropertyTest {
    record Case(int steps, int traceLength, int fanout, int divergeStep, int divergeOp, boolean assembly) {}

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<Integer> fanouts = Arbitraries.oneOf(Arbitraries.integers().between(2, 256),
                Arbitraries.of(2, 4, 16, 256));
        return Combinators.combine(Arbitraries.integers().between(1, 5000), Arbitraries.integers().between(1, 3000),
                fanouts, Arbitraries.doubles().between(0, 1), Arbitraries.doubles().between(0, 1),
                Arbitraries.of(false, false, false, true)).as((steps, length, fanout, s, o, assembly) ->
                new Case(steps, length, fanout, 1 + (int) Math.min(steps - 1, s * steps),
                        (int) Math.min(length - 1, o * length), assembly));
    }

    @Property(tries = 150)
    void everyGameEndsOnTheDivergenceWithinTheRoundBound(@ForAll("cases") Case c) {
        long stepLo = 1_000; // a later unit: steps (stepLo, stepLo + steps]
        long stepHi = stepLo + c.steps();
        long diverge = stepLo + c.divergeStep();
        DisputeGame game = DisputeGame.open(1, 3, stepLo, stepHi, agreedRoot(stepLo), providerRoot(stepHi, diverge),
                agreedRoot(stepHi), c.fanout(), 10, 0);
        long height = 0;
        int stepRounds = 0;
        while (game.phase() == DisputeGame.Phase.STEPS) {
            List<byte[]> roots = new ArrayList<>();
            long[] points = game.stepPoints();
            for (long p : points) roots.add(providerRoot(p, diverge));
            game = game.postStepRoots(roots, ++height);
            int k = 0;
            while (k < points.length && points[k] < diverge) k++; // the first sub-range whose end it disputes
            game = game.pickStepRange(k, ++height);
            stepRounds++;
        }
        assertEquals(diverge, game.stepHi(), "the bisection lands on the first diverging step");
        assertTrue(stepRounds <= Bisection.ceilLog(c.fanout(), c.steps()), stepRounds + " step rounds");

        List<byte[]> challengerLeaves = leaves(c.traceLength(), Integer.MAX_VALUE);
        List<byte[]> providerLeaves = leaves(c.traceLength(), c.assembly() ? Integer.MAX_VALUE : c.divergeOp());
        List<List<byte[]>> mine = Merkle.levels(challengerLeaves);
        List<List<byte[]>> theirs = Merkle.levels(providerLeaves);
        game = game.postTraceRoot(Merkle.root(providerLeaves), c.traceLength(), c.traceLength(), ++height);
        int traceRounds = 0;
        while (game.phase() == DisputeGame.Phase.TRACE) {
            if (game.turn() == DisputeGame.Party.PROVIDER) {
                int level = game.childLevel();
                int from = game.childStart();
                game = game.postTraceNodes(theirs.get(level).subList(from, from + game.childCount()), ++height);
            }
            if (c.assembly()) { // every leaf agrees: the challenger disputes the state assembled after them
                game = game.disputeAssembly(++height);
                traceRounds++;
                assertEquals(c.traceLength(), game.operator(), "the assembly is the end leaf");
                break;
            }
            int level = game.childLevel();
            List<byte[]> posted = game.postedNodes();
            int k = 0;
            while (Arrays.equals(posted.get(k), mine.get(level).get(game.childStart() + k))) k++;
            byte[] claim = level == 0 ? challengerLeaves.get(game.childStart() + k) : null;
            game = game.pickTraceNode(k, claim, ++height);
            traceRounds++;
        }
        assertEquals(DisputeGame.Phase.OPERATOR, game.phase());
        if (!c.assembly()) assertEquals(c.divergeOp(), game.operator(), "the descent lands on the first diverging operator");

        int levels = Merkle.height(c.traceLength());
        int perRound = game.levelsPerRound();
        assertTrue(traceRounds <= Math.max(1, (levels + perRound - 1) / perRound), traceRounds + " trace rounds");
        int total = game.rounds() + 1; // settling the operator (or the assembly) is the last round
        assertEquals(stepRounds + traceRounds + 1, total);
        int intervals = 1 + (int) (c.divergeOp() % 1000); // any number of intervals: the challenge names the unit
        assertTrue(total <= ceilLog2(intervals) + ceilLog2(c.steps()) + Math.max(1, ceilLog2(c.traceLength())) + 1,
                "rounds " + total + " for " + c);
        if (Integer.bitCount(c.fanout()) == 1) {
            assertTrue(total <= Bisection.ceilLog(c.fanout(), c.steps())
                    + Math.max(1, Bisection.ceilLog(c.fanout(), c.traceLength())) + 1, "spec bound, rounds " + total + " for " + c);
        }
    }

    private static int ceilLog2(long n) {
        return Bisection.ceilLog(2, n);
    }

    /** Trace leaves 0..length−1; from {@code firstWrong} on, the provider's differ from the honest ones. */
    private static List<byte[]> leaves(int length, int firstWrong) {
        List<byte[]> leaves = new ArrayList<>(length);
        for (int i = 0; i < length; i++) leaves.add(hash((i < firstWrong ? "leaf " : "wrong leaf ") + i));
        return leaves;
    }

    private static byte[] agreedRoot(long step) {
        return hash("state " + step);
    }

    private static byte[] providerRoot(long step, long diverge) {
        return step < diverge ? agreedRoot(step) : hash("wrong state " + step);
    }

    private static byte[] hash(String s) {
        return Hashes.sha256(s.getBytes(StandardCharsets.UTF_8));
    }
}
