package io.verigrid.engine.data;

import io.verigrid.engine.Parallelism;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs a {@link PipelineSpec} over an {@link InputDataset}; every entry point is a pure function of its arguments.
 *
 * <p>Which parts are global. Map steps (normalize, tokenize, crop, flip, noise) touch one record at a time. Select
 * steps decide which records survive and in what order: dedup reads every earlier record, a filter moves every
 * later shard boundary, a shuffle permutes the whole list. Their combined effect is the {@link PipelinePlan} — the
 * surviving origins after every step and the shard cuts. {@link #plan} computes it: it runs record values through
 * the steps up to the last select step that reads values (dedup, filter), then carries origins only (a shuffle
 * needs the count, map steps and mixup keep the list). Sharding by tokens needs every final token count and so runs
 * all steps on all records. Given a plan, {@link #traceShard} recomputes one shard from the input records it
 * descends from (and, for mixup, their partners) without touching the others.
 *
 * <p>Threads: with a {@link Parallelism} of n threads, map steps and mixup split the record list into contiguous
 * ranges; every record is computed whole by one thread, so the bits do not depend on n. Select steps run on the
 * calling thread in list order.
 */
public final class Pipeline {
    private Pipeline() {
    }

    public static PipelineOutput run(PipelineSpec spec, InputDataset input) {
        return run(spec, input, Parallelism.single(), null);
    }

    public static PipelineOutput run(PipelineSpec spec, InputDataset input, DataFault fault) {
        return run(spec, input, Parallelism.single(), fault);
    }

    /** The whole list through every step, then cut into shards; {@code fault} (nullable) is for cheat drills. */
    public static PipelineOutput run(PipelineSpec spec, InputDataset input, Parallelism parallelism, DataFault fault) {
        checkInput(spec, input);
        List<Step> steps = spec.steps();
        int[][] origins = new int[steps.size() + 1][];
        List<DataRecord> current = input.records();
        origins[0] = originsOf(current);
        for (int t = 1; t <= steps.size(); t++) {
            current = applyStep(steps.get(t - 1), current, input.resources(), parallelism);
            if (fault != null) {
                current = fault.apply(t, current);
            }
            origins[t] = originsOf(current);
        }
        int[] ends = spec.sharding().cut(current.size(), current);
        PipelinePlan plan = new PipelinePlan(origins, ends);
        List<Shard> shards = new ArrayList<>();
        int start = 0;
        for (int k = 0; k < ends.length; k++) {
            shards.add(new Shard(k, current.subList(start, ends[k])));
            start = ends[k];
        }
        return new PipelineOutput(shards, plan, Manifest.of(spec, input, plan, shards));
    }

    public static PipelinePlan plan(PipelineSpec spec, InputDataset input) {
        return plan(spec, input, Parallelism.single(), null);
    }

    public static PipelinePlan plan(PipelineSpec spec, InputDataset input, DataFault fault) {
        return plan(spec, input, Parallelism.single(), fault);
    }

    /** The global pass alone: record values only as far as a select step reads them, then origins only. */
    public static PipelinePlan plan(PipelineSpec spec, InputDataset input, Parallelism parallelism, DataFault fault) {
        checkInput(spec, input);
        List<Step> steps = spec.steps();
        int valueSteps = spec.sharding().byTokenCount() ? steps.size() : lastValueReadingSelect(steps);
        int[][] origins = new int[steps.size() + 1][];
        List<DataRecord> current = input.records();
        origins[0] = originsOf(current);
        for (int t = 1; t <= valueSteps; t++) {
            current = applyStep(steps.get(t - 1), current, input.resources(), parallelism);
            if (fault != null) {
                current = fault.apply(t, current);
            }
            origins[t] = originsOf(current);
        }
        for (int t = valueSteps + 1; t <= steps.size(); t++) {
            int[] previous = origins[t - 1];
            int[] next = previous;
            if (steps.get(t - 1) instanceof Shuffle shuffle) {
                int[] order = shuffle.order(previous.length);
                next = new int[previous.length];
                for (int p = 0; p < order.length; p++) {
                    next[p] = previous[order[p]];
                }
            }
            if (fault != null && fault.drops(t)) {
                next = java.util.Arrays.stream(next).filter(o -> o != fault.origin()).toArray();
            }
            origins[t] = next;
        }
        int finalCount = origins[steps.size()].length;
        return new PipelinePlan(origins, spec.sharding().cut(finalCount, current));
    }

    /** Shard {@code shardIndex} alone: the plan (global pass), then only the records the shard descends from. */
    public static Shard runShard(PipelineSpec spec, InputDataset input, int shardIndex) {
        return traceShard(spec, input, plan(spec, input), shardIndex, null).shard();
    }

    /** Shard {@code shardIndex} from a committed plan: no global pass at all. */
    public static Shard runShard(PipelineSpec spec, InputDataset input, PipelinePlan plan, int shardIndex) {
        return traceShard(spec, input, plan, shardIndex, null).shard();
    }

    /**
     * The origins, per step, of the records shard {@code shardIndex} descends from, each list in the plan's order at
     * that step: the shard's own origins at every step, plus, before a mixup, their partners.
     */
    public static int[][] ancestry(PipelineSpec spec, PipelinePlan plan, int shardIndex) {
        List<Step> steps = spec.steps();
        if (plan.steps() != steps.size()) {
            throw new IllegalArgumentException("plan: has " + plan.steps() + " steps, the spec " + steps.size());
        }
        List<Set<Integer>> members = new ArrayList<>();
        for (int t = 0; t <= steps.size(); t++) {
            members.add(null);
        }
        Set<Integer> wanted = new HashSet<>();
        for (int origin : plan.shardOrigins(shardIndex)) {
            wanted.add(origin);
        }
        members.set(steps.size(), wanted);
        for (int t = steps.size(); t >= 1; t--) {
            Set<Integer> before = new HashSet<>(members.get(t));
            if (steps.get(t - 1) instanceof Mixup mixup) {
                int[] previous = plan.originsAfter(t - 1);
                int[] partners = mixup.partners(previous.length);
                for (int p = 0; p < previous.length; p++) {
                    if (members.get(t).contains(previous[p])) {
                        before.add(previous[partners[p]]);
                    }
                }
            }
            members.set(t - 1, before);
        }
        int[][] lists = new int[steps.size() + 1][];
        for (int t = 0; t <= steps.size(); t++) {
            Set<Integer> set = members.get(t);
            lists[t] = java.util.Arrays.stream(plan.originsAfter(t)).filter(set::contains).toArray();
        }
        return lists;
    }

    public static ShardTrace traceShard(PipelineSpec spec, InputDataset input, PipelinePlan plan, int shardIndex) {
        return traceShard(spec, input, plan, shardIndex, null);
    }

    /** One shard's records after every step, computed from the plan and the shard's ancestry only. */
    public static ShardTrace traceShard(PipelineSpec spec, InputDataset input, PipelinePlan plan, int shardIndex,
                                        DataFault fault) {
        checkInput(spec, input);
        List<Step> steps = spec.steps();
        int[][] ancestry = ancestry(spec, plan, shardIndex);
        Map<Integer, DataRecord> values = new HashMap<>();
        List<List<DataRecord>> lists = new ArrayList<>();
        List<DataRecord> inputs = new ArrayList<>();
        for (int origin : ancestry[0]) {
            DataRecord record = input.records().get(origin);
            values.put(origin, record);
            inputs.add(record);
        }
        lists.add(inputs);
        for (int t = 1; t <= steps.size(); t++) {
            Step step = steps.get(t - 1);
            Map<Integer, Integer> partnerOf = step instanceof Mixup mixup ? partnerOrigins(mixup, plan, t) : Map.of();
            Map<Integer, DataRecord> next = new HashMap<>();
            List<DataRecord> list = new ArrayList<>();
            for (int origin : ancestry[t]) {
                DataRecord before = values.get(origin);
                DataRecord after;
                if (step instanceof MapStep map) {
                    after = map.apply(before, input.resources());
                } else if (step instanceof Mixup mixup) {
                    after = mixup.mix(before, values.get(partnerOf.get(origin)));
                } else {
                    after = before;
                }
                list.add(after);
            }
            if (fault != null) {
                list = fault.apply(t, list);
            }
            for (DataRecord record : list) {
                next.put(record.origin(), record);
            }
            values = next;
            lists.add(list);
        }
        return new ShardTrace(shardIndex, lists);
    }

    public static List<DataRecord> applyStep(Step step, List<DataRecord> records, Resources resources) {
        return applyStep(step, records, resources, Parallelism.single());
    }

    /** One step over a whole list: map each record, select positions, or mix each record with its partner. */
    public static List<DataRecord> applyStep(Step step, List<DataRecord> records, Resources resources,
                                             Parallelism parallelism) {
        if (step instanceof MapStep map) {
            DataRecord[] out = new DataRecord[records.size()];
            parallelism.forRange(out.length, (from, to) -> {
                for (int i = from; i < to; i++) {
                    out[i] = map.apply(records.get(i), resources);
                }
            });
            return List.of(out);
        } else if (step instanceof SelectStep select) {
            List<DataRecord> out = new ArrayList<>(records.size());
            for (int position : select.select(records)) {
                out.add(records.get(position));
            }
            return out;
        } else if (step instanceof Mixup mixup) {
            int[] partners = mixup.partners(records.size());
            DataRecord[] out = new DataRecord[records.size()];
            parallelism.forRange(out.length, (from, to) -> {
                for (int p = from; p < to; p++) {
                    out[p] = mixup.mix(records.get(p), records.get(partners[p]));
                }
            });
            return List.of(out);
        } else {
            // Step is sealed to these three shapes; this only guards against a null step.
            throw new IllegalArgumentException("step: null");
        }
    }

    /** For the mixup at step t: each origin's partner origin, from the plan's list before the step. */
    public static Map<Integer, Integer> partnerOrigins(Mixup mixup, PipelinePlan plan, int t) {
        int[] previous = plan.originsAfter(t - 1);
        int[] partners = mixup.partners(previous.length);
        Map<Integer, Integer> partnerOf = new HashMap<>();
        for (int p = 0; p < previous.length; p++) {
            partnerOf.put(previous[p], previous[partners[p]]);
        }
        return partnerOf;
    }

    private static int lastValueReadingSelect(List<Step> steps) {
        int last = 0;
        for (int t = 1; t <= steps.size(); t++) {
            if (steps.get(t - 1) instanceof SelectStep select && select.readsRecords()) {
                last = t;
            }
        }
        return last;
    }

    private static int[] originsOf(List<DataRecord> records) {
        return records.stream().mapToInt(DataRecord::origin).toArray();
    }

    private static void checkInput(PipelineSpec spec, InputDataset input) {
        if (spec == null) {
            throw new IllegalArgumentException("spec: null");
        }
        if (input == null) {
            throw new IllegalArgumentException("input: null");
        }
        for (DataRecord record : input.records()) {
            if (record.type() != spec.input()) {
                throw new IllegalArgumentException("input: record " + record.origin() + " is " + record.type().jsonName()
                        + ", the spec reads " + spec.input().jsonName());
            }
        }
    }
}
