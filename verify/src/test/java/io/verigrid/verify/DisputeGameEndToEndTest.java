package io.verigrid.verify;

import io.verigrid.engine.Dataset;
import io.verigrid.engine.Fault;
import io.verigrid.engine.MlpJob;
import io.verigrid.engine.MlpTrainer;
import io.verigrid.engine.ModelState;
import io.verigrid.engine.OpSpec;
import io.verigrid.engine.Parallelism;
import io.verigrid.verify.DisputeGame.Phase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Plays whole games between parties that compute their moves from their own executions of the demo job. */
class DisputeGameEndToEndTest {
    static final int FANOUT = 16;
    static final long MOVE_BLOCKS = 10;
    static MlpJob job;
    static Dataset dataset;
    static ModelState start;
    static LocalRun honest;
    static long unitEnd;

    @BeforeAll
    static void trainOneUnitHonestly() {
        job = MlpJob.demo();
        dataset = job.dataset();
        start = job.initialState();
        unitEnd = job.checkpointInterval();
        honest = LocalRun.execute(job, dataset, start, unitEnd, Parallelism.single(), null);
    }

    static int firstOp(long step, String kind) {
        List<OpSpec> program = MlpTrainer.program(job, step);
        for (int i = 0; i < program.size(); i++) if (program.get(i).kind().equals(kind)) return i;
        throw new AssertionError("no " + kind + " in the program");
    }

    /** Plays until settled; checks the encoding round-trips after every move. */
    static DisputeGame play(DisputeGame game, LocalRun provider, LocalRun challenger) {
        long height = 1000;
        assertEquals(game, DisputeGame.decode(game.encode()));
        while (game.phase() != Phase.SETTLED) {
            height++;
            game = game.turn() == DisputeGame.Party.PROVIDER
                    ? GameMoves.provider(game, provider, height)
                    : GameMoves.challenger(game, challenger, height);
            assertEquals(game, DisputeGame.decode(game.encode()), "round trip in " + game.phase());
            assertEquals(height + MOVE_BLOCKS, game.deadline());
        }
        return game;
    }

    static DisputeGame open(byte[] providerRoot, byte[] challengerRoot) {
        return DisputeGame.open(9, 1, 0, unitEnd, honest.stateRoot(0), providerRoot, challengerRoot, FANOUT,
                MOVE_BLOCKS, 1000);
    }

    static int roundBound(long step) {
        int traceLength = MlpTrainer.program(job, step).size();
        return Bisection.ceilLog(FANOUT, unitEnd) + Bisection.ceilLog(FANOUT, traceLength) + 2;
    }

    @Test
    void aOneBitFaultAtStepThirteenIsPinnedToItsOperatorAndTheProviderLoses() {
        int j = firstOp(13, "relu");
        LocalRun cheat = LocalRun.execute(job, dataset, start, unitEnd, Parallelism.single(), new Fault(13, j, 5, 1 << 22));
        DisputeGame game = play(open(cheat.stateRoot(unitEnd), honest.stateRoot(unitEnd)), cheat, honest);
        assertEquals(13, game.stepHi());
        assertEquals(12, game.stepLo());
        assertEquals(j, game.operator());
        assertEquals(Verdict.CHALLENGER_WINS, game.verdict());
        assertTrue(game.rounds() <= roundBound(13), game.rounds() + " rounds > bound " + roundBound(13));
    }

    @Test
    void aFaultInTheBackwardPassIsPinnedToo() {
        List<OpSpec> program = MlpTrainer.program(job, 7);
        int j = program.size() - 3;
        LocalRun cheat = LocalRun.execute(job, dataset, start, unitEnd, Parallelism.single(), new Fault(7, j, 0, 1));
        DisputeGame game = play(open(cheat.stateRoot(unitEnd), honest.stateRoot(unitEnd)), cheat, honest);
        assertEquals(7, game.stepHi());
        assertEquals(j, game.operator());
        assertEquals(Verdict.CHALLENGER_WINS, game.verdict());
    }

    @Test
    void anHonestProviderBeatsAChallengerWhoseOwnRunIsWrong() {
        int j = firstOp(5, "matmul");
        LocalRun wrong = LocalRun.execute(job, dataset, start, unitEnd, Parallelism.single(), new Fault(5, j, 2, 1 << 10));
        DisputeGame game = play(open(honest.stateRoot(unitEnd), wrong.stateRoot(unitEnd)), honest, wrong);
        assertEquals(5, game.stepHi());
        assertEquals(j, game.operator());
        assertEquals(Verdict.PROVIDER_WINS, game.verdict());
    }

    @Test
    void anHonestProviderBeatsAChallengerClaimingAMadeUpRoot() {
        byte[] madeUp = Hashes.sha256("a root nobody computed".getBytes());
        DisputeGame game = play(open(honest.stateRoot(unitEnd), madeUp), honest, honest);
        assertTrue(game.assemblyDisputed(), "every root and leaf agrees, so only the assembly is left to dispute");
        assertEquals(unitEnd, game.stepHi());
        assertEquals(Verdict.PROVIDER_WINS, game.verdict());
        assertTrue(game.rounds() <= roundBound(unitEnd));
    }

    @Test
    void aProviderCommittingAStateItsOwnTraceDoesNotGiveLosesTheAssemblyDispute() {
        byte[] forged = Hashes.sha256("forged final state".getBytes());
        DisputeGame game = play(open(forged, honest.stateRoot(unitEnd)), honest, honest);
        assertTrue(game.assemblyDisputed());
        assertEquals(Verdict.CHALLENGER_WINS, game.verdict());
    }

    @Test
    void aProviderPostingAnotherOutputThanItsLeafLoses() {
        int j = firstOp(13, "relu");
        LocalRun cheat = LocalRun.execute(job, dataset, start, unitEnd, Parallelism.single(), new Fault(13, j, 5, 1 << 22));
        DisputeGame game = open(cheat.stateRoot(unitEnd), honest.stateRoot(unitEnd));
        long height = 1000;
        while (game.phase() != Phase.OPERATOR) {
            height++;
            game = game.turn() == DisputeGame.Party.PROVIDER
                    ? GameMoves.provider(game, cheat, height)
                    : GameMoves.challenger(game, honest, height);
        }
        // The cheat now claims the honest output, which is not the leaf it committed.
        byte[] honestOutput = Commitments.outputRoot(honest.trace(13).ops().get(j).output());
        List<InputEvidence> evidence = InputEvidence.forOperator(job, cheat.state(12), dataset, cheat.trace(13), j);
        DisputeGame settled = game.settleOperator(job, evidence, honestOutput, height + 1);
        assertEquals(Verdict.CHALLENGER_WINS, settled.verdict());
    }
}
