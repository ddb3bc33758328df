package io.verigrid.verify;

import io.verigrid.engine.data.DataRecord;
import io.verigrid.engine.data.PipelinePlan;
import io.verigrid.engine.data.PipelineSpec;
import io.verigrid.engine.data.ShardTrace;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * One party's per-step commitments for one shard of a preprocessing job: the trace the dispute game bisects.
 * Leaves, for a spec of T steps: first the plan leaves of steps 0..T (the surviving origins of the whole run after
 * each step), then the records leaves of steps 0..T (the shard's ancestor records after each step, see
 * {@link ShardTrace}). The plan comes first because the shard's ancestors are defined by it: once both parties agree
 * on every plan leaf they agree on which records each records leaf covers, and the first disagreement is a real
 * one — a wrong selection (which step, which origin batch) or a wrong record value (which step, which record batch).
 */
public final class PipelineTrace {
    /** Which half of the trace a leaf belongs to. */
    public enum Section { PLAN, RECORDS }

    /** Where two traces first disagree: the leaf index, its section and step, and the first differing batch. */
    public record Divergence(int leafIndex, Section section, int step, int batch) {}

    private final int steps;
    private final PipelinePlan plan;
    private final int[] recordCounts;
    private final List<byte[]> leaves;
    private final List<List<byte[]>> planBatches;
    private final List<List<byte[]>> recordBatches;

    private PipelineTrace(int steps, PipelinePlan plan, int[] recordCounts, List<byte[]> leaves,
                          List<List<byte[]>> planBatches, List<List<byte[]>> recordBatches) {
        this.steps = steps;
        this.plan = plan;
        this.recordCounts = recordCounts;
        this.leaves = leaves;
        this.planBatches = planBatches;
        this.recordBatches = recordBatches;
    }

    /** The trace of {@code trace}'s shard under {@code plan}, naming each step by the spec's step names. */
    public static PipelineTrace of(PipelineSpec spec, PipelinePlan plan, ShardTrace trace) {
        if (spec == null || plan == null || trace == null) throw new IllegalArgumentException("spec, plan, trace: null");
        int steps = spec.steps().size();
        if (plan.steps() != steps || trace.steps() != steps) {
            throw new IllegalArgumentException("plan, trace: must have the spec's " + steps + " steps, got "
                    + plan.steps() + " and " + trace.steps());
        }
        List<byte[]> planLeaves = new ArrayList<>();
        List<byte[]> recordsLeaves = new ArrayList<>();
        List<List<byte[]>> planBatches = new ArrayList<>();
        List<List<byte[]>> recordBatches = new ArrayList<>();
        int[] recordCounts = new int[steps + 1];
        for (int t = 0; t <= steps; t++) {
            String kind = kind(spec, t);
            int[] origins = plan.originsAfter(t);
            List<byte[]> originLeaves = ShardCommitments.originsBatchLeaves(t, origins);
            planBatches.add(originLeaves);
            planLeaves.add(ShardCommitments.planLeaf(t, kind, origins.length, Merkle.root(originLeaves)));
            List<DataRecord> records = trace.recordsAfter(t);
            List<byte[]> batches = ShardCommitments.batchRoots(records);
            recordBatches.add(batches);
            recordCounts[t] = records.size();
            recordsLeaves.add(ShardCommitments.recordsLeaf(t, kind, records.size(), Merkle.root(batches)));
        }
        List<byte[]> leaves = new ArrayList<>(planLeaves);
        leaves.addAll(recordsLeaves);
        return new PipelineTrace(steps, plan, recordCounts, List.copyOf(leaves), planBatches, recordBatches);
    }

    /** The name step {@code t} has in trace leaves: {@code "input"} for 0, else the spec's step name. */
    public static String kind(PipelineSpec spec, int t) {
        return t == 0 ? ShardCommitments.INPUT_KIND : spec.steps().get(t - 1).name();
    }

    public int steps() {
        return steps;
    }

    /** The trace leaves: plan leaves of steps 0..T, then records leaves of steps 0..T. */
    public List<byte[]> leaves() {
        return leaves;
    }

    public byte[] root() {
        return Merkle.root(leaves);
    }

    public int leafIndex(Section section, int step) {
        if (step < 0 || step > steps) throw new IllegalArgumentException("step: " + step + " outside 0.." + steps);
        return section == Section.PLAN ? step : steps + 1 + step;
    }

    public LeafProof proof(int leafIndex) {
        if (leafIndex < 0 || leafIndex >= leaves.size()) {
            throw new IllegalArgumentException("leafIndex: " + leafIndex + " outside 0.." + (leaves.size() - 1));
        }
        return new LeafProof(leafIndex, leaves.size(), Merkle.proof(leaves, leafIndex));
    }

    /** The origin-batch leaves (plan) or record-batch roots (records) under the leaf of {@code step}. */
    public List<byte[]> batches(Section section, int step) {
        leafIndex(section, step);
        return section == Section.PLAN ? planBatches.get(step) : recordBatches.get(step);
    }

    /** What this party posts for a disputed plan leaf: the leaf and the whole origin list under it. */
    public PreprocessReferee.PlanClaim planClaim(int step) {
        return new PreprocessReferee.PlanClaim(leaves.get(leafIndex(Section.PLAN, step)), plan.originsAfter(step));
    }

    /** What this party posts for a disputed records leaf: the leaf, the record count and the batch roots under it. */
    public PreprocessReferee.RecordsClaim recordsClaim(int step) {
        return new PreprocessReferee.RecordsClaim(leaves.get(leafIndex(Section.RECORDS, step)), recordCounts[step],
                recordBatches.get(step));
    }

    /** The leaves before {@code leafIndex}: what both parties agree on when the game reaches that leaf. */
    public List<byte[]> leavesBefore(int leafIndex) {
        return leaves.subList(0, leafIndex);
    }

    /**
     * The first leaf where the two traces differ and, under it, the first batch that differs (or the first batch
     * one side lacks); empty when the traces are equal.
     */
    public static Optional<Divergence> firstDivergence(PipelineTrace provider, PipelineTrace challenger) {
        if (provider.steps != challenger.steps) {
            throw new IllegalArgumentException("challenger: trace of " + challenger.steps + " steps against the provider's "
                    + provider.steps);
        }
        for (int j = 0; j < provider.leaves.size(); j++) {
            if (Arrays.equals(provider.leaves.get(j), challenger.leaves.get(j))) continue;
            Section section = j <= provider.steps ? Section.PLAN : Section.RECORDS;
            int step = section == Section.PLAN ? j : j - provider.steps - 1;
            return Optional.of(new Divergence(j, section, step,
                    firstDifference(provider.batches(section, step), challenger.batches(section, step))));
        }
        return Optional.empty();
    }

    /** The first index where two hash lists differ, or the shorter list's length when one is a prefix of the other. */
    static int firstDifference(List<byte[]> a, List<byte[]> b) {
        int common = Math.min(a.size(), b.size());
        for (int i = 0; i < common; i++) {
            if (!Arrays.equals(a.get(i), b.get(i))) return i;
        }
        return common;
    }
}
