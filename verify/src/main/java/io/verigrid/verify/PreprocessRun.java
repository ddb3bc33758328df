package io.verigrid.verify;

import io.verigrid.engine.data.DataRecord;
import io.verigrid.engine.data.ExactDedup;
import io.verigrid.engine.data.InputDataset;
import io.verigrid.engine.data.MapStep;
import io.verigrid.engine.data.MinHashDedup;
import io.verigrid.engine.data.Pipeline;
import io.verigrid.engine.data.PipelinePlan;
import io.verigrid.engine.data.PipelineSpec;
import io.verigrid.engine.data.SelectStep;
import io.verigrid.engine.data.ShardTrace;
import io.verigrid.engine.data.Step;
import io.verigrid.engine.data.TextRecord;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One party's own execution of one shard of a preprocessing job — its plan and the shard's {@link ShardTrace} — and
 * the moves an honest party makes from it in a {@link PreprocessGame}. Provider and verifier nodes keep one per
 * disputed shard; a cheating provider builds it from its faulty plan and trace, and plays it just the same.
 */
public final class PreprocessRun {
    /** The provider's move in the trace descent: a trace root with its last leaf's proof, or the next nodes. */
    public record TraceRootMove(byte[] traceRoot, String lastKind, int lastCount, MerkleProof lastPath) {}

    /** The challenger's pick: node {@code k} of the posted ones, with its claim when the pick reaches a leaf. */
    public record Pick(int k, byte[] claim) {}

    private final PipelineSpec spec;
    private final InputDataset input;
    private final PipelinePlan plan;
    private final ShardTrace shardTrace;
    private final PipelineTrace trace;
    private final List<List<byte[]>> levels;

    private PreprocessRun(PipelineSpec spec, InputDataset input, PipelinePlan plan, ShardTrace shardTrace) {
        this.spec = spec;
        this.input = input;
        this.plan = plan;
        this.shardTrace = shardTrace;
        this.trace = PipelineTrace.of(spec, plan, shardTrace);
        this.levels = Merkle.levels(trace.leaves());
    }

    /** An honest run of shard {@code shardIndex} (0-based) under {@code plan}. */
    public static PreprocessRun of(PipelineSpec spec, InputDataset input, PipelinePlan plan, int shardIndex) {
        return new PreprocessRun(spec, input, plan, Pipeline.traceShard(spec, input, plan, shardIndex));
    }

    /** A run from a trace the caller computed (a cheat drill's faulty trace). */
    public static PreprocessRun of(PipelineSpec spec, InputDataset input, PipelinePlan plan, ShardTrace shardTrace) {
        return new PreprocessRun(spec, input, plan, shardTrace);
    }

    public PipelineTrace trace() {
        return trace;
    }

    public PipelinePlan plan() {
        return plan;
    }

    /** The root this run gives the shard: the records root of its records after the last step. */
    public byte[] shardRoot() {
        return ShardCommitments.recordsRoot(shardTrace.recordsAfter(shardTrace.steps()));
    }

    // ---- provider ----

    public TraceRootMove traceRoot() {
        int last = trace.leaves().size() - 1;
        return new TraceRootMove(trace.root(), PipelineTrace.kind(spec, trace.steps()),
                shardTrace.recordsAfter(trace.steps()).size(), trace.proof(last).path());
    }

    public List<byte[]> traceNodes(PreprocessGame game) {
        List<byte[]> level = levels.get(game.childLevel());
        return List.copyOf(level.subList(game.childStart(), game.childStart() + game.childCount()));
    }

    /** The provider's evidence for the leaf the game reached. */
    public PreprocessEvidence evidence(PreprocessGame game) {
        int leaf = game.leaf();
        if (leaf < 0) throw new IllegalArgumentException("game: the descent has not reached a leaf");
        List<String> tokenizers = List.copyOf(input.resources().tokenizerJson().values());
        int step = game.step();
        if (game.section() == PipelineTrace.Section.PLAN) {
            return new PreprocessEvidence(trace.leaves(), plan.encode(), 0, List.of(), List.of(),
                    planWitnesses(step, PreprocessEvidence.decodePlanClaim(game.challengerClaim())), tokenizers);
        }
        List<byte[]> batches = trace.batches(PipelineTrace.Section.RECORDS, step);
        int count = shardTrace.recordsAfter(step).size();
        if (step > 0) {
            return new PreprocessEvidence(trace.leaves(), plan.encode(), count, batches, shardTrace.recordsAfter(step - 1),
                    List.of(), tokenizers);
        }
        PreprocessReferee.RecordsClaim theirs = PreprocessEvidence.decodeRecordsClaim(game.challengerClaim());
        int batch = PipelineTrace.firstDifference(batches, theirs.batches());
        List<DataRecord> records = shardTrace.recordsAfter(0);
        List<PreprocessReferee.ProvenRecord> proven = new ArrayList<>();
        for (int i = batch * ShardCommitments.BATCH_RECORDS; i < Math.min(records.size(), (batch + 1) * ShardCommitments.BATCH_RECORDS); i++) {
            proven.add(proven(records.get(i).origin()));
        }
        return new PreprocessEvidence(trace.leaves(), plan.encode(), count, batches, List.of(), proven, tokenizers);
    }

