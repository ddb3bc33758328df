package io.verigrid.node.inference;

import io.verigrid.engine.Parallelism;
import io.verigrid.engine.generate.DecoderModel;
import io.verigrid.engine.generate.KvCache;
import io.verigrid.engine.generate.Sampler;
import io.verigrid.verify.InferenceCommitments;
import io.verigrid.verify.InferenceCommitments.ResponseLeaf;
import io.verigrid.verify.InferenceRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * A verifier's re-execution of a sampled request with the serving decoder (KV cache, packed kernels): each choice
 * decoded for exactly the positions the provider committed, giving the leaves whose root must equal the
 * provider's. The decoder's logits are the engine program's bit for bit, so this is the same root the traced
 * replay of a dispute gives, at serving speed.
 */
final class FastReplay {
    private FastReplay() {}

    static List<ResponseLeaf> leaves(DecoderModel model, InferenceRequest request, int[] lengths, Parallelism par) {
        List<ResponseLeaf> leaves = new ArrayList<>();
        for (int c = 0; c < lengths.length; c++) {
            if (lengths[c] == 0) continue;
            KvCache cache = model.newCache();
            float[] logits = model.decode(List.of(cache), List.of(request.prompt()), par)[0];
            int[] history = new int[lengths[c]];
            for (int pos = 0; pos < lengths[c]; pos++) {
                int token = Sampler.pick(logits, request.sampling(), java.util.Arrays.copyOf(history, pos), c, pos, 0).token();
                history[pos] = token;
                leaves.add(new ResponseLeaf(c, pos, token, InferenceCommitments.logitsRoot(logits)));
                if (pos + 1 < lengths[c]) logits = model.decode(List.of(cache), List.of(new int[] {token}), par)[0];
            }
        }
        return leaves;
    }
}
