package io.verigrid.node.inference;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.verigrid.ledger.Params;
import io.verigrid.verify.CheatEconomics;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The defaults of the embedded network make cheating on any share f of requests lose money: the expected loss per
 * cheated request p·(S + R) exceeds the most a cheat can save, C = R, for a request that fills a large context —
 * and the change in profit, f·N·(C − p·(S + R)), is then negative for every f &gt; 0 (docs/protocol.md, "Economics").
 */
class InferenceEconomicsTest {
    @Test
    void theDefaultSamplingRateAndSlashMakeEveryCheatingRateLoseMoney() {
        InferenceNetwork.Options defaults = InferenceNetwork.Options.defaults(Path.of("m"), Path.of("d"));
        Params params = InferenceNetwork.params(defaults);
        long stake = 150 * InferenceNetwork.TOKEN; // what the network's provider stakes
        long slash = Params.ppmOf(stake, params.slashPpm());
        long price = defaults.pricePerToken() * 4_096; // a request filling a 4 096-token context
        CheatEconomics economics = new CheatEconomics(defaults.samplePpm() / 1e6, slash, price, price, 0);
        assertTrue(economics.cheatingLoses(), "margin " + economics.margin());
        for (double f : new double[] {1e-6, 0.01, 0.5, 1}) {
            double profitChange = f * 1_000 * (price - economics.expectedLoss());
            assertTrue(profitChange < 0, "cheating on a share " + f + " of 1000 requests changes profit by " + profitChange);
        }
        assertTrue(economics.expectedLoss() > 900 * price, "the margin is wide: " + economics.expectedLoss() / price + "× C");
    }
}
