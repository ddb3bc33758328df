package io.verigrid.ledger;

import java.util.List;

/**
 * A score report: who published which scores for which evaluation block, and its status (OPEN, UPHELD,
 * OVERTURNED); on the LM subnet also the miners' model commitments (hex, "" for none) the scores are about.
 */
public record ScoreReportView(int netuid, long id, String validator, long evalBlock, List<Integer> scores, List<String> commitments,
                              long height, String status) {

    static ScoreReportView of(int netuid, Subnet.ScoreReport r) {
        return new ScoreReportView(netuid, r.id(), r.validator(), r.evalBlock(),
                java.util.Arrays.stream(r.scores()).boxed().toList(),
                r.commitments().stream().map(io.verigrid.verify.Hashes::hex).toList(), r.height(), r.status());
    }
}
