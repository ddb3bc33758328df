package io.verigrid.verify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.verigrid.engine.data.DataFault;
import io.verigrid.engine.data.InputDataset;
import io.verigrid.engine.data.Pipeline;
import io.verigrid.engine.data.PipelinePlan;
import io.verigrid.engine.data.PipelineSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class PreprocessGameTest {
    private static final PipelineSpec SPEC = PreprocessFixtures.textSpec();
    private static final InputDataset INPUT = PreprocessFixtures.TEXT;
    private static final byte[] INPUT_ROOT = ShardCommitments.inputRoot(INPUT);

    static PreprocessRun run(PipelineSpec spec, InputDataset input, int shard, DataFault fault) {
        PipelinePlan plan = Pipeline.plan(spec, input, fault);
        return PreprocessRun.of(spec, input, plan, Pipeline.traceShard(spec, input, plan, shard, fault));
    }

    /** Plays both sides honestly from their own runs until the game settles; evidence goes through its encoding. */
    static PreprocessGame play(PipelineSpec spec, InputDataset input, int shard, PreprocessRun provider, PreprocessRun challenger) {
        PreprocessGame game = PreprocessGame.open(7, shard + 1, spec.steps().size(), provider.shardRoot(), challenger.shardRoot(), 4, 5, 10);
        long h = 11;
        while (game.phase() != PreprocessGame.Phase.SETTLED) {
            if (game.phase() == PreprocessGame.Phase.WITNESS) {
                game = game.postWitness(spec, ShardCommitments.inputRoot(input), input.size(), challenger.witness(game), h++);
            } else if (game.phase() == PreprocessGame.Phase.LEAF) {
                byte[] evidence = provider.evidence(game).encode();
                game = game.settle(spec, ShardCommitments.inputRoot(input), input.size(), PreprocessEvidence.decode(evidence), h++);
            } else if (game.turn() == io.verigrid.verify.DisputeGame.Party.PROVIDER) {
                if (game.providerTraceRoot() == null) {
                    PreprocessRun.TraceRootMove m = provider.traceRoot();
                    game = game.postTraceRoot(m.traceRoot(), m.lastKind(), m.lastCount(), m.lastPath(), h++);
                } else {
                    game = game.postTraceNodes(provider.traceNodes(game), h++);
                }
            } else {
                PreprocessRun.Pick pick = challenger.pick(game);
                game = game.pickTraceNode(pick.k(), pick.claim(), h++);
            }
            assertArrayEquals(game.encode(), PreprocessGame.decode(game.encode()).encode());
        }
        return game;
    }

    @Test
    void anAlteredRecordIsPinnedToItsStepAndBatchAndTheCheaterLoses() {
        PreprocessRun honest = run(SPEC, INPUT, 0, null);
        int origin = honest.plan().shardOrigins(0)[3];
        PreprocessRun cheat = run(SPEC, INPUT, 0, new DataFault(5, origin, DataFault.Action.ALTER));
        PreprocessGame game = play(SPEC, INPUT, 0, cheat, honest);
        assertEquals(Verdict.CHALLENGER_WINS, game.verdict());
        assertEquals(PipelineTrace.Section.RECORDS, game.section());
        assertEquals(5, game.step(), "the tokenize step altered the record");
        assertTrue(game.batch() >= 0);
    }

    @Test
    void aDroppedRecordIsAWrongPlanDecisionAtItsStep() {
        PreprocessRun honest = run(SPEC, INPUT, 1, null);
        int origin = honest.plan().shardOrigins(1)[0];
        PreprocessRun cheat = run(SPEC, INPUT, 1, new DataFault(4, origin, DataFault.Action.DROP));
        PreprocessGame game = play(SPEC, INPUT, 1, cheat, honest);
        assertEquals(Verdict.CHALLENGER_WINS, game.verdict());
        assertEquals(PipelineTrace.Section.PLAN, game.section());
        assertEquals(4, game.step(), "the filter step kept it");
    }

    @Test
    void aLyingChallengerLosesToAnHonestProvider() {
        PreprocessRun honest = run(SPEC, INPUT, 0, null);
        int origin = honest.plan().shardOrigins(0)[0];
        PreprocessRun liar = run(SPEC, INPUT, 0, new DataFault(1, origin, DataFault.Action.ALTER));
        PreprocessGame game = play(SPEC, INPUT, 0, honest, liar);
        assertEquals(Verdict.PROVIDER_WINS, game.verdict());
    }

    @Test
    void movesOutOfTurnAfterTheDeadlineOrWithABadProofAreRefused() {
        PreprocessRun honest = run(SPEC, INPUT, 0, null);
        PreprocessRun cheat = run(SPEC, INPUT, 0, new DataFault(1, honest.plan().shardOrigins(0)[0], DataFault.Action.ALTER));
        PreprocessGame game = PreprocessGame.open(1, 1, SPEC.steps().size(), cheat.shardRoot(), honest.shardRoot(), 16, 5, 10);
        PreprocessRun.TraceRootMove m = cheat.traceRoot();
        assertEquals("NOT_YOUR_TURN", assertThrows(GameException.class, () -> game.pickTraceNode(0, new byte[0], 11)).reason());
        assertEquals("DEADLINE_PASSED", assertThrows(GameException.class,
                () -> game.postTraceRoot(m.traceRoot(), m.lastKind(), m.lastCount(), m.lastPath(), 16)).reason());
        PreprocessRun.TraceRootMove honestRoot = honest.traceRoot();
        assertEquals("BAD_PROOF", assertThrows(GameException.class, () -> game.postTraceRoot(honestRoot.traceRoot(),
                honestRoot.lastKind(), honestRoot.lastCount(), honestRoot.lastPath(), 11)).reason(), "a trace that does not end in the committed root");
        PreprocessGame posted = game.postTraceRoot(m.traceRoot(), m.lastKind(), m.lastCount(), m.lastPath(), 11);
        assertEquals("WRONG_COUNT", assertThrows(GameException.class, () -> posted.postTraceNodes(List.of(), 12)).reason());
        assertEquals(Verdict.CHALLENGER_WINS, posted.timeout(17).verdict(), "the provider's turn lapsed");
        assertEquals("DEADLINE_NOT_PASSED", assertThrows(GameException.class, () -> posted.timeout(16)).reason());
    }

    @Test
    void evidencePartsAreKeptInTheEncodingAndOnlyTheProviderSendsThemInItsEvidencePhases() {
        PreprocessRun honest = run(SPEC, INPUT, 0, null);
        PreprocessGame cut = PreprocessGame.openCut(1, 1, SPEC.steps().size(), honest.shardRoot(), honest.plan().sha256(),
                honest.plan().shardCount(), 5, 10);
        PreprocessGame half = cut.postPart(DisputeGame.Party.PROVIDER, 28, 6, 0, new byte[] {1, 2, 3}, 11);
        assertEquals(3, half.partedBytes());
        assertEquals(null, half.partedMove());
        PreprocessGame back = PreprocessGame.decode(half.encode());
        assertEquals(half, back);
        assertEquals(cut.deadline(), PreprocessGame.deadlineOf(half.encode()), "parts do not extend the deadline");
        PreprocessGame whole = back.postPart(DisputeGame.Party.PROVIDER, 28, 6, 3, new byte[] {4, 5, 6}, 12);
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6}, whole.partedMove());
        assertEquals(28, whole.partedTag());
        assertArrayEquals(cut.encode(), whole.withoutParts().encode(), "without its parts the game is as opened");
        assertEquals("BAD_PART", assertThrows(GameException.class,
                () -> half.postPart(DisputeGame.Party.PROVIDER, 28, 6, 2, new byte[] {9}, 11)).reason(), "a gap or overlap");
        assertEquals("BAD_PART", assertThrows(GameException.class,
                () -> half.postPart(DisputeGame.Party.PROVIDER, 28, 6, 3, new byte[] {4, 5, 6, 7}, 11)).reason(), "past the total");
        assertEquals("NOT_YOUR_TURN", assertThrows(GameException.class,
                () -> cut.postPart(DisputeGame.Party.CHALLENGER, 28, 6, 0, new byte[] {1}, 11)).reason());
        assertEquals("DEADLINE_PASSED", assertThrows(GameException.class,
                () -> cut.postPart(DisputeGame.Party.PROVIDER, 28, 6, 0, new byte[] {1}, 16)).reason());
        assertEquals("TOO_LARGE", assertThrows(GameException.class, () -> cut.postPart(DisputeGame.Party.PROVIDER, 28,
                PreprocessGame.MAX_PARTED_MOVE_BYTES + 1, 0, new byte[] {1}, 11)).reason());
        PreprocessGame trace = PreprocessGame.open(1, 1, SPEC.steps().size(), honest.shardRoot(), new byte[32], 16, 5, 10);
        assertEquals("WRONG_PHASE", assertThrows(GameException.class,
                () -> trace.postPart(DisputeGame.Party.PROVIDER, 25, 6, 0, new byte[] {1}, 11)).reason());
        assertEquals(0, half.postPart(DisputeGame.Party.PROVIDER, 28, 2, 0, new byte[] {7}, 11).partedTag(),
                "offset 0 starts over: one byte of two");
    }

    @Test
    void randomCheatsAreAllCaughtAndHonestPartiesNeverLose() {
        java.util.Random random = new java.util.Random(4242);
        for (int i = 0; i < 6; i++) {
            PreprocessRun honest = run(SPEC, INPUT, i % 2, null);
            int[] origins = honest.plan().shardOrigins(i % 2);
            int origin = origins[random.nextInt(origins.length)];
            int step = 1 + random.nextInt(SPEC.steps().size());
            DataFault.Action action = random.nextBoolean() ? DataFault.Action.ALTER : DataFault.Action.DROP;
            PreprocessRun cheat = run(SPEC, INPUT, i % 2, new DataFault(step, origin, action));
            if (java.util.Arrays.equals(cheat.shardRoot(), honest.shardRoot())) continue;
            assertEquals(Verdict.CHALLENGER_WINS, play(SPEC, INPUT, i % 2, cheat, honest).verdict(), action + " at step " + step);
            assertEquals(Verdict.PROVIDER_WINS, play(SPEC, INPUT, i % 2, honest, cheat).verdict(), "lying challenger, " + action + " at step " + step);
        }
    }
}
