package io.verigrid.engine.data;

import java.util.ArrayList;
import java.util.List;

/**
 * One shard's records after every step: {@code recordsAfter(t)} are the records at step t (0 = input) whose
 * descendants end up in the shard — the shard's own records and, before a mixup, their partners — in the order of
 * the plan's list at step t. The last list is the shard. A verifier commits each list (see verify's
 * {@code PipelineTrace}) so that a disagreement narrows to one step and one record batch.
 */
public record ShardTrace(int shardIndex, List<List<DataRecord>> recordsAfterStep) {
    public ShardTrace {
        if (recordsAfterStep == null || recordsAfterStep.isEmpty()) {
            throw new IllegalArgumentException("recordsAfterStep: needs at least the input list");
        }
        List<List<DataRecord>> copy = new ArrayList<>();
        for (List<DataRecord> list : recordsAfterStep) {
            copy.add(List.copyOf(list));
        }
        recordsAfterStep = List.copyOf(copy);
    }

    public int steps() {
        return recordsAfterStep.size() - 1;
    }

    public List<DataRecord> recordsAfter(int t) {
        if (t < 0 || t >= recordsAfterStep.size()) {
            throw new IllegalArgumentException("step: " + t + " outside 0.." + steps());
        }
        return recordsAfterStep.get(t);
    }

    public Shard shard() {
        return new Shard(shardIndex, recordsAfterStep.get(recordsAfterStep.size() - 1));
    }
}
