package io.verigrid.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.verigrid.engine.data.DataFault;
import io.verigrid.engine.data.DataRecord;
import io.verigrid.engine.data.InputDataset;
import io.verigrid.engine.data.MinHashDedup;
import io.verigrid.engine.data.Normalize;
import io.verigrid.engine.data.PipelineSpec;
import io.verigrid.engine.data.SyntheticCorpus;
import io.verigrid.engine.data.TextRecord;
import io.verigrid.verify.PipelineTrace.Section;
import io.verigrid.verify.PreprocessFixtures.View;
import io.verigrid.verify.PreprocessReferee.InputCommitment;
import io.verigrid.verify.PreprocessReferee.PlanClaim;
import io.verigrid.verify.PreprocessReferee.ProvenRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PreprocessRefereeTest {
    private static final InputDataset TEXT = PreprocessFixtures.TEXT;
    private static final int SHARD = 2;
    private static final View HONEST = PreprocessFixtures.view(PreprocessFixtures.textSpec(), TEXT, SHARD, null);
    private static final InputCommitment INPUT = new InputCommitment(ShardCommitments.inputRoot(TEXT), TEXT.size());

    private static Verdict records(View provider, View challenger, int step, List<DataRecord> before) {
        List<byte[]> agreed = provider.trace().leavesBefore(provider.trace().leafIndex(Section.RECORDS, step));
        return PreprocessReferee.judgeRecords(HONEST.spec(), TEXT.resources(), HONEST.plan(), SHARD, step, agreed, before,
                provider.trace().recordsClaim(step), challenger.trace().recordsClaim(step));
    }

    private static Verdict plan(PipelineSpec spec, View provider, View challenger, int step, Integer disputed, Integer witness) {
        return plan(spec, provider.trace().planClaim(step), challenger.trace().planClaim(step), step, disputed, witness);
    }

    private static Verdict plan(PipelineSpec spec, PlanClaim provider, PlanClaim challenger, int step, Integer disputed,
                                Integer witness) {
        return PreprocessReferee.judgePlan(spec, TEXT.resources(), INPUT, step,
                HONEST.trace().leavesBefore(step), HONEST.plan().originsAfter(step - 1), provider, challenger,
                disputed == null ? null : proven(disputed), witness == null ? null : proven(witness));
    }

    private static ProvenRecord proven(int origin) {
        return new ProvenRecord(TEXT.records().get(origin), ShardCommitments.recordProof(TEXT.records(), origin));
    }

    @Test
    void anAlteredTokenBatchLosesAgainstReExecution() {
        int victim = HONEST.shardTrace().shard().origins()[3];
        View cheat = PreprocessFixtures.view(HONEST.spec(), TEXT, SHARD, new DataFault(5, victim, DataFault.Action.ALTER));
        List<DataRecord> before = HONEST.shardTrace().recordsAfter(4);
        assertEquals(Verdict.CHALLENGER_WINS, records(cheat, HONEST, 5, before));
        assertEquals(Verdict.PROVIDER_WINS, records(HONEST, cheat, 5, before));
    }

    @Test
    void aWrongTokenizerLosesToTheSpecsTokenizer() {
        View cheat = PreprocessFixtures.view(PreprocessFixtures.textSpec(PreprocessFixtures.LLAMA3, 77L), TEXT, SHARD, null);
        assertEquals(Verdict.CHALLENGER_WINS, records(cheat, HONEST, 5, HONEST.shardTrace().recordsAfter(4)));
    }

    @Test
    void inputsThatDoNotMatchTheAgreedLeafLoseTheGameForTheProvider() {
        List<DataRecord> forged = new ArrayList<>(HONEST.shardTrace().recordsAfter(4));
        TextRecord first = (TextRecord) forged.get(0);
        forged.set(0, new TextRecord(first.origin(), first.text() + " "));
        assertEquals(Verdict.CHALLENGER_WINS, records(HONEST, HONEST, 5, forged));
    }

    @Test
    void aShardBuiltFromAnotherInputLosesAgainstTheInputRoot() {
        // A trailing space normalisation removes: the plan is unchanged, only the step-0 records differ.
        int victim = HONEST.shardTrace().recordsAfter(0).get(19).origin();
        List<DataRecord> changed = new ArrayList<>(TEXT.records());
        changed.set(victim, new TextRecord(victim, ((TextRecord) changed.get(victim)).text() + " "));
        View cheat = PreprocessFixtures.view(HONEST.spec(), new InputDataset(changed, TEXT.resources()), SHARD, null);
        PipelineTrace.Divergence divergence = PipelineTrace.firstDivergence(cheat.trace(), HONEST.trace()).orElseThrow();
        assertEquals(new PipelineTrace.Divergence(HONEST.trace().leafIndex(Section.RECORDS, 0), Section.RECORDS, 0, 1),
                divergence);
        int[] batchOrigins = HONEST.shardTrace().recordsAfter(0).subList(16, 20).stream().mapToInt(DataRecord::origin).toArray();
        List<ProvenRecord> inputs = Arrays.stream(batchOrigins).mapToObj(PreprocessRefereeTest::proven).toList();
        List<byte[]> agreed = HONEST.trace().leavesBefore(HONEST.trace().leafIndex(Section.RECORDS, 0));
        assertEquals(Verdict.CHALLENGER_WINS, PreprocessReferee.judgeInputRecords(HONEST.spec(), HONEST.plan(), SHARD, INPUT,
                agreed, inputs, cheat.trace().recordsClaim(0), HONEST.trace().recordsClaim(0)));
        assertEquals(Verdict.PROVIDER_WINS, PreprocessReferee.judgeInputRecords(HONEST.spec(), HONEST.plan(), SHARD, INPUT,
                agreed, inputs, HONEST.trace().recordsClaim(0), cheat.trace().recordsClaim(0)));
        List<ProvenRecord> unproven = new ArrayList<>(inputs);
        unproven.set(3, new ProvenRecord(changed.get(victim), inputs.get(3).proof()));
        assertEquals(Verdict.CHALLENGER_WINS, PreprocessReferee.judgeInputRecords(HONEST.spec(), HONEST.plan(), SHARD, INPUT,
                agreed, unproven, HONEST.trace().recordsClaim(0), cheat.trace().recordsClaim(0)));
    }

    @Test
    void aMixupBatchIsRefereedWithItsPartners() {
        PipelineSpec spec = PreprocessFixtures.imageSpec();
        InputDataset images = PreprocessFixtures.IMAGES;
        View honest = PreprocessFixtures.view(spec, images, 1, null);
        int victim = honest.shardTrace().recordsAfter(5).get(12).origin();
        View cheat = PreprocessFixtures.view(spec, images, 1, new DataFault(5, victim, DataFault.Action.ALTER));
        List<byte[]> agreed = honest.trace().leavesBefore(honest.trace().leafIndex(Section.RECORDS, 5));
        List<DataRecord> before = honest.shardTrace().recordsAfter(4);
        assertTrue(before.size() > honest.shardTrace().recordsAfter(5).size(), "partners outside the shard are inputs too");
        assertEquals(Verdict.CHALLENGER_WINS, PreprocessReferee.judgeRecords(spec, images.resources(), honest.plan(), 1, 5,
                agreed, before, cheat.trace().recordsClaim(5), honest.trace().recordsClaim(5)));
        assertEquals(Verdict.PROVIDER_WINS, PreprocessReferee.judgeRecords(spec, images.resources(), honest.plan(), 1, 5,
                agreed, before, honest.trace().recordsClaim(5), cheat.trace().recordsClaim(5)));
    }

    @Test
    void aRecordDroppedByTheFilterIsReinstatedByReEvaluatingTheFilter() {
        int victim = HONEST.shardTrace().shard().origins()[6];
        View cheat = PreprocessFixtures.view(HONEST.spec(), TEXT, SHARD, new DataFault(4, victim, DataFault.Action.DROP));
        assertEquals(Verdict.CHALLENGER_WINS, plan(HONEST.spec(), cheat, HONEST, 4, victim, null));
        assertEquals(Verdict.PROVIDER_WINS, plan(HONEST.spec(), HONEST, cheat, 4, victim, null));
        assertEquals(Verdict.CHALLENGER_WINS, plan(HONEST.spec(), HONEST, cheat, 4, null, null),
                "the provider must post the disputed input record");
    }

    @Test
    void aDedupDropNeedsAWitnessFromTheAgreedKeptPrefix() {
        int victim = HONEST.shardTrace().shard().origins()[8];
        View cheat = PreprocessFixtures.view(HONEST.spec(), TEXT, SHARD, new DataFault(2, victim, DataFault.Action.DROP));
        int[] kept = HONEST.plan().originsAfter(2);
        int someEarlierKept = kept[0] == victim ? kept[1] : kept[0];
        assertEquals(Verdict.CHALLENGER_WINS, plan(HONEST.spec(), cheat, HONEST, 2, victim, someEarlierKept));
        assertEquals(Verdict.PROVIDER_WINS, plan(HONEST.spec(), HONEST, cheat, 2, victim, someEarlierKept));
    }

    @Test
    void keepingAPlantedDuplicateLosesToTheWitnessOfItsOriginal() {
        for (int step : new int[] {2, 3}) {
            int duplicate = plantedDuplicateDroppedAt(step);
            int original = earlierKeptMatch(step, duplicate);
            int[] honestKept = HONEST.plan().originsAfter(step);
            int[] cheatKept = withInserted(honestKept, HONEST.plan().originsAfter(step - 1), duplicate);
            PlanClaim cheat = claim(step, cheatKept);
            PlanClaim honest = HONEST.trace().planClaim(step);
            assertEquals(Verdict.PROVIDER_WINS, plan(HONEST.spec(), honest, cheat, step, duplicate, original), "step " + step);
            assertEquals(Verdict.CHALLENGER_WINS, plan(HONEST.spec(), cheat, honest, step, duplicate, original), "step " + step);
            assertEquals(Verdict.CHALLENGER_WINS, plan(HONEST.spec(), honest, cheat, step, duplicate, null),
                    "step " + step + ": a drop without a witness loses");
        }
    }

    @Test
    void aShuffleIsRecomputedFromTheCount() {
        View cheat = PreprocessFixtures.view(PreprocessFixtures.textSpec(PreprocessFixtures.GPT2, 78L), TEXT, SHARD, null);
        View other = PreprocessFixtures.view(PreprocessFixtures.textSpec(PreprocessFixtures.GPT2, 79L), TEXT, SHARD, null);
        assertEquals(Verdict.CHALLENGER_WINS, plan(HONEST.spec(), cheat, HONEST, 6, null, null));
        assertEquals(Verdict.PROVIDER_WINS, plan(HONEST.spec(), HONEST, cheat, 6, null, null));
        assertEquals(Verdict.BOTH_LOSE, plan(HONEST.spec(), cheat, other, 6, null, null));
    }

    @Test
    void leavesThatDoNotEndAtTheDisputedLeafAreRejected() {
        String message = assertThrows(IllegalArgumentException.class, () -> PreprocessReferee.judgeRecords(HONEST.spec(),
                TEXT.resources(), HONEST.plan(), SHARD, 5, HONEST.trace().leavesBefore(3), HONEST.shardTrace().recordsAfter(4),
                HONEST.trace().recordsClaim(5), HONEST.trace().recordsClaim(5))).getMessage();
        assertTrue(message.startsWith("agreedLeaves: the records leaf of step 5 has 12 leaves before it"), message);
        String step = assertThrows(IllegalArgumentException.class, () -> PreprocessReferee.judgePlan(HONEST.spec(),
                TEXT.resources(), INPUT, 0, List.of(), HONEST.plan().originsAfter(0), HONEST.trace().planClaim(0),
                HONEST.trace().planClaim(0), null, null)).getMessage();
        assertEquals("step: 0 outside 1..6", step);
    }

    /** A planted duplicate of the corpus that the honest plan drops at {@code step} (2 exact, 3 MinHash). */
    private static int plantedDuplicateDroppedAt(int step) {
        SyntheticCorpus.Corpus corpus = SyntheticCorpus.texts(99L, 160);
        int[] before = HONEST.plan().originsAfter(step - 1);
        int[] after = HONEST.plan().originsAfter(step);
        for (int origin : step == 2 ? corpus.exactDuplicates() : corpus.nearDuplicates()) {
            if (contains(before, origin) && !contains(after, origin)) return origin;
        }
        throw new AssertionError("no planted duplicate dropped at step " + step);
    }

    /** The earlier kept record that makes {@code duplicate} one, by the step's own rule. */
    private static int earlierKeptMatch(int step, int duplicate) {
        Normalize normalize = (Normalize) HONEST.spec().steps().get(0);
        String text = normalize.normalize(((TextRecord) TEXT.records().get(duplicate)).text());
        MinHashDedup dedup = (MinHashDedup) HONEST.spec().steps().get(2);
        for (int origin : HONEST.plan().originsAfter(step)) {
            if (origin >= duplicate) continue;
            String earlier = normalize.normalize(((TextRecord) TEXT.records().get(origin)).text());
            boolean match = step == 2 ? earlier.equals(text)
                    : dedup.nearDuplicate(dedup.minHash().signature(text), dedup.minHash().signature(earlier));
            if (match) return origin;
        }
        throw new AssertionError("no witness for " + duplicate);
    }

    /** {@code kept} with {@code origin} put back where the list before the step has it. */
    private static int[] withInserted(int[] kept, int[] before, int origin) {
        List<Integer> out = new ArrayList<>();
        int position = Arrays.stream(before).boxed().toList().indexOf(origin);
        for (int k : kept) {
            if (Arrays.stream(before).boxed().toList().indexOf(k) > position && !out.contains(origin)) out.add(origin);
            out.add(k);
        }
        if (!out.contains(origin)) out.add(origin);
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** A well-formed claim that the list after {@code step} is {@code origins}. */
    private static PlanClaim claim(int step, int[] origins) {
        byte[] leaf = ShardCommitments.planLeaf(step, PipelineTrace.kind(HONEST.spec(), step), origins.length,
                ShardCommitments.planRoot(step, origins));
        return new PlanClaim(leaf, origins);
    }

    private static boolean contains(int[] values, int value) {
        return Arrays.stream(values).anyMatch(v -> v == value);
    }
}
