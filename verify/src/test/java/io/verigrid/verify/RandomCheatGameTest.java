package io.verigrid.verify;

import static org.junit.jupiter.api.Assertions.*;

import io.verigrid.engine.Dataset;
import io.verigrid.engine.Fault;
import io.verigrid.engine.GptConfig;
import io.verigrid.engine.GptModel;
import io.verigrid.engine.LearningRate;
import io.verigrid.engine.LmJob;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.StepTrace;
import io.verigrid.verify.DisputeGame.Party;
import io.verigrid.verify.DisputeGame.Phase;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Every drill cheat on a language-model unit, played in process by the honest moves of both sides: the cheat
 * loses, pinned at the faulted operator (bit flip, bf16) or at the first diverging trace leaf of the first diverging
 * step (out-of-order data: its first {@code slice_rows}), or — skipped step, stale checkpoint — at that step's
 * assembly. A dishonest challenger with the same cheat loses against the honest provider.
 */
class RandomCheatGameTest {
    private static final LmJob JOB = new LmJob(new GptModel(new GptConfig(32, 8, 16, 1, 2, 1e-5f, true)), 4, 16, 4, 8, 4, 4,
            new LearningRate(1e-2f, 1e-3f, 1, 4), 0.9f, 0.95f, 1e-8f, 0.01f, 1f);
    private static final Dataset DATA = tokens();
    private static final LocalRun HONEST = LocalRun.execute(JOB, DATA, JOB.initialState(), 4, Parallelism.single(), null);

    private static Dataset tokens() {
        int[] stream = new int[16 * 8 + 1];
        SplittableRandom random = new SplittableRandom(8);
        for (int i = 0; i < stream.length; i++) stream[i] = random.nextInt(32);
        return LmJob.windows(stream, 8, 32);
    }

    @Property(tries = 25)
    void everyCheatLosesAtItsFirstDivergence(@ForAll @IntRange(min = 0, max = 4) int kindIndex,
                                             @ForAll @IntRange(min = 1, max = 4) int step,
                                             @ForAll @IntRange(min = 0, max = 100_000) int opChoice,
                                             @ForAll @IntRange(min = 0, max = 31) int bit,
                                             @ForAll boolean dishonestChallenger) {
        Fault.Kind kind = Fault.Kind.values()[kindIndex];
        StepTrace trace = HONEST.trace(step);
        int op = opChoice % trace.ops().size();
        Fault fault = switch (kind) {
            case BIT_FLIP -> Fault.bitFlip(step, op, opChoice % trace.ops().get(op).output().size(), 1 << bit);
            case LOW_PRECISION -> Fault.lowPrecision(step, op);
            case DATA_OUT_OF_ORDER -> Fault.dataOutOfOrder(step);
            case SKIPPED_STEP -> Fault.skippedStep(step);
            case STALE_CHECKPOINT -> Fault.staleCheckpoint(4);
        };
        LocalRun cheat;
        try {
            cheat = LocalRun.execute(JOB, DATA, JOB.initialState(), 4, Parallelism.single(), fault);
        } catch (IllegalArgumentException e) {
            Assume.that(false); // the corrupted value breaks the cheater's own run: nothing to commit
            return;
        }
        Assume.that(!Arrays.equals(cheat.stateRoot(4), HONEST.stateRoot(4))); // a cheat that changes nothing gains nothing
        long firstStep = 1;
        while (Arrays.equals(cheat.stateRoot(firstStep), HONEST.stateRoot(firstStep))) firstStep++;
        List<byte[]> mine = Commitments.traceLeaves(HONEST.trace(firstStep)), theirs = Commitments.traceLeaves(cheat.trace(firstStep));
        int firstOp = 0;
        while (firstOp < mine.size() && Arrays.equals(mine.get(firstOp), theirs.get(firstOp))) firstOp++;

        LocalRun provider = dishonestChallenger ? HONEST : cheat, challenger = dishonestChallenger ? cheat : HONEST;
        DisputeGame game = DisputeGame.open(1, 1, 0, 4, HONEST.stateRoot(0), provider.stateRoot(4), challenger.stateRoot(4), 16, 3, 0);
        long height = 0;
        while (game.phase() != Phase.SETTLED) {
            height++;
            game = game.turn() == Party.PROVIDER ? GameMoves.provider(game, provider, height) : GameMoves.challenger(game, challenger, height);
        }
        assertEquals(dishonestChallenger ? Verdict.PROVIDER_WINS : Verdict.CHALLENGER_WINS, game.verdict());
        assertEquals(firstStep, game.stepHi());
        assertEquals(firstOp, game.operator(), "the first diverging leaf, or the trace length for the assembly");
        if (kind == Fault.Kind.BIT_FLIP || kind == Fault.Kind.LOW_PRECISION) {
            assertEquals(step, game.stepHi());
            assertEquals(op, game.operator());
        }
        if (kind == Fault.Kind.SKIPPED_STEP || kind == Fault.Kind.STALE_CHECKPOINT) assertTrue(game.assemblyDisputed());
        if (kind == Fault.Kind.DATA_OUT_OF_ORDER) assertEquals("slice_rows", JOB.program(step).get(game.operator()).kind());
        assertTrue(game.rounds() <= Bisection.ceilLog(16, 4) + Bisection.ceilLog(16, mine.size()) + 1, "spec §6's bound");
    }
}
