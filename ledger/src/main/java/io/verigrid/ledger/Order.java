package io.verigrid.ledger;

import io.verigrid.ledger.tx.ByteReader;
import io.verigrid.ledger.tx.ByteWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * A buyer's order: the job it escrows for (a {@link Job} whose status follows the order), the requirements a
 * bid must meet and the reverse auction's current round.
 */
final class Order {
    enum Status { AUCTION, LEASED, DONE, CANCELLED, EXPIRED }

    final long id;
    final String buyer;
    final long jobId;
    final int kind;
    final long maxUnitPrice;
    final int units;
    final long minMemoryBytes;
    final long minMflops;
    final int auctionBlocks;
    final long postedHeight;
    final long deadlineHeight;
    /** Engine work of one unit, from the spec: what a claimed throughput turns into a deadline. */
    final long unitFlops;
    /** The blob the job's dataset is in and the nodes that held it when the order was posted; null for a seeded dataset. */
    String datasetBlob;
    List<String> datasetReplicas = List.of();
    /**
     * A preprocessing order's declared plan and manifest (SHA-256), fixed by the first shard the lease
     * {@code declaredLease} committed; null before. A later lease declares afresh.
     */
    byte[] planSha256;
    byte[] manifestSha256;
    long declaredLease;
    Status status = Status.AUCTION;
    int round = 1;
    long auctionEndHeight;
    long leaseId;
    /** Providers whose lease of this order failed: they may not bid on it again. */
    final TreeSet<String> excluded = new TreeSet<>();

    Order(long id, String buyer, long jobId, int kind, long maxUnitPrice, int units, long minMemoryBytes, long minMflops,
          int auctionBlocks, long postedHeight, long deadlineHeight, long unitFlops) {
        this.id = id;
        this.buyer = buyer;
        this.jobId = jobId;
        this.kind = kind;
        this.maxUnitPrice = maxUnitPrice;
        this.units = units;
        this.minMemoryBytes = minMemoryBytes;
        this.minMflops = minMflops;
        this.auctionBlocks = auctionBlocks;
        this.postedHeight = postedHeight;
        this.deadlineHeight = deadlineHeight;
        this.unitFlops = unitFlops;
    }

    boolean active() {
        return status == Status.AUCTION || status == Status.LEASED;
    }

    Order copy() {
        Order c = new Order(id, buyer, jobId, kind, maxUnitPrice, units, minMemoryBytes, minMflops, auctionBlocks,
                postedHeight, deadlineHeight, unitFlops);
        c.datasetBlob = datasetBlob;
        c.datasetReplicas = datasetReplicas;
        c.planSha256 = planSha256;
        c.manifestSha256 = manifestSha256;
        c.declaredLease = declaredLease;
        c.status = status;
        c.round = round;
        c.auctionEndHeight = auctionEndHeight;
        c.leaseId = leaseId;
        c.excluded.addAll(excluded);
        return c;
    }

    void write(ByteWriter out) {
        out.i64(id).string(buyer).i64(jobId).i32(kind).i64(maxUnitPrice).i32(units).i64(minMemoryBytes).i64(minMflops)
                .i32(auctionBlocks).i64(postedHeight).i64(deadlineHeight).i64(unitFlops).u8(status.ordinal()).i32(round)
                .i64(auctionEndHeight).i64(leaseId).i32(excluded.size());
        excluded.forEach(out::string);
        out.bool(datasetBlob != null);
        if (datasetBlob != null) {
            out.string(datasetBlob).i32(datasetReplicas.size());
            datasetReplicas.forEach(out::string);
        }
        if (kind == PreprocessRules.KIND_PREPROCESS) {
            out.bool(planSha256 != null);
            if (planSha256 != null) out.raw(planSha256).raw(manifestSha256).i64(declaredLease);
        }
    }

    static Order read(ByteReader in) {
        Order o = new Order(in.i64("id"), in.string("buyer"), in.i64("jobId"), in.i32("kind"), in.i64("maxUnitPrice"),
                in.i32("units"), in.i64("minMemoryBytes"), in.i64("minMflops"), in.i32("auctionBlocks"),
                in.i64("postedHeight"), in.i64("deadlineHeight"), in.i64("unitFlops"));
        o.status = Status.values()[in.u8("order status")];
        o.round = in.i32("round");
        o.auctionEndHeight = in.i64("auctionEndHeight");
        o.leaseId = in.i64("leaseId");
        for (int i = in.count("excluded", 2); i > 0; i--) o.excluded.add(in.string("excluded"));
        if (in.bool("dataset blob present")) {
            o.datasetBlob = in.string("dataset blob");
            List<String> replicas = new ArrayList<>();
            for (int i = in.count("dataset replicas", 4); i > 0; i--) replicas.add(in.string("dataset replica"));
            o.datasetReplicas = List.copyOf(replicas);
        }
        if (o.kind == PreprocessRules.KIND_PREPROCESS && in.bool("plan declared")) {
            o.planSha256 = in.raw(32, "planSha256");
            o.manifestSha256 = in.raw(32, "manifestSha256");
            o.declaredLease = in.i64("declaredLease");
        }
        return o;
    }
}
