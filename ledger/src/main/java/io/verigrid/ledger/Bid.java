package io.verigrid.ledger;

import io.verigrid.ledger.tx.ByteReader;
import io.verigrid.ledger.tx.ByteWriter;

/** A binding bid in one auction round of an order; {@code deposit} is locked while it is OPEN or WON. */
final class Bid {
    enum Status { OPEN, WON, LOST, RETURNED, FORFEITED }

    final long id;
    final long orderId;
    final int round;
    final String provider;
    final long unitPrice;
    final long height;
    long deposit;
    Status status = Status.OPEN;

    Bid(long id, long orderId, int round, String provider, long unitPrice, long height, long deposit) {
        this.id = id;
        this.orderId = orderId;
        this.round = round;
        this.provider = provider;
        this.unitPrice = unitPrice;
        this.height = height;
        this.deposit = deposit;
    }

    Bid copy() {
        Bid c = new Bid(id, orderId, round, provider, unitPrice, height, deposit);
        c.status = status;
        return c;
    }

    void write(ByteWriter out) {
        out.i64(id).i64(orderId).i32(round).string(provider).i64(unitPrice).i64(height).i64(deposit).u8(status.ordinal());
    }

    static Bid read(ByteReader in) {
        Bid b = new Bid(in.i64("id"), in.i64("orderId"), in.i32("round"), in.string("provider"), in.i64("unitPrice"),
                in.i64("height"), in.i64("deposit"));
        b.status = Status.values()[in.u8("bid status")];
        return b;
    }
}
