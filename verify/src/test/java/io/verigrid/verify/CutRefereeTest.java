package io.verigrid.verify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.verigrid.engine.data.DataRecord;
import io.verigrid.engine.data.InputDataset;
import io.verigrid.engine.data.Normalize;
import io.verigrid.engine.data.Pipeline;
import io.verigrid.engine.data.PipelinePlan;
import io.verigrid.engine.data.PipelineSpec;
import io.verigrid.engine.data.QualityFilter;
import io.verigrid.engine.data.RecordType;
import io.verigrid.engine.data.Resources;
import io.verigrid.engine.data.Sharding;
import io.verigrid.engine.data.SyntheticCorpus;
import io.verigrid.engine.data.TextRecord;
import io.verigrid.engine.data.Tokenize;
import io.verigrid.verify.PreprocessReferee.InputCommitment;
import io.verigrid.verify.PreprocessReferee.ProvenRecord;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The referee of a disputed shard cut: too early and too late lose, an honest cut stands, bad evidence loses. */
class CutRefereeTest {
    private static final InputDataset INPUT = InputDataset.texts(SyntheticCorpus.texts(41L, 40).texts())
            .withResources(Resources.ofTokenizers(PreprocessFixtures.GPT2));
    private static final PipelineSpec TOKENS = new PipelineSpec(RecordType.TEXT, List.of(new Normalize(true, true, true),
            new QualityFilter(20, 10_000, 600_000, 300_000), new Tokenize(Resources.tokenizerSha256(PreprocessFixtures.GPT2))),
            Sharding.byTokens(750));
    private static final PipelinePlan HONEST = Pipeline.plan(TOKENS, INPUT);
    private static final InputCommitment COMMITMENT = new InputCommitment(ShardCommitments.inputRoot(INPUT), INPUT.size());

    /** The cut game of shard {@code shard} (1-based) against a provider holding {@code plan}, settled by its evidence. */
    private static Verdict settle(PipelineSpec spec, PipelinePlan plan, int shard, CutEvidence evidence) {
        PreprocessGame game = PreprocessGame.openCut(7, shard, spec.steps().size(), new byte[32], plan.sha256(),
                plan.shardCount(), 5, 100);
        PreprocessGame settled = game.settleCut(spec, COMMITMENT.root(), COMMITMENT.count(), evidence, 101);
        assertEquals(PreprocessGame.Phase.SETTLED, settled.phase());
        return settled.verdict();
    }

    private static CutEvidence evidence(PipelineSpec spec, PipelinePlan plan, int shard) {
        PreprocessGame game = PreprocessGame.openCut(7, shard, spec.steps().size(), new byte[32], plan.sha256(),
                Math.max(shard, plan.shardCount()), 5, 100);
        return PreprocessRun.of(spec, INPUT, plan, 0).cutEvidence(game);
    }

    private static PipelinePlan faulty(PreprocessFault.Kind kind, int shard) {
        return PreprocessFault.plan(TOKENS, INPUT, new PreprocessFault(kind, shard, 0));
    }

    @Test
    void theFixtureCutsSeveralShardsOfSeveralRecords() {
        assertTrue(HONEST.shardCount() >= 3, "shards: " + HONEST.shardCount());
        for (int k = 0; k < HONEST.shardCount(); k++) assertTrue(HONEST.shardOrigins(k).length >= 2, "shard " + k);
    }

    @Test
    void everyHonestCutStands() {
        for (int shard = 1; shard <= HONEST.shardCount(); shard++) {
            assertEquals(Verdict.PROVIDER_WINS, settle(TOKENS, HONEST, shard, evidence(TOKENS, HONEST, shard)), "shard " + shard);
        }
    }

    @Test
    void aShardEndingEarlyLoses() {
        PipelinePlan early = faulty(PreprocessFault.Kind.CUT_EARLY, 2);
        assertEquals(HONEST.shardCount(), early.shardCount());
        assertEquals(Verdict.PROVIDER_WINS, settle(TOKENS, early, 1, evidence(TOKENS, early, 1)), "shard 1 is still right");
        assertEquals(Verdict.CHALLENGER_WINS, settle(TOKENS, early, 2, evidence(TOKENS, early, 2)));
    }

    @Test
    void aShardEndingLateLoses() {
        PipelinePlan late = faulty(PreprocessFault.Kind.CUT_LATE, 1);
        assertEquals(Verdict.CHALLENGER_WINS, settle(TOKENS, late, 1, evidence(TOKENS, late, 1)));
    }

    @Test
    void aPlanThatOverDeclaresTheShardCountLoses() {
        int last = HONEST.shardCount();
        PipelinePlan extra = faulty(PreprocessFault.Kind.CUT_EARLY, last);
        assertEquals(last + 1, extra.shardCount());
        assertEquals(Verdict.CHALLENGER_WINS, settle(TOKENS, extra, last, evidence(TOKENS, extra, last)));
        // Declaring more shards on the ledger than the posted plan has loses too, even for an honest cut.
        PreprocessGame game = PreprocessGame.openCut(7, 1, 3, new byte[32], HONEST.sha256(), HONEST.shardCount() + 1, 5, 100);
        assertEquals(Verdict.CHALLENGER_WINS,
                game.settleCut(TOKENS, COMMITMENT.root(), COMMITMENT.count(), evidence(TOKENS, HONEST, 1), 101).verdict());
    }

