package io.verigrid.ledger;

import io.verigrid.ledger.InferenceRecords.ApiKey;
import io.verigrid.ledger.InferenceRecords.Dispute;
import io.verigrid.ledger.InferenceRecords.Hold;
import io.verigrid.ledger.InferenceRecords.Model;
import io.verigrid.verify.Hashes;
import java.util.Locale;
import java.util.Map;

/** Read-only answers about verified inference, from a {@link LedgerState}. */
final class InferenceQuery {
    private InferenceQuery() {}

    /**
     * {@code what} is {@code model:ID}, {@code models}, {@code key:KEYHASH}, {@code escrow:ADDRESS}, {@code hold:REQUESTHASH},
     * {@code holds}, {@code holds:PROVIDER} (one provider's), {@code seed:REQUESTHASH}, {@code dispute:ID} or {@code disputes}; a missing id answers null.
     */
    static Object answer(LedgerState s, String what) {
        if (what == null) throw new IllegalArgumentException("inference query needs an argument such as models or hold:HASH");
        int colon = what.indexOf(':');
        String kind = colon < 0 ? what : what.substring(0, colon);
        String arg = colon < 0 ? "" : what.substring(colon + 1).toLowerCase(Locale.ROOT);
        InferenceState inf = s.inference;
        long window = s.params().challengeWindowBlocks();
        return switch (kind) {
            case "models" -> inf.models.values().stream().map(InferenceViews.ModelView::of).toList();
            case "model" -> {
                Model m = inf.models.get(arg);
                yield m == null ? null : InferenceViews.ModelView.of(m);
            }
            case "key" -> {
                ApiKey k = inf.keys.get(arg);
                yield k == null ? null : InferenceViews.KeyView.of(k, inf.escrow.getOrDefault(k.account, 0L));
            }
            case "escrow" -> Map.of("address", arg, "escrow", inf.escrow.getOrDefault(arg, 0L));
            case "hold" -> {
                Hold h = inf.holds.get(arg);
                yield h == null ? null : InferenceViews.HoldView.of(h, window);
            }
            case "holds" -> inf.holds.values().stream()
                    .filter(h -> arg.isEmpty() || h.provider.equals(arg))
                    .map(h -> InferenceViews.HoldView.of(h, window)).toList();
            case "seed" -> {
                byte[] seed = InferenceRules.sampleSeed(s, arg);
                yield Map.of("requestHash", arg, "seed", seed == null ? "" : Hashes.hex(seed));
            }
            case "dispute" -> {
                Dispute d = inf.disputes.get(Long.parseLong(arg));
                yield d == null ? null : InferenceViews.DisputeView.of(d);
            }
            case "disputes" -> inf.disputes.values().stream().map(InferenceViews.DisputeView::of).toList();
            default -> throw new IllegalArgumentException("unknown inference query " + kind);
        };
    }
}
