package io.verigrid.ledger;

import io.verigrid.ledger.tx.ByteWriter;

/**
 * The compute market's rules in numbers. Amounts are base units, durations blocks, fractions parts per million.
 * Fixed in code (and in the state root), so every peer enforces the same deadlines.
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

    void write(ByteWriter out) {
        out.i64(bidDeposit).i32(heartbeatBlocks).i32(missedHeartbeats).i32(failSlashPpm).i64(nominalBlockMillis)
                .i32(deadlineSlack).i32(deadlineGraceBlocks).i64(maxUnitPrice).i64(maxMemoryBytes).i64(maxMflops)
                .i32(maxAuctionBlocks).i32(maxDeadlineBlocks);
    }
}
