package io.verigrid.ledger;

import io.verigrid.ledger.tx.ByteWriter;

/**
 * The compute market's rules in numbers. Amounts are base units, durations blocks, fractions parts per million.
 * Set in the genesis ({@code market}, defaults {@link #defaults()}) and part of the state root, so every peer
 * enforces the same deadlines. A chain cutting blocks faster than one a second scales the block counts with it:
 * heartbeat liveness is measured in blocks, and a lease must not fail because a busy machine stalled for the
 * handful of milliseconds a fast block lasts.
 *
 * @param bidDeposit          locked by every bid; returned to losers at the auction's close and to the winner
 *                            when its lease completes or the buyer cancels; paid to the buyer if the lease fails
 * @param heartbeatBlocks     a lessee sends a {@code Heartbeat} at least this often
 * @param missedHeartbeats    a lease fails once {@code heartbeatBlocks × missedHeartbeats} blocks pass without one
 * @param failSlashPpm        fraction of a failed lessee's stake (then unbonding) that is docked and burned
 * @param nominalBlockMillis  the block interval deadlines are computed against (the leader may cut faster)
 * @param deadlineSlack       a unit's deadline is this many times the time its claimed throughput implies …
 * @param deadlineGraceBlocks … plus this many blocks (fetching data, JIT warm-up, committing)
 * @param maxUnitPrice        the highest price per unit an order may offer (anything above is a typo)
 * @param maxMemoryBytes      the most memory an order may require or a provider may claim
 * @param maxMflops           the most throughput an order may require or a provider may claim
 * @param maxAuctionBlocks    the longest auction round
 * @param maxDeadlineBlocks   the longest an order may wait for a lease
 */
public record MarketParams(long bidDeposit, int heartbeatBlocks, int missedHeartbeats, int failSlashPpm,
                           long nominalBlockMillis, int deadlineSlack, int deadlineGraceBlocks, long maxUnitPrice,
                           long maxMemoryBytes, long maxMflops, int maxAuctionBlocks, int maxDeadlineBlocks) {

    public MarketParams {
        positive("bidDeposit", bidDeposit);
        positive("heartbeatBlocks", heartbeatBlocks);
        positive("missedHeartbeats", missedHeartbeats);
        if (failSlashPpm < 0 || failSlashPpm > Params.PPM) {
            throw new IllegalArgumentException("failSlashPpm: " + failSlashPpm + " is not a fraction in parts per million");
        }
        positive("nominalBlockMillis", nominalBlockMillis);
        positive("deadlineSlack", deadlineSlack);
        if (deadlineGraceBlocks < 0) throw new IllegalArgumentException("deadlineGraceBlocks: " + deadlineGraceBlocks + " is negative");
        positive("maxUnitPrice", maxUnitPrice);
        positive("maxMemoryBytes", maxMemoryBytes);
        positive("maxMflops", maxMflops);
        positive("maxAuctionBlocks", maxAuctionBlocks);
        positive("maxDeadlineBlocks", maxDeadlineBlocks);
        if ((long) heartbeatBlocks * missedHeartbeats > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("heartbeatBlocks × missedHeartbeats overflows: " + heartbeatBlocks + " × " + missedHeartbeats);
        }
    }

    private static void positive(String field, long value) {
        if (value <= 0) throw new IllegalArgumentException(field + ": must be positive, got " + value);
    }

    public static MarketParams defaults() {
        return new MarketParams(
                Params.UNITS_PER_TOKEN,             // bidDeposit: 1 token
                5,                                  // heartbeatBlocks
                3,                                  // missedHeartbeats: 15 silent blocks fail a lease
                100_000,                            // failSlashPpm: a tenth of the stake
                1_000,                              // nominalBlockMillis
                4,                                  // deadlineSlack
                20,                                 // deadlineGraceBlocks
                1_000_000 * Params.UNITS_PER_TOKEN, // maxUnitPrice
                1L << 40,                           // maxMemoryBytes: 1 TiB
                1_000_000_000L,                     // maxMflops: 1 PFLOP/s
                1_000,                              // maxAuctionBlocks
                1_000_000);                         // maxDeadlineBlocks
    }

    /** Blocks a provider claiming {@code mflops} gets for one unit of {@code unitFlops}. */
    long unitBlocks(long unitFlops, long mflops) {
        // A provider of m MFLOP/s does m·1000 FLOP per millisecond; integers only, so every peer agrees.
        long flopsPerMilli = Math.multiplyExact(mflops, 1000L);
        long millis = (unitFlops + flopsPerMilli - 1) / flopsPerMilli;
        long blocks = (Math.multiplyExact(millis, (long) deadlineSlack) + nominalBlockMillis - 1) / nominalBlockMillis;
        return Math.min(blocks, maxDeadlineBlocks) + deadlineGraceBlocks;
    }

    /**
     * These parameters for a chain whose leader cuts a block every {@code blockMillis}: the heartbeat, grace and
     * auction block counts grow so they last as long as the defaults do at one block a second.
     */
    public static MarketParams forBlockMillis(long blockMillis) {
        MarketParams d = defaults();
        if (blockMillis <= 0 || blockMillis > d.nominalBlockMillis) {
            throw new IllegalArgumentException("blockMillis: must be in 1.." + d.nominalBlockMillis + ", got " + blockMillis);
        }
        long scale = d.nominalBlockMillis / blockMillis;
        return new MarketParams(d.bidDeposit, Math.toIntExact(d.heartbeatBlocks * scale), d.missedHeartbeats, d.failSlashPpm,
                blockMillis, d.deadlineSlack, Math.toIntExact(d.deadlineGraceBlocks * scale), d.maxUnitPrice, d.maxMemoryBytes,
                d.maxMflops, d.maxAuctionBlocks, d.maxDeadlineBlocks);
    }

    static MarketParams read(io.verigrid.ledger.tx.ByteReader in) {
        return new MarketParams(in.i64("bidDeposit"), in.i32("heartbeatBlocks"), in.i32("missedHeartbeats"), in.i32("failSlashPpm"),
                in.i64("nominalBlockMillis"), in.i32("deadlineSlack"), in.i32("deadlineGraceBlocks"), in.i64("maxUnitPrice"),
                in.i64("maxMemoryBytes"), in.i64("maxMflops"), in.i32("maxAuctionBlocks"), in.i32("maxDeadlineBlocks"));
    }

    void write(ByteWriter out) {
        out.i64(bidDeposit).i32(heartbeatBlocks).i32(missedHeartbeats).i32(failSlashPpm).i64(nominalBlockMillis)
                .i32(deadlineSlack).i32(deadlineGraceBlocks).i64(maxUnitPrice).i64(maxMemoryBytes).i64(maxMflops)
                .i32(maxAuctionBlocks).i32(maxDeadlineBlocks);
    }
}
