package io.verigrid.verify;

import io.verigrid.engine.data.DataRecord;
import io.verigrid.engine.data.ExactDedup;
import io.verigrid.engine.data.MapStep;
import io.verigrid.engine.data.MinHashDedup;
import io.verigrid.engine.data.Mixup;
import io.verigrid.engine.data.Pipeline;
import io.verigrid.engine.data.PipelinePlan;
import io.verigrid.engine.data.PipelineSpec;
import io.verigrid.engine.data.QualityFilter;
import io.verigrid.engine.data.Resources;
import io.verigrid.engine.data.SelectStep;
import io.verigrid.engine.data.Shuffle;
import io.verigrid.engine.data.Step;
import io.verigrid.engine.data.TextRecord;
import io.verigrid.engine.data.TokenRecord;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Settles a preprocessing dispute once the game has reached the first disputed leaf of a {@link PipelineTrace}:
 * it re-executes one step — on one record batch, or for one plan decision — from inputs proven against what both
 * parties agreed on, and compares with the two claims. Evidence the provider posts (the records before the step,
 * input records with Merkle paths) that fails its check loses the game for the provider, as spec §3.4 says.
 *
 * <p>A records leaf (step t ≥ 1): the referee checks the agreed plan against the agreed plan leaves and the records
 * before the step against the agreed records leaf t−1, recomputes the first batch where the claims differ and
 * compares batch roots. A plan leaf: map steps and mixup keep the list, a shuffle's permutation is recomputed from
 * the count; for a filter or dedup the first position where the claims differ names one origin d that one party
 * keeps and the other skips; d's value before the step is recomputed from its proven input record through the
 * earlier map steps, then the filter is evaluated, or (dedup) the skipping party's witness — an origin of the agreed
 * kept prefix whose text equals or nearly duplicates d's — is checked; without a valid witness the keeper wins.
 */
public final class PreprocessReferee {
    /** A party's claim for a plan leaf: the leaf and the origin list it commits. */
    public record PlanClaim(byte[] leaf, int[] origins) {
        public PlanClaim {
            if (leaf == null || origins == null) throw new IllegalArgumentException("plan claim: leaf and origins required");
        }
    }

    /** A party's claim for a records leaf: the leaf, the record count and the batch roots it commits. */
    public record RecordsClaim(byte[] leaf, int count, List<byte[]> batches) {
        public RecordsClaim {
            if (leaf == null || batches == null) throw new IllegalArgumentException("records claim: leaf and batches required");
            batches = List.copyOf(batches);
        }
    }

    /** An input record with its path to the job's input root. */
    public record ProvenRecord(DataRecord record, LeafProof proof) {}

    /** The job's commitment to its input: {@code ShardCommitments.inputRoot} and the record count. */
    public record InputCommitment(byte[] root, int count) {}

    private PreprocessReferee() {}

    /**
     * A disputed records leaf at step {@code step} ≥ 1 of shard {@code shardIndex}. {@code agreedLeaves} are the trace
     * leaves before it; {@code plan} is the plan both committed (checked against those leaves); {@code before} is the
     * shard's ancestor records after step − 1, as the provider posts them.
     */
    public static Verdict judgeRecords(PipelineSpec spec, Resources resources, PipelinePlan plan, int shardIndex, int step,
                                       List<byte[]> agreedLeaves, List<DataRecord> before,
                                       RecordsClaim provider, RecordsClaim challenger) {
        int steps = spec.steps().size();
        if (step < 1 || step > steps) throw new IllegalArgumentException("step: " + step + " outside 1.." + steps);
        if (agreedLeaves == null || agreedLeaves.size() != steps + 1 + step) {
            throw new IllegalArgumentException("agreedLeaves: the records leaf of step " + step + " has "
                    + (steps + 1 + step) + " leaves before it");
        }
        if (!planMatches(spec, plan, agreedLeaves)) return Verdict.CHALLENGER_WINS;
        int[][] ancestry = Pipeline.ancestry(spec, plan, shardIndex);
        byte[] beforeLeaf = ShardCommitments.recordsLeaf(step - 1, PipelineTrace.kind(spec, step - 1), before.size(),
                ShardCommitments.recordsRoot(before));
        if (!Arrays.equals(beforeLeaf, agreedLeaves.get(steps + step))
                || !Arrays.equals(origins(before), ancestry[step - 1])) {
            return Verdict.CHALLENGER_WINS;
        }
        int expectedCount = ancestry[step].length;
        int batch = PipelineTrace.firstDifference(provider.batches(), challenger.batches());
        byte[] expected = null;
        if (batch < ShardCommitments.batchCount(expectedCount)) {
            int[] batchOrigins = Arrays.copyOfRange(ancestry[step], batch * ShardCommitments.BATCH_RECORDS,
                    Math.min(expectedCount, (batch + 1) * ShardCommitments.BATCH_RECORDS));
            expected = ShardCommitments.recordsRoot(reexecute(spec, resources, plan, step, before, batchOrigins));
        }
        String kind = PipelineTrace.kind(spec, step);
        return verdict(recordsRight(provider, step, kind, expectedCount, batch, expected),
                recordsRight(challenger, step, kind, expectedCount, batch, expected));
    }

