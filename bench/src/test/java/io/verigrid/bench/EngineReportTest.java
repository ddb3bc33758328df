package io.verigrid.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EngineReportTest {
    private static final String TORCH_JSON = "{\"torch\": \"1.13.0\", \"threads\": 2, \"gemm\": {\"1024\": {\"seconds\": 0.01}},"
            + " \"gemv\": {\"4096x4096\": {\"seconds\": 0.004}}, \"mlp_step_seconds\": 0.0001,"
            + " \"blas\": {\"loaded\": [\"/usr/lib/libopenblasp-r0.3.21.so\"], \"build\": \"BLAS_INFO=generic\"}}";

    private static EngineResults results(TorchReference.Outcome torch) {
        Map<String, Double> gemm = new LinkedHashMap<>();
        gemm.put("1024", 0.005);
        Map<String, Double> gemv = new LinkedHashMap<>();
        gemv.put("4096x4096", 0.008);
        return new EngineResults("cpu", 2, 2, "17", "vector 512-bit", 400, gemm, gemv, "mlp-demo", 0.0002, torch);
    }

    @Test
    void theJsonHasEveryHeadlineFigureAndRatiosAboveOneMeanVerigridIsFaster() {
        JsonNode json = EngineReport.json(results(TorchReference.parse(TORCH_JSON, 0)));
        double gflops = 2.0 * 1024 * 1024 * 1024 / 0.005 / 1e9;
        assertEquals(gflops, json.get("gemm1024_gflops").asDouble(), 1e-9);
        assertEquals(2.0, json.get("gemm1024_vs_pytorch").asDouble(), 1e-12);
        assertEquals(gflops / 400, json.get("gemm1024_peak_fraction").asDouble(), 1e-12);
        assertEquals(400, json.get("peak_gflops").asDouble());
        assertEquals(0.5, json.get("gemv").get("4096x4096").get("vs_pytorch").asDouble(), 1e-12);
        assertEquals(4.0 * 4096 * 4096 / 0.008 / 1e9, json.get("gemv_gb_s").asDouble(), 1e-9);
        assertEquals(0.5, json.get("train_step_vs_pytorch").asDouble(), 1e-12);
        assertEquals("mlp-demo", json.get("train_step_model").asText());
        assertTrue(json.get("reference_blas").asText().contains("openblas"));
    }

    @Test
    void withoutPyTorchTheRatiosAreNullAndTheReasonIsSaid() {
        TorchReference.Outcome missing = TorchReference.run(Path.of("/nonexistent/python3"), 2, List.of(1024),
                List.of(new int[] {4096, 4096}), new int[] {16, 64, 4, 64}, 10, 1);
        assertFalse(missing.available());
        assertTrue(missing.reason().contains("/nonexistent/python3"), missing.reason());
        JsonNode json = EngineReport.json(results(missing));
        assertTrue(json.get("gemm1024_vs_pytorch").isNull());
        assertTrue(json.get("train_step_vs_pytorch").isNull());
        assertTrue(json.get("reference_blas").isNull());
        assertTrue(json.get("gemm1024_gflops").asDouble() > 0);
        assertTrue(EngineReport.table(results(missing)).contains("reference: none"));
    }

    @Test
    void aScriptErrorOrGarbageBecomesAReasonNotAnException() {
        assertEquals("torch is not installed", TorchReference.parse("{\"error\": \"torch is not installed\"}", 3).reason());
        assertTrue(TorchReference.parse("Traceback ...", 1).reason().contains("exit 1"));
        assertFalse(TorchReference.parse("", 0).available());
    }

    @Test
    void timingTakesTheMedianAndRejectsNoRuns() {
        assertEquals(2.0, Timing.median(new double[] {3, 1, 2}));
        assertEquals(2.5, Timing.median(new double[] {4, 1, 2, 3}));
        assertThrows(IllegalArgumentException.class, () -> Timing.medianSeconds(() -> { }, 0, 0));
        assertTrue(Timing.medianSeconds(() -> { }, 0, 3) >= 0);
    }
}
