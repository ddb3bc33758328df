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
    private static final String TORCH_JSON = "{\"torch\": \"1.13.0\", \"threads\": 2,"
            + " \"gemm\": {\"1024\": {\"seconds\": 0.01, \"new_output_seconds\": 0.012}},"
            + " \"gemv\": {\"4096x4096\": {\"seconds\": 0.004}}, \"mlp_step_seconds\": 0.0001,"
            + " \"llama\": {\"llama15m_train_step\": {\"seconds\": 0.2, \"loss\": 10.5, \"weights_bit_checksum\": 42},"
            + " \"llama110m_forward\": {\"seconds\": 0.3, \"logits_sum_squares\": 7.0, \"weights_bit_checksum\": 41}},"
            + " \"blas\": {\"loaded\": [\"/usr/lib/libopenblasp-r0.3.21.so\"], \"build\": \"BLAS_INFO=generic\"}}";

    private static EngineResults results(TorchReference.Outcome torch) {
        Map<String, Double> gemm = new LinkedHashMap<>();
        gemm.put("1024", 0.005);
        Map<String, Double> gemmNewOutput = new LinkedHashMap<>();
        gemmNewOutput.put("1024", 0.006);
        Map<String, Double> gemv = new LinkedHashMap<>();
        gemv.put("4096x4096", 0.008);
        List<EngineResults.Llama> llamas = List.of(
                new EngineResults.Llama("llama15m_train_step", "dim 288", true, 0.1, 10.5, 42),
                new EngineResults.Llama("llama110m_forward", "dim 768", false, 0.6, 7.0, 40));
        return new EngineResults("cpu", 2, 2, "17", "vector 512-bit", 400, 20, gemm, gemmNewOutput, gemv, "mlp-demo",
                0.0002, llamas, torch);
    }

    @Test
    void theJsonHasEveryHeadlineFigureAndRatiosAboveOneMeanVerigridIsFaster() {
        JsonNode json = EngineReport.json(results(TorchReference.parse(TORCH_JSON, 0)));
        double gflops = 2.0 * 1024 * 1024 * 1024 / 0.005 / 1e9;
        assertEquals(gflops, json.get("gemm1024_gflops").asDouble(), 1e-9);
        assertEquals(2.0, json.get("gemm1024_vs_pytorch").asDouble(), 1e-12);
        assertEquals(gflops / 400, json.get("gemm1024_peak_fraction").asDouble(), 1e-12);
        assertEquals(2.0 * 1024 * 1024 * 1024 / 0.006 / 1e9, json.get("gemm1024_new_output_gflops").asDouble(), 1e-9);
        assertEquals(2.0, json.get("gemm1024_new_output_vs_pytorch").asDouble(), 1e-12);
        assertEquals(400, json.get("peak_gflops").asDouble());
        assertEquals(0.5, json.get("gemv").get("4096x4096").get("vs_pytorch").asDouble(), 1e-12);
        assertEquals(4.0 * 4096 * 4096 / 0.008 / 1e9, json.get("gemv_gb_s").asDouble(), 1e-9);
        assertEquals(4.0 * 4096 * 4096 / 0.008 / 1e9 / 20, json.get("gemv_bandwidth_fraction").asDouble(), 1e-9);
        assertEquals(0.5, json.get("mlp_step_vs_pytorch").asDouble(), 1e-12);
        assertEquals(2.0, json.get("train_step_vs_pytorch").asDouble(), 1e-12);
        assertTrue(json.get("train_step_model").asText().startsWith("llama15m_train_step"));
        assertTrue(json.get("llama").get("llama15m_train_step").get("same_weights").asBoolean());
        assertFalse(json.get("llama").get("llama110m_forward").get("same_weights").asBoolean());
        assertEquals(0.5, json.get("llama110m_forward_vs_pytorch").asDouble(), 1e-12);
        assertTrue(json.get("reference_blas").asText().contains("openblas"));
    }

    @Test
    void withoutPyTorchTheRatiosAreNullAndTheReasonIsSaid() {
        TorchReference.Outcome missing = TorchReference.run(Path.of("/nonexistent/python3"), 2, List.of(1024),
                List.of(new int[] {4096, 4096}), new int[] {16, 64, 4, 64}, List.of(), 10, 1, 1);
        assertFalse(missing.available());
        assertTrue(missing.reason().contains("/nonexistent/python3"), missing.reason());
        JsonNode json = EngineReport.json(results(missing));
        assertTrue(json.get("gemm1024_vs_pytorch").isNull());
        assertTrue(json.get("gemm1024_new_output_vs_pytorch").isNull());
        assertTrue(json.get("train_step_vs_pytorch").isNull());
        assertTrue(json.get("reference_blas").isNull());
        assertTrue(json.get("gemm1024_gflops").asDouble() > 0);
        assertTrue(EngineReport.table(results(missing)).contains("reference: none"));
    }

    @Test
    void aReferenceThatFailsShowsTheLastLineOfItsErrors() {
        // A shell is no Python: it fails on the script (or on -I) and says why on standard error.
        TorchReference.Outcome failed = TorchReference.gemm(Path.of("/bin/sh"), 2, List.of(64), 10, 1);
        assertFalse(failed.available());
        assertTrue(failed.reason().startsWith("the PyTorch reference failed (exit "), failed.reason());
        assertFalse(failed.reason().startsWith("the PyTorch reference failed (exit 0)"), failed.reason());
        assertTrue(failed.reason().contains("(stderr: ") && failed.reason().endsWith(")"), failed.reason());
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

    @Test
    void warmUpOutlastsAQuarterSecondOfJitQuietEvenForAnInstantWorkload() {
        // Three calls of a microsecond workload agree long before C2 has compiled it; warm-up must not stop there.
        long start = System.nanoTime();
        Timing.warmUp(() -> { }, 0);
        assertTrue(System.nanoTime() - start >= 250_000_000L);
    }

    @Test
    void gemmRoundsTakeEachSidesMedianAndReplaceOnlyTheReferencesGemm() {
        GemmRounds rounds = new GemmRounds();
        rounds.addVerigrid(1024, new double[] {0.010, 0.012});
        rounds.addVerigrid(1024, new double[] {0.008, 0.011});
        rounds.addVerigrid(1024, new double[] {0.009, 0.020});
        for (double seconds : new double[] {0.007, 0.009, 0.006}) {
            rounds.addTorch(TorchReference.parse("{\"gemm\":{\"1024\":{\"seconds\":" + seconds
                    + ",\"new_output_seconds\":" + 2 * seconds + "}}}", 0));
        }
        rounds.addTorch(TorchReference.parse("{\"error\":\"torch is not installed\"}", 3));
        assertEquals(0.009, rounds.verigridSeconds(false).get("1024"));
        assertEquals(0.012, rounds.verigridSeconds(true).get("1024"));

        TorchReference.Outcome merged = rounds.mergeInto(
                TorchReference.parse("{\"gemm\":{},\"gemv\":{\"4x4\":{\"seconds\":1.5}}}", 0));
        assertEquals(0.007, merged.json().path("gemm").path("1024").path("seconds").asDouble());
        assertEquals(0.014, merged.json().path("gemm").path("1024").path("new_output_seconds").asDouble());
        assertEquals(3, merged.json().path("gemm").path("1024").path("rounds").asInt());
        assertEquals(1.5, merged.json().path("gemv").path("4x4").path("seconds").asDouble());
        assertFalse(rounds.mergeInto(TorchReference.parse("", 1)).available());
    }
}