    /**
     * A disputed records leaf of step 0: the shard's ancestors as they are in the input. {@code agreedLeaves} are the
     * plan leaves (steps 0..T); {@code batchInputs} are the input records of the first batch where the claims differ,
     * in order, each with its path to the job's input root, as the provider posts them.
     */
    public static Verdict judgeInputRecords(PipelineSpec spec, PipelinePlan plan, int shardIndex, InputCommitment input,
                                            List<byte[]> agreedLeaves, List<ProvenRecord> batchInputs,
                                            RecordsClaim provider, RecordsClaim challenger) {
        int steps = spec.steps().size();
        if (agreedLeaves == null || agreedLeaves.size() != steps + 1) {
            throw new IllegalArgumentException("agreedLeaves: the records leaf of step 0 has " + (steps + 1) + " leaves before it");
        }
        if (!planMatches(spec, plan, agreedLeaves)) return Verdict.CHALLENGER_WINS;
        int[] ancestors = Pipeline.ancestry(spec, plan, shardIndex)[0];
        int batch = PipelineTrace.firstDifference(provider.batches(), challenger.batches());
        byte[] expected = null;
        if (batch < ShardCommitments.batchCount(ancestors.length)) {
            int[] origins = Arrays.copyOfRange(ancestors, batch * ShardCommitments.BATCH_RECORDS,
                    Math.min(ancestors.length, (batch + 1) * ShardCommitments.BATCH_RECORDS));
            if (batchInputs == null || batchInputs.size() != origins.length) return Verdict.CHALLENGER_WINS;
            List<DataRecord> records = new ArrayList<>();
            for (int i = 0; i < origins.length; i++) {
                DataRecord record = provenValue(spec, null, input, 1, batchInputs.get(i), origins[i]);
                if (record == null) return Verdict.CHALLENGER_WINS;
                records.add(record);
            }
            expected = ShardCommitments.recordsRoot(records);
        }
        return verdict(recordsRight(provider, 0, ShardCommitments.INPUT_KIND, ancestors.length, batch, expected),
                recordsRight(challenger, 0, ShardCommitments.INPUT_KIND, ancestors.length, batch, expected));
    }

    /**
     * A disputed plan leaf at step {@code step} ≥ 1. {@code originsBefore} is the agreed list after step − 1 (checked
     * against the agreed plan leaf); {@code disputed} and {@code witness} are only read for filter and dedup steps:
     * the input record of the origin the claims first disagree on and, for dedup, the skipping party's witness.
     */
    public static Verdict judgePlan(PipelineSpec spec, Resources resources, InputCommitment input, int step,
                                    List<byte[]> agreedLeaves, int[] originsBefore, PlanClaim provider, PlanClaim challenger,
                                    ProvenRecord disputed, ProvenRecord witness) {
        int steps = spec.steps().size();
        if (step < 1 || step > steps) throw new IllegalArgumentException("step: " + step + " outside 1.." + steps);
        if (agreedLeaves == null || agreedLeaves.size() != step) {
            throw new IllegalArgumentException("agreedLeaves: the plan leaf of step " + step + " has " + step + " leaves before it");
        }
        if (!Arrays.equals(planLeaf(spec, step - 1, originsBefore), agreedLeaves.get(step - 1))) return Verdict.CHALLENGER_WINS;
        boolean providerValid = Arrays.equals(planLeaf(spec, step, provider.origins()), provider.leaf());
        boolean challengerValid = Arrays.equals(planLeaf(spec, step, challenger.origins()), challenger.leaf());
        Step rule = spec.steps().get(step - 1);
        if (!(rule instanceof SelectStep select) || !select.readsRecords()) {
            int[] expected = originsBefore;
            if (rule instanceof Shuffle shuffle) {
                int[] order = shuffle.order(originsBefore.length);
                expected = new int[order.length];
                for (int p = 0; p < order.length; p++) expected[p] = originsBefore[order[p]];
            }
            return verdict(providerValid && Arrays.equals(expected, provider.origins()),
                    challengerValid && Arrays.equals(expected, challenger.origins()));
        }
        if (!providerValid || !challengerValid) return verdict(providerValid, challengerValid);
        return judgeSelection(spec, resources, input, step, originsBefore, provider.origins(), challenger.origins(),
                disputed, witness);
    }

