package io.verigrid.cli;

import io.verigrid.ledger.AccountView;
import io.verigrid.ledger.JobView;
import io.verigrid.ledger.Params;
import io.verigrid.verify.CheatEconomics;
import java.util.Locale;

/**
 * Why cheating this job does not pay (spec §5), as the job report prints it. The cheapest cheat is to skip one
 * unit's compute and commit a made-up root: it saves C, about the unit's price. A verifier samples the unit with
 * probability p; if caught, the provider loses the slash S and the unit's reward R. Cheating loses when
 * p·(S + R) &gt; C; the margin is p·(S + R) − C.
 *
 * @param samplePpm    the job's sampling rate in parts per million (what the chain gave it)
 * @param p            samplePpm / 10^6
 * @param slash        S: the slash of the lessee's stake, or of the minimum provider stake before a lease
 * @param slashPpm     the share of that stake a lost dispute takes, in parts per million
 * @param slashBasis   which stake S is taken from
 * @param reward       R: the price of one unit, forfeited when caught
 * @param cheatGain    C: what skipping one unit's compute saves, taken as its price
 * @param expectedLoss p·(S + R)
 * @param margin       expectedLoss − C
 * @param cheatingLoses whether the margin is positive
 */
record JobEconomics(int samplePpm, double p, long slash, int slashPpm, String slashBasis, long reward, long cheatGain,
                    double expectedLoss, double margin, boolean cheatingLoses) {

    static JobEconomics of(JobView job, Params params, AccountView lessee) {
        long stake = lessee == null ? params.minProviderStake() : lessee.stake();
        String basis = (lessee == null ? "the minimum provider stake of " : "the lessee's stake of ")
                + LedgerOptions.tokens(stake) + " tokens";
        long slash = Params.ppmOf(stake, params.slashPpm());
        long unitPrice = job.pricePerUnit();
        double p = job.samplePpm() / (double) Params.PPM;
        CheatEconomics e = new CheatEconomics(p, slash, unitPrice, unitPrice, 0);
        return new JobEconomics(job.samplePpm(), p, slash, params.slashPpm(), basis, unitPrice, unitPrice, e.expectedLoss(), e.margin(),
                e.cheatingLoses());
    }

    String text() {
        return String.format(Locale.ROOT, """
                  sampling p          %s (%d ppm)
                  slash S             %s tokens (%s of %s)
                  reward R            %s tokens per unit
                  cheapest cheat C    %s tokens (skip one unit's compute)
                  expected loss       p·(S + R) = %s tokens
                  margin              %s tokens: %s""",
                trim(p), samplePpm, LedgerOptions.tokens(slash), trim(slashPpm / 1e4) + " %", slashBasis, LedgerOptions.tokens(reward), LedgerOptions.tokens(cheatGain), tokens(expectedLoss),
                (margin > 0 ? "+" : "") + tokens(margin), cheatingLoses ? "cheating loses" : "CHEATING PAYS");
    }

    private static String trim(double v) {
        return String.format(Locale.ROOT, "%.6f", v).replaceAll("0+$", "").replaceAll("\\.$", "");
    }

    private static String tokens(double units) {
        return trim(units / Params.UNITS_PER_TOKEN);
    }
}
