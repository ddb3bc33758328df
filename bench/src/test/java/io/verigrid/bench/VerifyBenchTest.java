package io.verigrid.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code verigrid bench verify --quick --json} runs every job kind end to end and prints the overhead figures. */
class VerifyBenchTest {
    @Test
    void theQuickRunReportsAnOverheadForEveryKindAtTheDefaultRate() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        int code;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            code = BenchMain.commandLine().execute("verify", "--quick", "--json", "--threads", "1");
        } finally {
            System.setOut(stdout);
        }
        String[] lines = captured.toString(StandardCharsets.UTF_8).strip().split("\n");
        assertEquals(0, code, String.join("\n", lines));
        JsonNode json = new ObjectMapper().readTree(lines[lines.length - 1]);
        assertEquals(0.0075, json.path("default_sampling_p").asDouble());
        double worst = 0;
        for (String kind : new String[] {"training", "finetuning", "preprocessing"}) {
            double pct = json.path("overhead_pct_" + kind).asDouble(-1);
            assertTrue(pct > 0 && Double.isFinite(pct), kind + ": " + pct);
            worst = Math.max(worst, pct);
            assertTrue(json.path("kinds").path(kind).path("verifiedUnits").asInt() >= 1, kind);
        }
        assertEquals(worst, json.path("verification_overhead_pct").asDouble());
    }
}
