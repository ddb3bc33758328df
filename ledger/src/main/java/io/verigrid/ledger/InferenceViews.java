package io.verigrid.ledger;

import io.verigrid.ledger.InferenceRecords.ApiKey;
import io.verigrid.ledger.InferenceRecords.Dispute;
import io.verigrid.ledger.InferenceRecords.Hold;
import io.verigrid.ledger.InferenceRecords.Model;
import io.verigrid.verify.Hashes;
import io.verigrid.verify.InferenceGame;

/** Read-only JSON views of the inference section. */
public final class InferenceViews {
    private InferenceViews() {}

    public record ModelView(String id, String owner, String name, String config, String weightsRoot, long pricePerToken,
                            long height) {
        static ModelView of(Model m) {
            return new ModelView(m.id, m.owner, m.name, m.config, Hashes.hex(m.weightsRoot), m.pricePerToken, m.height);
        }
    }

    public record KeyView(String keyHash, String account, int samplePpm, long height, long escrow) {
        static KeyView of(ApiKey k, long escrow) {
            return new KeyView(k.keyHash, k.account, k.samplePpm, k.height, escrow);
        }
    }

    /** {@code status}: HELD (inside its challenge window) or DISPUTED. */
    public record HoldView(String requestHash, String modelId, String provider, String account, String keyHash,
                           String responseRoot, int promptTokens, int completionTokens, long amount, long height,
                           long payableAfter, String status, long disputeId) {
        static HoldView of(Hold h, long window) {
            return new HoldView(h.requestHash, h.modelId, h.provider, h.account, h.keyHash, Hashes.hex(h.responseRoot),
                    h.promptTokens, h.completionTokens, h.amount, h.height, h.height + window,
                    h.status == Hold.HELD ? "HELD" : "DISPUTED", h.disputeId);
        }
    }

    /**
     * An inference dispute: {@code game} is {@code InferenceGame.encode()} in hex (parties decode it to move),
     * {@code outcome} empty while open, else "VERDICT by REFEREE|TIMEOUT".
     */
    public record DisputeView(long id, String requestHash, String modelId, String provider, String challenger, long bond,
                              long fee, String request, String game, String phase, String turn, long deadline, int rounds,
                              int position, int operator, long height, String outcome, long slashed, long toChallenger,
                              long toProvider, long burned) {
        static DisputeView of(Dispute d) {
            InferenceGame g = d.game();
            return new DisputeView(d.id, d.requestHash, d.modelId, d.provider, d.challenger, d.bond, d.fee,
                    Hashes.hex(d.request), Hashes.hex(d.game), g.phase().name(), g.turn().name(), g.deadline(), g.rounds(),
                    g.position(), g.operator(), d.height, d.outcome, d.slashed, d.toChallenger, d.toProvider, d.burned);
        }

        public boolean open() {
            return outcome == null || outcome.isEmpty();
        }
    }
}
