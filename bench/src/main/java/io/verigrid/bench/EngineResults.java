package io.verigrid.bench;

import java.util.List;
import java.util.Map;

/**
 * What one {@code bench engine} run measured. Seconds are medians; sizes and shapes key the maps in the order run
 * ({@code "1024"}, {@code "4096x4096"} for x (1×4096) · W (4096×4096)).
 */
record EngineResults(
        String cpu,
        int cores,
        int threads,
        String jdk,
        String kernel,
        double peakGflops,
        Map<String, Double> gemmSeconds,
        Map<String, Double> gemvSeconds,
        String trainStepModel,
        double trainStepSeconds,
        TorchReference.Outcome torch) {

    static String gemvKey(int k, int n) {
        return k + "x" + n;
    }

    /** Floating-point operations of an n×n GEMM. */
    static double gemmFlops(String size) {
        double n = Integer.parseInt(size);
        return 2 * n * n * n;
    }

    /** Bytes of weights a GEMV streams: k×n float32. */
    static double gemvBytes(String shape) {
        List<String> dims = List.of(shape.split("x"));
        return 4.0 * Long.parseLong(dims.get(0)) * Long.parseLong(dims.get(1));
    }

    /** PyTorch's median seconds for a workload, or {@code null} without a reference. */
    Double torchSeconds(String section, String key) {
        if (!torch.available() || !torch.json().path(section).has(key)) {
            return null;
        }
        return torch.json().path(section).path(key).path("seconds").asDouble();
    }

    Double torchTrainStepSeconds() {
        return torch.available() && torch.json().has("mlp_step_seconds")
                ? torch.json().get("mlp_step_seconds").asDouble()
                : null;
    }

    /** The BLAS library files the PyTorch process had loaded, or {@code null}. */
    String referenceBlas() {
        if (!torch.available()) {
            return null;
        }
        StringBuilder libs = new StringBuilder();
        torch.json().path("blas").path("loaded").forEach(lib -> libs.append(libs.length() == 0 ? "" : " ").append(lib.asText()));
        String build = torch.json().path("blas").path("build").asText("");
        return (libs.length() == 0 ? "unknown" : libs.toString()) + (build.isEmpty() ? "" : " (" + build + ")");
    }
}
