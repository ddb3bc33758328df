package io.verigrid.ledger;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** 10^5 random and mutated inputs; {@code verigrid ledger fuzz --count 1000000} runs the long version. */
class LedgerFuzzTest {
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void hundredThousandHostileInputsNeverEscapeTheDecoderOrChangeTheState() {
        LedgerFuzz.Report report = LedgerFuzz.run(100_000, 20260401L);
        assertTrue(report.passed(), report.failures() + " failures, first: " + report.firstFailures());
        assertTrue(report.decoded() > 5_000, "mutations must also reach the rules, decoded only " + report.decoded());
    }
}
