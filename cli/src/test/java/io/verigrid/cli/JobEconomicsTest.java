package io.verigrid.cli;

import static org.junit.jupiter.api.Assertions.*;

import io.verigrid.ledger.JobView;
import io.verigrid.ledger.Params;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The job report's cheating economics: p, S, R, C, the expected loss and the margin of spec §5. */
class JobEconomicsTest {
    private static final long TOKEN = Params.UNITS_PER_TOKEN;

    private static JobView job(long pricePerUnit, int samplePpm) {
        return new JobView(1, "OPEN", "b", null, 10, 20, 10 * pricePerUnit, pricePerUnit, samplePpm, 10 * pricePerUnit,
                0, 1, 0, List.of(), "", "", "", List.of(), 0, 1, "mlp");
    }

    @Test
    void atTheDefaultRateAUnitAtTheSecuredPriceLosesMoneyForTheCheat() {
        JobEconomics e = JobEconomics.of(job(TOKEN / 4, Params.DEFAULT_SAMPLE_PPM), Params.defaults(), null);
        assertEquals(50 * TOKEN, e.slash(), "half the 100-token minimum stake");
        assertEquals(0.0075 * (50 * TOKEN + TOKEN / 4), e.expectedLoss(), 1e-3);
        assertEquals(0.0075 * (50 * TOKEN + TOKEN / 4) - TOKEN / 4, e.margin(), 1e-3);
        assertTrue(e.cheatingLoses());
        String text = e.text();
        assertTrue(text.contains("sampling p          0.0075 (7500 ppm)"), text);
        assertTrue(text.contains("slash S             50 tokens (50 % of the minimum provider stake of 100 tokens)"), text);
        assertTrue(text.contains("cheapest cheat C    0.25 tokens"), text);
        assertTrue(text.contains("expected loss       p·(S + R) = 0.376875 tokens"), text);
        assertTrue(text.contains("margin              +0.126875 tokens: cheating loses"), text);
    }

    @Test
    void aJobSampledTooRarelyForItsPriceIsReportedAsPaying() {
        JobEconomics e = JobEconomics.of(job(10 * TOKEN, 10_000), Params.defaults(), null);
        assertFalse(e.cheatingLoses());
        assertTrue(e.text().contains("CHEATING PAYS"), e.text());
    }
}
