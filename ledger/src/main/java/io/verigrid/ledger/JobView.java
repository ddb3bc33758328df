package io.verigrid.ledger;

import java.util.List;

/**
 * A job as queries show it. {@code status} is OPEN, LEASED or DONE; {@code nextUnit} is the unit the lessee
 * commits next; {@code r0} and {@code datasetRoot} follow from {@code jobSpec} (hex of the spec's {@code encode()},
 * in the codec of job kind {@code kind}: mlp, lm);
 * {@code openDisputeId} is 0 when no dispute is open.
 */
public record JobView(long id, String status, String buyer, String lessee, int units, int checkpointInterval,
                      long price, long pricePerUnit, int samplePpm, long escrow, long paid, int nextUnit,
                      int verifiedUnits, List<UnitView> commits, String r0, String datasetRoot, String jobSpec,
                      List<String> bannedProviders, long openDisputeId, long postedHeight, String kind) {
    /** The spec, decoded by its kind's codec. */
    public io.verigrid.engine.TrainingJob spec() {
        return io.verigrid.engine.TrainingJob.decode(io.verigrid.engine.TrainingJob.Kind.ofTag(kind),
                java.util.HexFormat.of().parseHex(jobSpec));
    }
}