    @Test
    void badEvidenceLosesForTheProvider() {
        CutEvidence good = evidence(TOKENS, HONEST, 1);
        List<ProvenRecord> inputs = good.inputs();
        // The next record left out: the referee cannot see that it does not fit.
        assertEquals(Verdict.CHALLENGER_WINS, settle(TOKENS, HONEST, 1,
                new CutEvidence(good.plan(), inputs.subList(0, inputs.size() - 1), good.tokenizers())));
        // An input record altered (its path no longer proves it), or two swapped (each proves another origin).
        List<ProvenRecord> altered = new ArrayList<>(inputs);
        ProvenRecord first = inputs.get(0);
        DataRecord shortened = new TextRecord(first.record().origin(), "tiny");
        altered.set(0, new ProvenRecord(shortened, first.proof()));
        assertEquals(Verdict.CHALLENGER_WINS, settle(TOKENS, HONEST, 1, new CutEvidence(good.plan(), altered, good.tokenizers())));
        List<ProvenRecord> swapped = new ArrayList<>(inputs);
        swapped.set(0, inputs.get(1));
        swapped.set(1, inputs.get(0));
        assertEquals(Verdict.CHALLENGER_WINS, settle(TOKENS, HONEST, 1, new CutEvidence(good.plan(), swapped, good.tokenizers())));
        // No tokenizer: the records cannot be recomputed.
        assertEquals(Verdict.CHALLENGER_WINS, settle(TOKENS, HONEST, 1, new CutEvidence(good.plan(), inputs, List.of())));
        // A plan other than the declared one.
        PreprocessGame game = PreprocessGame.openCut(7, 1, 3, new byte[32], faulty(PreprocessFault.Kind.CUT_LATE, 1).sha256(),
                HONEST.shardCount(), 5, 100);
        assertEquals(Verdict.CHALLENGER_WINS, game.settleCut(TOKENS, COMMITMENT.root(), COMMITMENT.count(), good, 101).verdict());
    }

    @Test
    void recordsShardingCutsFollowFromTheStart() {
        PipelineSpec records = new PipelineSpec(RecordType.TEXT, TOKENS.steps(), Sharding.byRecords(7));
        PipelinePlan honest = Pipeline.plan(records, INPUT);
        for (int shard = 1; shard <= honest.shardCount(); shard++) {
            CutEvidence e = evidence(records, honest, shard);
            assertTrue(e.inputs().isEmpty(), "records sharding reads no values");
            assertEquals(Verdict.PROVIDER_WINS, settle(records, honest, shard, e));
        }
        PipelinePlan early = PreprocessFault.plan(records, INPUT, new PreprocessFault(PreprocessFault.Kind.CUT_EARLY, 1, 0));
        assertEquals(Verdict.CHALLENGER_WINS, settle(records, early, 1, evidence(records, early, 1)));
    }

    @Test
    void theCutGameEncodesTimesOutAndRefusesOtherMoves() {
        PreprocessGame game = PreprocessGame.openCut(7, 2, 3, new byte[32], HONEST.sha256(), HONEST.shardCount(), 5, 100);
        assertTrue(game.isCut());
        assertEquals(game, PreprocessGame.decode(game.encode()));
        assertArrayEquals(HONEST.sha256(), PreprocessGame.decode(game.encode()).cutPlanSha256());
        assertEquals(Verdict.CHALLENGER_WINS, game.timeout(106).verdict(), "a provider that does not answer loses");
        assertEquals("DEADLINE_NOT_PASSED", assertThrows(GameException.class, () -> game.timeout(105)).reason());
        assertEquals("WRONG_PHASE", assertThrows(GameException.class,
                () -> game.postTraceNodes(List.of(new byte[32]), 101)).reason());
        assertEquals("DEADLINE_PASSED", assertThrows(GameException.class,
                () -> game.settleCut(TOKENS, COMMITMENT.root(), COMMITMENT.count(), evidence(TOKENS, HONEST, 2), 106)).reason());
        PreprocessGame trace = PreprocessGame.open(7, 2, 3, new byte[32], HONEST.sha256(), 4, 5, 100);
        assertEquals("WRONG_PHASE", assertThrows(GameException.class,
                () -> trace.settleCut(TOKENS, COMMITMENT.root(), COMMITMENT.count(), evidence(TOKENS, HONEST, 2), 101)).reason());
        assertNotEquals(trace.encode().length, game.encode().length);
        CutEvidence e = evidence(TOKENS, HONEST, 2);
        assertArrayEquals(e.encode(), CutEvidence.decode(e.encode()).encode());
        byte[] trailing = java.util.Arrays.copyOf(e.encode(), e.encode().length + 1);
        assertThrows(IllegalArgumentException.class, () -> CutEvidence.decode(trailing));
    }
}
