package io.verigrid.verify;

import io.verigrid.engine.data.DataFault;
import io.verigrid.engine.data.InputDataset;
import io.verigrid.engine.data.Pipeline;
import io.verigrid.engine.data.PipelinePlan;
import io.verigrid.engine.data.PipelineSpec;
import io.verigrid.engine.data.ShardTrace;

/**
 * A cheating provider's switch in preprocessing drills. {@code ALTER} and {@code DROP} are the engine's
 * {@link DataFault}: one record altered, or dropped, right after step {@code step}. {@code REORDER} reads the data out
 * of order: after step {@code step} (a shuffle, say) the record {@code origin} swaps places with the record after it,
 * in that list and every later one — a wrong plan whose shards are then computed faithfully from it. {@code DUPLICATE}
 * (records sharding only) keeps the record {@code origin} twice from step {@code step} on, as a provider that reads
 * one record twice would. {@code CUT_EARLY} and {@code CUT_LATE} cut the final list wrongly: shard {@code step}
 * (1-based; {@code origin} is unused) ends one record early or late, the next shard starting there — every list and
 * every record value stays right. Cutting the last shard early leaves its last record a shard of its own, so the plan
 * over-declares the shard count by one.
 */
public record PreprocessFault(Kind kind, int step, int origin) {
    public enum Kind { ALTER, DROP, REORDER, DUPLICATE, CUT_EARLY, CUT_LATE }

    public PreprocessFault {
        if (kind == null) throw new IllegalArgumentException("kind: null");
        if (step < 1) throw new IllegalArgumentException("step must be >= 1, got " + step);
        if (origin < 0) throw new IllegalArgumentException("origin must be >= 0, got " + origin);
    }

    /** The plan a provider with {@code fault} (null: honest) commits. */
    public static PipelinePlan plan(PipelineSpec spec, InputDataset input, PreprocessFault fault) {
        if (fault == null) return Pipeline.plan(spec, input);
        if (fault.kind == Kind.ALTER || fault.kind == Kind.DROP) return Pipeline.plan(spec, input, fault.dataFault());
        PipelinePlan honest = Pipeline.plan(spec, input);
        if (fault.kind == Kind.CUT_EARLY || fault.kind == Kind.CUT_LATE) return recut(honest, fault);
        if (fault.step > honest.steps()) throw new IllegalArgumentException("step: " + fault.step + " > the spec's " + honest.steps() + " steps");
        if (fault.kind == Kind.DUPLICATE) return duplicated(spec, honest, fault);
        int[] at = honest.originsAfter(fault.step);
        int p = indexOf(at, fault.origin);
        if (p < 0 || p + 1 >= at.length) {
            throw new IllegalArgumentException("origin: " + fault.origin + " has no successor after step " + fault.step);
        }
        int a = at[p], b = at[p + 1];
        int[][] lists = new int[honest.steps() + 1][];
        for (int t = 0; t <= honest.steps(); t++) {
            lists[t] = honest.originsAfter(t);
            if (t < fault.step) continue;
            for (int i = 0; i < lists[t].length; i++) {
                if (lists[t][i] == a) lists[t][i] = b;
                else if (lists[t][i] == b) lists[t][i] = a;
            }
        }
        int[] ends = new int[honest.shardCount()];
        for (int k = 0, end = 0; k < ends.length; k++) ends[k] = end += honest.shardOrigins(k).length;
        return new PipelinePlan(lists, ends);
    }

    private static PipelinePlan recut(PipelinePlan honest, PreprocessFault fault) {
        int[] ends = honest.shardEnds();
        int k = fault.step - 1;
        if (k >= ends.length) throw new IllegalArgumentException("step: shard " + fault.step + " > the plan's " + ends.length + " shards");
        int start = k == 0 ? 0 : ends[k - 1];
        int[][] lists = new int[honest.steps() + 1][];
        for (int t = 0; t <= honest.steps(); t++) lists[t] = honest.originsAfter(t);
        if (fault.kind == Kind.CUT_EARLY) {
            if (ends[k] - 1 <= start) throw new IllegalArgumentException("step: shard " + fault.step + " holds one record; it cannot end earlier");
            boolean last = k == ends.length - 1;
            ends[k]--;
            if (last) ends = java.util.Arrays.copyOf(ends, ends.length + 1);
            if (last) ends[k + 1] = lists[honest.steps()].length;
        } else {
            if (k == ends.length - 1 || ends[k] + 1 >= ends[k + 1]) {
                throw new IllegalArgumentException("step: shard " + fault.step + " cannot end later without emptying the next shard");
            }
            ends[k]++;
        }
        return new PipelinePlan(lists, ends);
    }

    private static PipelinePlan duplicated(PipelineSpec spec, PipelinePlan honest, PreprocessFault fault) {
        if (spec.sharding().byTokenCount()) throw new IllegalArgumentException("fault: DUPLICATE needs records sharding");
        if (indexOf(honest.originsAfter(fault.step), fault.origin) < 0) {
            throw new IllegalArgumentException("origin: " + fault.origin + " is not in the list after step " + fault.step);
        }
        int[][] lists = new int[honest.steps() + 1][];
        for (int t = 0; t <= honest.steps(); t++) {
            int[] list = honest.originsAfter(t);
            int p = t < fault.step ? -1 : indexOf(list, fault.origin);
            if (p < 0) {
                lists[t] = list;
                continue;
            }
            lists[t] = new int[list.length + 1];
            System.arraycopy(list, 0, lists[t], 0, p + 1);
            System.arraycopy(list, p, lists[t], p + 1, list.length - p);
        }
        int count = lists[honest.steps()].length, per = spec.sharding().records();
        int[] ends = new int[(count + per - 1) / per];
        for (int k = 0; k < ends.length; k++) ends[k] = Math.min(count, (k + 1) * per);
        return new PipelinePlan(lists, ends);
    }

    /** Shard {@code shard}'s trace as a provider with {@code fault} (null: honest) computes it under {@code plan}. */
    public static ShardTrace trace(PipelineSpec spec, InputDataset input, PipelinePlan plan, int shard, PreprocessFault fault) {
        DataFault dataFault = fault == null || (fault.kind != Kind.ALTER && fault.kind != Kind.DROP) ? null : fault.dataFault();
        return Pipeline.traceShard(spec, input, plan, shard, dataFault);
    }

    private DataFault dataFault() {
        return new DataFault(step, origin, kind == Kind.ALTER ? DataFault.Action.ALTER : DataFault.Action.DROP);
    }

    private static int indexOf(int[] values, int value) {
        for (int i = 0; i < values.length; i++) if (values[i] == value) return i;
        return -1;
    }
}
