package io.verigrid.ledger;

import java.util.List;

/** The market as queries show it: plain records, amounts in base units, heights in blocks. */
public final class MarketViews {
    private MarketViews() {}

    /**
     * A registered provider with its reputation as data: verified units and disputes won and lost are counted
     * from the jobs and disputes on the ledger; {@code uptimePpm} is heartbeats received over heartbeats expected
     * while it held leases.
     */
    public record ProviderView(String address, String url, long mflops, long effectiveMflops, int claimPpm,
                               long memoryBytes, long diskBytes, long registeredHeight, long measuredHeight, long stake,
                               long verifiedUnits, long disputesWon, long disputesLost, long leasesWon,
                               long leasesCompleted, long leasesFailed, long deadlinesMissed, long heartbeats,
                               int uptimePpm, long stakeDocked) {}

    /**
     * An order; {@code escrow}, {@code paid} and {@code verifiedUnits} are its job's. {@code datasetBlob} is the blob
     * the job's dataset is in (null when the spec's seed generates it) and {@code datasetReplicas} the nodes that
     * hold it.
     */
    public record OrderView(long id, String buyer, long jobId, String kind, String status, long maxUnitPrice, int units,
                            int samplePpm, long minMemoryBytes, long minMflops, int auctionBlocks, long postedHeight,
                            long deadlineHeight, int round, long auctionEndHeight, long leaseId, long unitFlops,
                            long escrow, long paid, int verifiedUnits, List<String> excluded, String datasetBlob,
                            List<String> datasetReplicas) {}

    public record BidView(long id, long orderId, int round, String provider, long unitPrice, long deposit, long height,
                          String status) {}

    /** A lease; {@code providerUrl} is where the lessee's node serves the job's checkpoints and results. */
    public record LeaseView(long id, long orderId, long jobId, String provider, String providerUrl, long unitPrice,
                            long startHeight, long unitBlocks, long lastHeartbeat, long unitDeadline, String status,
                            long endHeight, String reason) {}
}