    private static Verdict judgeSelection(PipelineSpec spec, Resources resources, InputCommitment input, int step,
                                          int[] before, int[] provider, int[] challenger,
                                          ProvenRecord disputed, ProvenRecord witness) {
        int p = firstDifference(provider, challenger);
        if (p < 0) throw new IllegalArgumentException("provider, challenger: the two plan lists are equal");
        int start = p == 0 ? 0 : indexOf(before, provider[p - 1], 0) + 1;
        int providerPosition = p < provider.length ? indexOf(before, provider[p], start) : Integer.MAX_VALUE;
        int challengerPosition = p < challenger.length ? indexOf(before, challenger[p], start) : Integer.MAX_VALUE;
        // A claimed origin that is not among the candidates after the agreed prefix is simply wrong.
        if (providerPosition < 0 || challengerPosition < 0) return verdict(providerPosition >= 0, challengerPosition >= 0);
        boolean providerKeeps = providerPosition < challengerPosition;
        int origin = before[Math.min(providerPosition, challengerPosition)];
        DataRecord value = provenValue(spec, resources, input, step, disputed, origin);
        if (value == null) return Verdict.CHALLENGER_WINS;
        boolean kept;
        Step rule = spec.steps().get(step - 1);
        if (rule instanceof QualityFilter filter) {
            kept = filter.keeps(((TextRecord) value).text());
        } else {
            int[] agreedKept = Arrays.copyOf(provider, p);
            DataRecord earlier = witness == null || indexOf(agreedKept, witness.record().origin(), 0) < 0 ? null
                    : provenValue(spec, resources, input, step, witness, witness.record().origin());
            kept = earlier == null || !duplicates(rule, ((TextRecord) value).text(), ((TextRecord) earlier).text());
        }
        return kept == providerKeeps ? Verdict.PROVIDER_WINS : Verdict.CHALLENGER_WINS;
    }

    /**
     * A disputed cut: is shard {@code shardIndex} (0-based) of {@code plan} cut where the sharding rule cuts it, given
     * where the plan says it starts (the previous shard's end, agreed when the challenger names the first shard whose
     * end it disputes)? The plan must also have the {@code declaredShards} shards the provider declared on the ledger,
     * so an over- or under-declared count loses here too. Under records sharding the end follows from the start; under
     * token sharding shard [start, end) is right iff its token total is within the budget (or it holds one record) and
     * either it ends the list or the next record does not fit (a shard holding no tokens yet never closes). The token
     * counts are the referee's own: every record of the shard and the next one, recomputed from its input record
     * ({@code inputs}, in list order, proven against the input root) through the map steps, so nothing the provider
     * computed is trusted. Anything missing or unproven loses for the provider.
     */
    public static Verdict judgeCut(PipelineSpec spec, Resources resources, InputCommitment input, PipelinePlan plan,
                                   int shardIndex, int declaredShards, List<ProvenRecord> inputs) {
        int steps = spec.steps().size();
        if (plan.steps() != steps || plan.shardCount() != declaredShards || shardIndex < 0 || shardIndex >= plan.shardCount()) {
            return Verdict.CHALLENGER_WINS;
        }
        int[] finals = plan.originsAfter(steps);
        int[] ends = plan.shardEnds();
        int start = shardIndex == 0 ? 0 : ends[shardIndex - 1];
        int end = ends[shardIndex];
        int count = finals.length;
        if (!spec.sharding().byTokenCount()) {
            return end == Math.min(count, start + spec.sharding().records()) ? Verdict.PROVIDER_WINS : Verdict.CHALLENGER_WINS;
        }
        int read = end - start + (end < count ? 1 : 0);
        if (inputs == null || inputs.size() != read) return Verdict.CHALLENGER_WINS;
        long[] tokens = new long[read];
        for (int i = 0; i < read; i++) {
            DataRecord value = provenValue(spec, resources, input, steps + 1, inputs.get(i), finals[start + i]);
            if (!(value instanceof TokenRecord record)) return Verdict.CHALLENGER_WINS;
            tokens[i] = record.length();
        }
        long budget = spec.sharding().tokens();
        long total = 0;
        for (int i = 0; i < end - start; i++) total += tokens[i];
        boolean fits = end - start == 1 || total <= budget;
        boolean closes = end == count || (total > 0 && total + tokens[read - 1] > budget);
        return fits && closes ? Verdict.PROVIDER_WINS : Verdict.CHALLENGER_WINS;
    }

