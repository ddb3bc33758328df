package io.verigrid.cli;

import io.verigrid.engine.Dataset;
import io.verigrid.engine.LmJob;
import io.verigrid.engine.ModelState;
import io.verigrid.engine.TrainingJob;
import io.verigrid.engine.io.Safetensors;
import io.verigrid.node.blob.BlobStore;
import io.verigrid.verify.Hashes;
import io.verigrid.verify.RefereeBounds;
import java.util.TreeMap;

/**
 * The buyer's side of spec §2's bound: before an order is posted (or a manifest written), one step of the job is
 * traced under the chain's max_referee_bytes, and a job with an operator no dispute evidence could settle within it
 * is refused with the operator and its bytes ({@link RefereeBounds}) instead of being accepted and left unsettleable.
 */
final class RefereeCheck {
    private RefereeCheck() {}

    /**
     * Checks {@code spec} on {@code dataset}; a fine-tuning job starts from its base checkpoint, which {@code store}
     * holds (the manifest put it there). IllegalArgumentException naming the operator otherwise.
     */
    static void check(TrainingJob spec, Dataset dataset, BlobStore store, long maxRefereeBytes) {
        ModelState start = spec.declaredInitialRoot().isEmpty() ? spec.initialState() : checkpoint(spec, store);
        try {
            RefereeBounds.check(spec, dataset, start, maxRefereeBytes);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("refused before posting: " + e.getMessage(), e);
        }
    }

    private static ModelState checkpoint(TrainingJob spec, BlobStore store) {
        String blob = Hashes.hex(spec.baseCheckpoint().orElseThrow());
        byte[] bytes = store.get(blob).orElseThrow(() -> new IllegalStateException("checkpoint blob " + blob + " is not in the local store"));
        return ((LmJob) spec).initialState(new TreeMap<>(Safetensors.decode(bytes).tensors()));
    }
}
