package io.verigrid.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The test runner starts its JVMs as the launcher does, and the check reads the flag through the option lock. */
class VectorJitTest {
    @Test
    void theTestJvmForcesC2sCleanupBetweenLateInlines() {
        assertTrue(VectorJit.cleanupForced(), "surefire's argLine should carry -XX:+IncrementalInlineForceCleanup");
    }
}
