package io.verigrid.ledger;

import io.verigrid.ledger.tx.ByteReader;
import io.verigrid.ledger.tx.ByteWriter;
import io.verigrid.verify.DisputeGame;

/** One dispute's ledger entry: the parties, the locked bond and fee, the game (encoded) and, once settled, the outcome. */
final class Dispute {
    final long id;
    final long jobId;
    final int unit;
    final String provider;
    final String challenger;
    final long bond;
    final long fee;
    final long openedHeight;
    byte[] game;
    DisputeOutcome outcome;

    Dispute(long id, long jobId, int unit, String provider, String challenger, long bond, long fee, long openedHeight,
            byte[] game) {
        this.id = id;
        this.jobId = jobId;
        this.unit = unit;
        this.provider = provider;
        this.challenger = challenger;
        this.bond = bond;
        this.fee = fee;
        this.openedHeight = openedHeight;
        this.game = game;
    }

    DisputeGame game() {
        return DisputeGame.decode(game);
    }

    boolean open() {
        return outcome == null;
    }

    /** Units still locked in this dispute: bond and fee until it settles. */
    long locked() {
        return open() ? Math.addExact(bond, fee) : 0;
    }

    Dispute copy() {
        Dispute c = new Dispute(id, jobId, unit, provider, challenger, bond, fee, openedHeight, game);
        c.outcome = outcome;
        return c;
    }

    void write(ByteWriter out) {
        out.i64(id).i64(jobId).i32(unit).string(provider).string(challenger).i64(bond).i64(fee).i64(openedHeight)
                .bytes(game).bool(outcome != null);
        if (outcome != null) {
            DisputeOutcome o = outcome;
            out.string(o.verdict()).string(o.reason()).i32(o.unit()).i64(o.step()).i32(o.operatorIndex())
                    .bool(o.opKind() != null);
            if (o.opKind() != null) out.string(o.opKind());
            out.i32(o.rounds()).i64(o.providerSlashed()).i64(o.challengerForfeited()).i64(o.toChallenger())
                    .i64(o.toProvider()).i64(o.burned()).i64(o.height());
        }
    }

    static Dispute read(ByteReader in) {
        Dispute d = new Dispute(in.i64("id"), in.i64("jobId"), in.i32("unit"), in.string("provider"),
                in.string("challenger"), in.i64("bond"), in.i64("fee"), in.i64("openedHeight"), in.bytes("game"));
        if (in.bool("outcome present")) {
            String verdict = in.string("verdict"), reason = in.string("reason");
            int unit = in.i32("unit");
            long step = in.i64("step");
            int op = in.i32("operatorIndex");
            String kind = in.bool("opKind present") ? in.string("opKind") : null;
            d.outcome = new DisputeOutcome(verdict, reason, unit, step, op, kind, in.i32("rounds"),
                    in.i64("providerSlashed"), in.i64("challengerForfeited"), in.i64("toChallenger"),
                    in.i64("toProvider"), in.i64("burned"), in.i64("height"));
        }
        return d;
    }
}
