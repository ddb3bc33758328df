package io.verigrid.ledger;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class MarketSoakTest {
    @Test
    void randomBuyersAndProvidersNeverDoubleLeaseOrOverdrawEscrow() {
        MarketSoak.Report r = MarketSoak.run(12, 400, 20261124L);
        assertTrue(r.passed(), String.join("\n", r.firstFailures()));
        assertEquals(12 * 400, r.steps());
        assertTrue(r.leases() > r.failedLeases() && r.failedLeases() > 0 && r.completedOrders() > 0,
                "leases must be won, fail and complete: " + r);
        assertTrue(r.accepted() > 500, "the interleavings must mostly be real market traffic, got " + r.accepted() + " accepted");
    }
}
