package io.verigrid.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.verigrid.engine.Decoder;
import io.verigrid.engine.HfCheckpoint;
import io.verigrid.engine.InputRef;
import io.verigrid.engine.OpSpec;
import io.verigrid.engine.Tensor;
import io.verigrid.engine.generate.TinyLlama;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inference referee on every operator of a position's program: honest evidence (weights against the weights
 * root, caches against the previous position's trace, earlier outputs against this position's trace) re-executes to
 * the provider's output, and evidence that proves something else loses for the provider.
 */
class InferenceRefereeTest {
    @Test
    void everyOperatorOfTheFirstAndALaterPositionIsRefereedFromItsProvenInputs(@TempDir Path dir) {
        TinyLlama.write(dir, 5, 32);
        HfCheckpoint checkpoint = HfCheckpoint.llama(dir);
        InferenceTrace.Replica replica = new InferenceTrace.Replica(checkpoint.model(), checkpoint.weights(), null);
        int[] fed = {1, 60, 61, 62};
        InferenceTrace trace = InferenceTrace.run(replica, fed);
        byte[] weightsRoot = InferenceCommitments.weightsRoot(checkpoint.weights());
        byte[] other = Hashes.sha256(new byte[] {1});
        int cacheInputs = 0;
        for (int t : new int[] {0, 3}) {
            List<OpSpec> program = Decoder.positionProgram(checkpoint.model(), t);
            byte[] previous = t > 0 ? trace.traceRoot(t - 1) : null;
            for (int j = 0; j < program.size(); j++) {
                List<InputEvidence> evidence = trace.evidence(t, j);
                Verdict verdict = InferenceReferee.decide(program, j, evidence, weightsRoot, replica.kvWidth(), t, fed[t],
                        trace.traceRoot(t), previous, trace.outputRoot(t, j), other);
                assertEquals(Verdict.PROVIDER_WINS, verdict, "position " + t + " op " + j + " " + program.get(j).kind());
                for (int i = 0; i < program.get(j).inputs().size(); i++) {
                    InputRef ref = program.get(j).inputs().get(i);
                    if (ref.source() == InputRef.Source.STATE && InferenceReferee.isCache(ref.name())) cacheInputs++;
                    List<InputEvidence> forged = new ArrayList<>(evidence);
                    Tensor real = evidence.get(i).tensor();
                    if (real.size() == 0) continue; // the empty cache of position 0 has nothing to forge
                    float[] bent = real.data().clone();
                    bent[0] = Math.nextUp(bent[0]);
                    forged.set(i, new InputEvidence(Tensor.of(real.shape(), bent), evidence.get(i).proof()));
                    assertEquals(Verdict.CHALLENGER_WINS, InferenceReferee.decide(program, j, forged, weightsRoot,
                            replica.kvWidth(), t, fed[t], trace.traceRoot(t), previous, trace.outputRoot(t, j), other),
                            "forged input " + i + " of op " + j + " at position " + t);
                }
            }
        }
        assertTrue(cacheInputs >= 4, "cache inputs were refereed: " + cacheInputs);
    }
}