    /**
     * The provider's answer to a challenge of its shard's cut: its plan, and (token sharding) the input records of the
     * shard's final records and of the record after it, with their paths to the input root.
     */
    public CutEvidence cutEvidence(PreprocessGame game) {
        if (!game.isCut()) throw new IllegalArgumentException("game: not a cut game");
        List<PreprocessReferee.ProvenRecord> inputs = new ArrayList<>();
        int k = game.shard() - 1;
        if (spec.sharding().byTokenCount() && k < plan.shardCount()) {
            int[] finals = plan.originsAfter(plan.steps());
            int end = plan.shardEnds()[k];
            int start = k == 0 ? 0 : plan.shardEnds()[k - 1];
            for (int i = start; i < Math.min(finals.length, end + 1); i++) inputs.add(proven(finals[i]));
        }
        return new CutEvidence(plan.encode(), inputs, List.copyOf(input.resources().tokenizerJson().values()));
    }

    /**
     * For a plan leaf of a value-reading select step: the input record of the first origin the two lists part on and,
     * when this party skipped it as a duplicate, the earlier kept record it duplicates.
     */
    private List<PreprocessReferee.ProvenRecord> planWitnesses(int step, int[] theirs) {
        if (step == 0) return List.of();
        Step rule = spec.steps().get(step - 1);
        if (!(rule instanceof SelectStep select) || !select.readsRecords()) return List.of();
        int[] mine = plan.originsAfter(step);
        int[] before = plan.originsAfter(step - 1);
        int p = PreprocessEvidence.firstDifference(mine, theirs);
        if (p >= mine.length && p >= theirs.length) return List.of();
        int start = p == 0 ? 0 : indexOf(before, mine[p - 1], 0) + 1;
        int minePosition = p < mine.length ? indexOf(before, mine[p], start) : Integer.MAX_VALUE;
        int theirPosition = p < theirs.length ? indexOf(before, theirs[p], start) : Integer.MAX_VALUE;
        if (minePosition < 0 || theirPosition < 0) return List.of();
        int origin = before[Math.min(minePosition, theirPosition)];
        List<PreprocessReferee.ProvenRecord> out = new ArrayList<>();
        out.add(proven(origin));
        boolean iSkip = minePosition > theirPosition;
        if (iSkip && !(rule instanceof io.verigrid.engine.data.QualityFilter)) {
            String text = ((TextRecord) valueBefore(step, origin)).text();
            for (int i = 0; i < p; i++) {
                String earlier = ((TextRecord) valueBefore(step, mine[i])).text();
                if (duplicates(rule, text, earlier)) {
                    out.add(proven(mine[i]));
                    break;
                }
            }
        }
        return out;
    }

    private DataRecord valueBefore(int step, int origin) {
        DataRecord value = input.records().get(origin);
        for (int t = 1; t < step; t++) {
            if (spec.steps().get(t - 1) instanceof MapStep map) value = map.apply(value, input.resources());
        }
        return value;
    }

    private static boolean duplicates(Step rule, String later, String earlier) {
        if (rule instanceof ExactDedup) return Arrays.equals(ExactDedup.key(later), ExactDedup.key(earlier));
        MinHashDedup dedup = (MinHashDedup) rule;
        return dedup.nearDuplicate(dedup.minHash().signature(later), dedup.minHash().signature(earlier));
    }

    private PreprocessReferee.ProvenRecord proven(int origin) {
        return new PreprocessReferee.ProvenRecord(input.records().get(origin), ShardCommitments.recordProof(input.records(), origin));
    }

    // ---- challenger ----

    /** The challenger's witness for the dedup decision the provider's evidence disputes, or an empty array. */
    public byte[] witness(PreprocessGame game) {
        if (game.phase() != PreprocessGame.Phase.WITNESS) throw new IllegalArgumentException("game: not waiting for a witness");
        int[] theirs;
        try {
            theirs = PipelinePlan.decode(PreprocessEvidence.decode(game.evidence()).plan()).originsAfter(game.step());
        } catch (IllegalArgumentException e) {
            return new byte[0]; // a plan the referee cannot read loses for the provider without any witness
        }
        List<PreprocessReferee.ProvenRecord> mine = planWitnesses(game.step(), theirs);
        return mine.size() > 1 ? PreprocessEvidence.encodeWitness(mine.get(1)) : new byte[0];
    }

    /** The leftmost posted node that differs from this run's node at the same place, with the claim at a leaf. */
    public Pick pick(PreprocessGame game) {
        List<byte[]> posted = game.postedNodes();
        List<byte[]> mine = levels.get(game.childLevel());
        int k = posted.size() - 1;
        for (int i = 0; i < posted.size(); i++) {
            int position = game.childStart() + i;
            if (position >= mine.size() || !Arrays.equals(posted.get(i), mine.get(position))) {
                k = i;
                break;
            }
        }
        if (game.childLevel() > 0) return new Pick(k, new byte[0]);
        int leaf = game.childStart() + k;
        int steps = trace.steps();
        if (leaf <= steps) return new Pick(k, PreprocessEvidence.planClaim(plan.originsAfter(leaf)));
        int step = leaf - steps - 1;
        return new Pick(k, PreprocessEvidence.recordsClaim(shardTrace.recordsAfter(step).size(),
                trace.batches(PipelineTrace.Section.RECORDS, step)));
    }

    private static int indexOf(int[] values, int value, int from) {
        for (int i = Math.max(0, from); i < values.length; i++) if (values[i] == value) return i;
        return -1;
    }
}
