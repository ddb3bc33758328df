package io.verigrid.verify;

import io.verigrid.engine.Fault;
import io.verigrid.engine.MlpJob;
import io.verigrid.engine.MlpTrainer;
import io.verigrid.engine.Parallelism;
import io.verigrid.verify.DisputeGame.Party;
import io.verigrid.verify.DisputeGame.Phase;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/** Any one-bit fault that changes the committed unit root is pinned to its step and operator, whatever the fanout. */
class RandomFaultGameTest {
    private static final MlpJob JOB = MlpJob.demo();
    private static final LocalRun HONEST = LocalRun.execute(JOB, JOB.dataset(), JOB.initialState(),
            JOB.checkpointInterval(), Parallelism.single(), null);

    @Property(tries = 30)
    void aFaultAnywhereIsPinnedAndTheCheatLoses(@ForAll @IntRange(min = 1, max = 20) int step,
                                                 @ForAll @IntRange(min = 0, max = 1000) int opChoice,
                                                 @ForAll @IntRange(min = 0, max = 31) int bit,
                                                 @ForAll @IntRange(min = 2, max = 32) int fanout) {
        int programLength = MlpTrainer.program(JOB, step).size();
        int op = opChoice % programLength;
        long end = JOB.checkpointInterval();
        LocalRun cheat;
        try {
            cheat = LocalRun.execute(JOB, JOB.dataset(), JOB.initialState(), end, Parallelism.single(),
                    new Fault(step, op, 0, 1 << bit));
        } catch (IllegalArgumentException e) {
            Assume.that(false); // the corrupted value is no valid input downstream (a class id), so no run to commit
            return;
        }
        // A fault in an output nothing downstream reads (the loss value) leaves the state as it was.
        Assume.that(!Arrays.equals(cheat.stateRoot(end), HONEST.stateRoot(end)));

        DisputeGame game = DisputeGame.open(1, 1, 0, end, HONEST.stateRoot(0), cheat.stateRoot(end),
                HONEST.stateRoot(end), fanout, 3, 0);
        long height = 0;
        while (game.phase() != Phase.SETTLED) {
            height++;
            game = game.turn() == Party.PROVIDER ? GameMoves.provider(game, cheat, height)
                    : GameMoves.challenger(game, HONEST, height);
        }
        assertEquals(Verdict.CHALLENGER_WINS, game.verdict());
        assertEquals(step, game.stepHi());
        assertEquals(op, game.operator());
    }

    @Property(tries = 3)
    void runsOnMoreThreadsCommitTheSameRoots(@ForAll @IntRange(min = 2, max = 4) int threads) {
        try (Parallelism parallelism = Parallelism.of(threads)) {
            LocalRun run = LocalRun.execute(JOB, JOB.dataset(), JOB.initialState(), 3, parallelism, null);
            for (long step = 0; step <= 3; step++) assertArrayEquals(HONEST.stateRoot(step), run.stateRoot(step));
            assertArrayEquals(Commitments.traceRoot(HONEST.trace(3)), Commitments.traceRoot(run.trace(3)));
        }
    }
}
