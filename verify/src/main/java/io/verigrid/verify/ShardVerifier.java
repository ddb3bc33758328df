package io.verigrid.verify;

import io.verigrid.engine.data.InputDataset;
import io.verigrid.engine.data.Manifest;
import io.verigrid.engine.data.Pipeline;
import io.verigrid.engine.data.PipelinePlan;
import io.verigrid.engine.data.PipelineSpec;
import io.verigrid.engine.data.Sha256;
import io.verigrid.engine.data.Shard;

/**
 * A verifier's check of one sampled shard of a preprocessing job: the manifest must name this spec, input and plan,
 * and the shard recomputed from the committed plan alone must hash to the manifest's entry. A failed check is where
 * a verifier opens a dispute over the shard's {@link PipelineTrace}.
 */
public final class ShardVerifier {
    /** What the check found; {@link #passed()} only when every hash matched. */
    public record Result(int shardIndex, boolean manifestMatches, String committedSha256, String recomputedSha256) {
        public boolean passed() {
            return manifestMatches && committedSha256.equals(recomputedSha256);
        }
    }

    private ShardVerifier() {}

    public static Result check(PipelineSpec spec, InputDataset input, PipelinePlan plan, Manifest manifest, int shardIndex) {
        if (spec == null || input == null || plan == null || manifest == null) {
            throw new IllegalArgumentException("spec, input, plan, manifest: null");
        }
        if (shardIndex < 0 || shardIndex >= manifest.shards().size()) {
            throw new IllegalArgumentException("shardIndex: " + shardIndex + " outside the manifest's 0.."
                    + (manifest.shards().size() - 1));
        }
        boolean manifestMatches = manifest.specSha256().equals(Sha256.hex(spec.sha256()))
                && manifest.inputSha256().equals(Sha256.hex(input.sha256()))
                && manifest.planSha256().equals(Sha256.hex(plan.sha256()))
                && manifest.shards().size() == plan.shardCount()
                && manifest.shards().get(shardIndex).index() == shardIndex;
        String committed = manifest.shards().get(shardIndex).sha256();
        if (!manifestMatches) return new Result(shardIndex, false, committed, "");
        Shard shard = Pipeline.runShard(spec, input, plan, shardIndex);
        return new Result(shardIndex, true, committed, Sha256.hex(shard.sha256()));
    }
}
