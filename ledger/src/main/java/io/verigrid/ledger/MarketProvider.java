package io.verigrid.ledger;

import io.verigrid.ledger.tx.ByteReader;
import io.verigrid.ledger.tx.ByteWriter;

/** A registered provider: where its node listens, what it measured, and the market's record of its leases. */
final class MarketProvider {
    final String address;
    String url;
    long mflops;
    long memoryBytes;
    long diskBytes;
    long registeredHeight;
    long measuredHeight;
    /** Its claim as the market believes it: halved for every unit deadline it missed. */
    int claimPpm = Params.PPM;
    long leasesWon;
    long leasesCompleted;
    long leasesFailed;
    long deadlinesMissed;
    long heartbeats;
    /** Blocks spent holding active leases: what heartbeats are expected over. */
    long leaseBlocks;
    long stakeDocked;

    MarketProvider(String address) {
        this.address = address;
    }

    long effectiveMflops() {
        return Math.max(1, Params.ppmOf(mflops, claimPpm));
    }

    MarketProvider copy() {
        MarketProvider c = new MarketProvider(address);
        c.url = url;
        c.mflops = mflops;
        c.memoryBytes = memoryBytes;
        c.diskBytes = diskBytes;
        c.registeredHeight = registeredHeight;
        c.measuredHeight = measuredHeight;
        c.claimPpm = claimPpm;
        c.leasesWon = leasesWon;
        c.leasesCompleted = leasesCompleted;
        c.leasesFailed = leasesFailed;
        c.deadlinesMissed = deadlinesMissed;
        c.heartbeats = heartbeats;
        c.leaseBlocks = leaseBlocks;
        c.stakeDocked = stakeDocked;
        return c;
    }

    void write(ByteWriter out) {
        out.string(address).string(url).i64(mflops).i64(memoryBytes).i64(diskBytes).i64(registeredHeight)
                .i64(measuredHeight).i32(claimPpm).i64(leasesWon).i64(leasesCompleted).i64(leasesFailed)
                .i64(deadlinesMissed).i64(heartbeats).i64(leaseBlocks).i64(stakeDocked);
    }

    static MarketProvider read(ByteReader in) {
        MarketProvider p = new MarketProvider(in.string("address"));
        p.url = in.string("url");
        p.mflops = in.i64("mflops");
        p.memoryBytes = in.i64("memoryBytes");
        p.diskBytes = in.i64("diskBytes");
        p.registeredHeight = in.i64("registeredHeight");
        p.measuredHeight = in.i64("measuredHeight");
        p.claimPpm = in.i32("claimPpm");
        p.leasesWon = in.i64("leasesWon");
        p.leasesCompleted = in.i64("leasesCompleted");
        p.leasesFailed = in.i64("leasesFailed");
        p.deadlinesMissed = in.i64("deadlinesMissed");
        p.heartbeats = in.i64("heartbeats");
        p.leaseBlocks = in.i64("leaseBlocks");
        p.stakeDocked = in.i64("stakeDocked");
        return p;
    }
}
