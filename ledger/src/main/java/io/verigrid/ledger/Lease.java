package io.verigrid.ledger;

import io.verigrid.ledger.tx.ByteReader;
import io.verigrid.ledger.tx.ByteWriter;

/**
 * The auction winner's lease of an order's job at {@code unitPrice} per verified unit. While ACTIVE the lessee
 * must heartbeat and commit each unit by {@code unitDeadline}, which follows from its claimed throughput.
 */
final class Lease {
    enum Status { ACTIVE, COMPLETED, CANCELLED, FAILED }

    final long id;
    final long orderId;
    final long jobId;
    final long bidId;
    final String provider;
    final long unitPrice;
    final long startHeight;
    /** Blocks the lessee has per unit: its claimed throughput, the unit's work, the market's slack. */
    final long unitBlocks;
    long lastHeartbeat;
    int committedSeen;
    long unitDeadline;
    Status status = Status.ACTIVE;
    long endHeight;
    String reason = "";

    Lease(long id, long orderId, long jobId, long bidId, String provider, long unitPrice, long startHeight, long unitBlocks) {
        this.id = id;
        this.orderId = orderId;
        this.jobId = jobId;
        this.bidId = bidId;
        this.provider = provider;
        this.unitPrice = unitPrice;
        this.startHeight = startHeight;
        this.unitBlocks = unitBlocks;
    }

    Lease copy() {
        Lease c = new Lease(id, orderId, jobId, bidId, provider, unitPrice, startHeight, unitBlocks);
        c.lastHeartbeat = lastHeartbeat;
        c.committedSeen = committedSeen;
        c.unitDeadline = unitDeadline;
        c.status = status;
        c.endHeight = endHeight;
        c.reason = reason;
        return c;
    }

    void write(ByteWriter out) {
        out.i64(id).i64(orderId).i64(jobId).i64(bidId).string(provider).i64(unitPrice).i64(startHeight).i64(unitBlocks)
                .i64(lastHeartbeat).i32(committedSeen).i64(unitDeadline).u8(status.ordinal()).i64(endHeight).string(reason);
    }

    static Lease read(ByteReader in) {
        Lease l = new Lease(in.i64("id"), in.i64("orderId"), in.i64("jobId"), in.i64("bidId"), in.string("provider"),
                in.i64("unitPrice"), in.i64("startHeight"), in.i64("unitBlocks"));
        l.lastHeartbeat = in.i64("lastHeartbeat");
        l.committedSeen = in.i32("committedSeen");
        l.unitDeadline = in.i64("unitDeadline");
        l.status = Status.values()[in.u8("lease status")];
        l.endHeight = in.i64("endHeight");
        l.reason = in.string("reason");
        return l;
    }
}
