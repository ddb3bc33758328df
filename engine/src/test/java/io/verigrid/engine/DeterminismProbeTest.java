package io.verigrid.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DeterminismProbeTest {
    private static String probe(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            DeterminismProbe.main(args);
        } finally {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8).trim();
    }

    @Test
    void theProbePrintsOneDigestLineThatIsTheSameForAnyThreadCount() {
        String one = probe("--threads", "1", "--steps", "20");
        assertEquals(one, probe("--steps", "20", "--threads", "3"));
        // Pinned: the line CI compares between -Xint and compiled code.
        assertEquals("digest 7dcc6e95d3a967762529d1e2ba81969a8ed1ab5e8198d6f6a7a0b66e28d683aa", one);
    }

    @Test
    void theProbeRejectsUnknownOptionsAndStepsBeyondTheJob() {
        assertThrows(IllegalArgumentException.class, () -> probe("--fast", "1"));
        assertThrows(IllegalArgumentException.class, () -> probe("--threads"));
        assertThrows(IllegalArgumentException.class, () -> probe("--steps", "201"));
    }
}
