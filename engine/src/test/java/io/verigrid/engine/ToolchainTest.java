package io.verigrid.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ToolchainTest {
    @Test
    void fmaRoundsOnce() {
        // 0.1f*10f rounds to 1.0f when the product is rounded first, but FMA keeps the exact product.
        assertEquals(1.4901161E-8f, Math.fma(0.1f, 10f, -1f));
    }
}
