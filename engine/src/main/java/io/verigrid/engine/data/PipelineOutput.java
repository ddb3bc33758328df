package io.verigrid.engine.data;

import java.util.List;

/** A full run's result: the shards, the plan they were cut by, and the manifest to publish. */
public record PipelineOutput(List<Shard> shards, PipelinePlan plan, Manifest manifest) {
    public PipelineOutput {
        shards = List.copyOf(shards);
    }
}
