package io.verigrid.bench;

import java.util.List;
import java.util.Map;

/**
 * What one {@code bench engine} run measured. Seconds are medians; sizes and shapes key the maps in the order run
 * ({@code "1024"}, {@code "4096x4096"} for x (1×4096) · W (4096×4096)). GEMMs run twice: into one reused output
 * (sgemm's contract, on both sides) and with a new output array per call (the operator path).
 */
record EngineResults(
        String cpu,
        int cores,
        int threads,
        String jdk,
        String kernel,
        double peakGflops,
        double bandwidthGbs,
        Map<String, Double> gemmSeconds,
        Map<String, Double> gemmNewOutputSeconds,
        Map<String, Double> gemvSeconds,
        String mlpModel,
        double mlpStepSeconds,
        List<Llama> llamas,
        TorchReference.Outcome torch) {

    /**
     * One Llama workload on Verigrid's side: median seconds, the check value PyTorch reports too (the sum of
     * squared logits of a forward, the loss of a training step) and the bit checksum of the weights it ran.
     */
    record Llama(String name, String shape, boolean trainStep, double seconds, double check, long weightBits) {
    }

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
        return torchSeconds(section, key, "seconds");
    }

    /** PyTorch's median of {@code field} ("seconds", or "new_output_seconds" for a GEMM), or {@code null}. */
    Double torchSeconds(String section, String key, String field) {
        if (!torch.available() || !torch.json().path(section).path(key).has(field)) {
            return null;
        }
        return torch.json().path(section).path(key).path(field).asDouble();
    }

    Double torchMlpStepSeconds() {
        return torch.available() && torch.json().has("mlp_step_seconds")
                ? torch.json().get("mlp_step_seconds").asDouble()
                : null;
    }

    /** The Llama training-step workload (the headline train step), or {@code null} when none ran. */
    Llama trainStep() {
        return llamas.stream().filter(Llama::trainStep).findFirst().orElse(null);
    }

    /** Whether PyTorch regenerated exactly the weights Verigrid ran for {@code llama}; null without a reference. */
    Boolean sameWeights(Llama llama) {
        if (!torch.available() || !torch.json().path("llama").has(llama.name())) {
            return null;
        }
        return torch.json().path("llama").path(llama.name()).path("weights_bit_checksum").asLong() == llama.weightBits();
    }

    /** PyTorch's check value for {@code llama} (sum of squared logits, or the loss), or null. */
    Double torchCheck(Llama llama) {
        if (!torch.available() || !torch.json().path("llama").has(llama.name())) {
            return null;
        }
        return torch.json().path("llama").path(llama.name()).path(llama.trainStep() ? "loss" : "logits_sum_squares")
                .asDouble();
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