    private static boolean duplicates(Step rule, String later, String earlier) {
        if (rule instanceof ExactDedup) return Arrays.equals(ExactDedup.key(later), ExactDedup.key(earlier));
        MinHashDedup dedup = (MinHashDedup) rule;
        return dedup.nearDuplicate(dedup.minHash().signature(later), dedup.minHash().signature(earlier));
    }

    /** The record's value before step {@code step}, from its proven input record, or null if the proof fails. */
    private static DataRecord provenValue(PipelineSpec spec, Resources resources, InputCommitment input, int step,
                                          ProvenRecord evidence, int origin) {
        if (evidence == null || evidence.record() == null || evidence.proof() == null
                || evidence.record().origin() != origin || evidence.proof().index() != origin
                || evidence.proof().leafCount() != input.count()
                || !evidence.proof().verify(input.root(), ShardCommitments.recordLeaf(evidence.record()))) {
            return null;
        }
        DataRecord value = evidence.record();
        for (int t = 1; t < step; t++) {
            Step earlier = spec.steps().get(t - 1);
            if (earlier instanceof MapStep map) {
                value = map.apply(value, resources);
            } else if (earlier instanceof Mixup) {
                throw new IllegalArgumentException("spec: a mixup before step " + step + " needs its partner's chain");
            }
        }
        return value;
    }

    /** Step {@code step} on the given records, producing the records with {@code origins}. */
    private static List<DataRecord> reexecute(PipelineSpec spec, Resources resources, PipelinePlan plan, int step,
                                              List<DataRecord> before, int[] origins) {
        Map<Integer, DataRecord> byOrigin = new HashMap<>();
        for (DataRecord record : before) byOrigin.put(record.origin(), record);
        Step rule = spec.steps().get(step - 1);
        Map<Integer, Integer> partners = rule instanceof Mixup mixup ? Pipeline.partnerOrigins(mixup, plan, step) : Map.of();
        List<DataRecord> out = new ArrayList<>(origins.length);
        for (int origin : origins) {
            DataRecord input = byOrigin.get(origin);
            if (rule instanceof MapStep map) {
                out.add(map.apply(input, resources));
            } else if (rule instanceof Mixup mixup) {
                out.add(mixup.mix(input, byOrigin.get(partners.get(origin))));
            } else {
                out.add(input);
            }
        }
        return out;
    }

    private static boolean recordsRight(RecordsClaim claim, int step, String kind, int expectedCount, int batch,
                                        byte[] expected) {
        byte[] leaf = ShardCommitments.recordsLeaf(step, kind, claim.count(), Merkle.root(claim.batches()));
        if (!Arrays.equals(leaf, claim.leaf()) || claim.count() != expectedCount
                || claim.batches().size() != ShardCommitments.batchCount(expectedCount)) {
            return false;
        }
        return expected == null || (batch < claim.batches().size() && Arrays.equals(claim.batches().get(batch), expected));
    }

    private static boolean planMatches(PipelineSpec spec, PipelinePlan plan, List<byte[]> agreedLeaves) {
        if (plan.steps() != spec.steps().size()) return false;
        for (int t = 0; t <= plan.steps(); t++) {
            if (!Arrays.equals(planLeaf(spec, t, plan.originsAfter(t)), agreedLeaves.get(t))) return false;
        }
        return true;
    }

    private static byte[] planLeaf(PipelineSpec spec, int step, int[] origins) {
        return ShardCommitments.planLeaf(step, PipelineTrace.kind(spec, step), origins.length,
                ShardCommitments.planRoot(step, origins));
    }

    private static Verdict verdict(boolean providerRight, boolean challengerRight) {
        if (providerRight) return Verdict.PROVIDER_WINS;
        return challengerRight ? Verdict.CHALLENGER_WINS : Verdict.BOTH_LOSE;
    }

    private static int[] origins(List<DataRecord> records) {
        return records.stream().mapToInt(DataRecord::origin).toArray();
    }

    private static int firstDifference(int[] a, int[] b) {
        int common = Math.min(a.length, b.length);
        for (int i = 0; i < common; i++) if (a[i] != b[i]) return i;
        return a.length == b.length ? -1 : common;
    }

    private static int indexOf(int[] values, int value, int from) {
        for (int i = Math.max(0, from); i < values.length; i++) if (values[i] == value) return i;
        return -1;
    }
}
