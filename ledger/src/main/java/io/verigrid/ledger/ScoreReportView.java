package io.verigrid.ledger;

import java.util.List;

/** A model-quality score report: who published which scores for which evaluation block, and its status (OPEN, UPHELD, OVERTURNED). */
public record ScoreReportView(int netuid, long id, String validator, long evalBlock, List<Integer> scores, long height, String status) {

    static ScoreReportView of(int netuid, Subnet.ScoreReport r) {
        return new ScoreReportView(netuid, r.id(), r.validator(), r.evalBlock(),
                java.util.Arrays.stream(r.scores()).boxed().toList(), r.height(), r.status());
    }
}
