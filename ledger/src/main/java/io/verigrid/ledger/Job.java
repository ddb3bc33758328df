package io.verigrid.ledger;

import io.verigrid.engine.TrainingJob;
import io.verigrid.ledger.tx.ByteReader;
import io.verigrid.ledger.tx.ByteWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** One training job's mutable ledger entry: escrow, lease and the committed units. */
final class Job {
    /** AUCTION and CANCELLED belong to market orders: the job waits for its auction, or its buyer withdrew it. */
    enum Status { OPEN, LEASED, DONE, AUCTION, CANCELLED }

    /** Unit {@code unit}'s commitment: R_unit, who committed it and when, and whether it was verified (and paid). */
    record Commit(byte[] root, long height, String provider, boolean verified, long paid, long verifiedHeight,
                  String verifiedBy) {
        Commit verify(long amount, long height, String by) {
            return new Commit(root, this.height, provider, true, amount, height, by);
        }
    }

    final long id;
    final String buyer;
    /** The job kind's wire code ({@link TrainingJob.Kind#code()}), which says which codec {@code spec} is in. */
    final int kind;
    final byte[] spec;
    final long price;
    final int samplePpm;
    /** Units to commit; a preprocessing job's first shard commitment lowers it to the plan's shard count. */
    int units;
    final int interval;
    final byte[] r0;
    final byte[] datasetRoot;
    final long postedHeight;
    Status status = Status.OPEN;
    String lessee;
    long escrow;
    long paid;
    long openDispute;
    /** The leased price per unit of a market job; 0 for a first-come job, which pays price / units. */
    long unitPrice;
    final List<Commit> commits = new ArrayList<>();
    final TreeSet<String> banned = new TreeSet<>();

    Job(long id, String buyer, int kind, byte[] spec, long price, int samplePpm, int units, int interval, byte[] r0,
        byte[] datasetRoot, long postedHeight) {
        this.id = id;
        this.buyer = buyer;
        this.kind = kind;
        this.spec = spec;
        this.price = price;
        this.samplePpm = samplePpm;
        this.units = units;
        this.interval = interval;
        this.r0 = r0;
        this.datasetRoot = datasetRoot;
        this.postedHeight = postedHeight;
    }

    /** The spec, decoded by its kind's codec (it was checked when the job was opened). */
    TrainingJob trainingJob() {
        return TrainingJob.decode(kind, spec);
    }

    /** What each verified unit pays; the rounding remainder goes back to the buyer when the job is done. */
    long pricePerUnit() {
        return unitPrice > 0 ? unitPrice : price / units;
    }

    /** R_unit as committed, R_0 for unit 0. */
    byte[] rootAfter(int unit) {
        return unit == 0 ? r0 : commits.get(unit - 1).root();
    }

    int verifiedUnits() {
        return (int) commits.stream().filter(Commit::verified).count();
    }

    Job copy() {
        Job c = new Job(id, buyer, kind, spec, price, samplePpm, units, interval, r0, datasetRoot, postedHeight);
        c.status = status;
        c.lessee = lessee;
        c.escrow = escrow;
        c.paid = paid;
        c.openDispute = openDispute;
        c.unitPrice = unitPrice;
        c.commits.addAll(commits);
        c.banned.addAll(banned);
        return c;
    }

    void write(ByteWriter out) {
        out.i64(id).string(buyer).bytes(spec).i64(price).i32(samplePpm).i32(units).i32(interval).raw(r0)
                .raw(datasetRoot).i64(postedHeight).u8(status.ordinal()).bool(lessee != null);
        if (lessee != null) out.string(lessee);
        out.i64(escrow).i64(paid).i64(openDispute).i32(commits.size());
        for (Commit c : commits) {
            out.raw(c.root()).i64(c.height()).string(c.provider()).bool(c.verified()).i64(c.paid())
                    .i64(c.verifiedHeight()).string(c.verifiedBy());
        }
        out.i32(banned.size());
        banned.forEach(out::string);
        out.i64(unitPrice).i32(kind);
    }

    static Job read(ByteReader in) {
        long id = in.i64("id");
        String buyer = in.string("buyer");
        byte[] spec = in.bytes("spec");
        long price = in.i64("price");
        int samplePpm = in.i32("samplePpm");
        int units = in.i32("units");
        int interval = in.i32("interval");
        byte[] r0 = in.raw(32, "r0");
        byte[] datasetRoot = in.raw(32, "datasetRoot");
        long postedHeight = in.i64("postedHeight");
        Status status = Status.values()[in.u8("status")];
        String lessee = in.bool("lessee present") ? in.string("lessee") : null;
        long escrow = in.i64("escrow");
        long paid = in.i64("paid");
        long openDispute = in.i64("openDispute");
        List<Commit> commits = new ArrayList<>();
        for (int i = in.count("commits", 32); i > 0; i--) {
            commits.add(new Commit(in.raw(32, "root"), in.i64("height"), in.string("provider"), in.bool("verified"),
                    in.i64("paid"), in.i64("verifiedHeight"), in.string("verifiedBy")));
        }
        TreeSet<String> banned = new TreeSet<>();
        for (int i = in.count("banned", 2); i > 0; i--) banned.add(in.string("banned"));
        long unitPrice = in.i64("unitPrice");
        Job j = new Job(id, buyer, in.i32("kind"), spec, price, samplePpm, units, interval, r0, datasetRoot, postedHeight);
        j.status = status;
        j.lessee = lessee;
        j.escrow = escrow;
        j.paid = paid;
        j.openDispute = openDispute;
        j.unitPrice = unitPrice;
        j.commits.addAll(commits);
        j.banned.addAll(banned);
        return j;
    }
}
