package io.verigrid.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/** Prints {@link EngineResults}: a side-by-side table, and one JSON object. Ratios above 1 mean Verigrid is faster. */
final class EngineReport {
    private static final ObjectMapper JSON = new ObjectMapper();

    private EngineReport() {
    }

    static String table(EngineResults r) {
        StringBuilder out = new StringBuilder();
        out.append(String.format("Verigrid engine bench: %s, %d cores, %d threads, JDK %s, kernel %s%n",
                r.cpu(), r.cores(), r.threads(), r.jdk(), r.kernel()));
        if (r.torch().available()) {
            out.append(String.format("reference: PyTorch %s (CPU, %d threads), BLAS %s%n",
                    r.torch().json().path("torch").asText(), r.torch().json().path("threads").asInt(), r.referenceBlas()));
        } else {
            out.append("reference: none (" + r.torch().reason() + "); Verigrid's figures alone, ratios null\n");
        }
        out.append(String.format("FMA peak: %.1f GFLOP/s (%d threads)%n%n", r.peakGflops(), r.threads()));
        out.append(String.format("%-22s %14s %14s %8s %8s%n", "workload", "verigrid", "pytorch", "ratio", "% peak"));
        for (Map.Entry<String, Double> gemm : r.gemmSeconds().entrySet()) {
            double flops = EngineResults.gemmFlops(gemm.getKey());
            Double torch = r.torchSeconds("gemm", gemm.getKey());
            out.append(String.format("%-22s %9.1f GF/s %14s %8s %7.1f%%%n", "gemm " + gemm.getKey(),
                    flops / gemm.getValue() / 1e9, torch == null ? "-" : String.format("%.1f GF/s", flops / torch / 1e9),
                    ratioText(torch, gemm.getValue()), 100 * flops / gemm.getValue() / 1e9 / r.peakGflops()));
        }
        for (Map.Entry<String, Double> gemv : r.gemvSeconds().entrySet()) {
            double bytes = EngineResults.gemvBytes(gemv.getKey());
            Double torch = r.torchSeconds("gemv", gemv.getKey());
            out.append(String.format("%-22s %9.1f GB/s %14s %8s%n", "gemv " + gemv.getKey(), bytes / gemv.getValue() / 1e9,
                    torch == null ? "-" : String.format("%.1f GB/s", bytes / torch / 1e9), ratioText(torch, gemv.getValue())));
        }
        Double torchStep = r.torchTrainStepSeconds();
        out.append(String.format("%-22s %11.3f ms %14s %8s%n", "train step " + r.trainStepModel(), r.trainStepSeconds() * 1e3,
                torchStep == null ? "-" : String.format("%.3f ms", torchStep * 1e3), ratioText(torchStep, r.trainStepSeconds())));
        return out.toString();
    }

    static ObjectNode json(EngineResults r) {
        ObjectNode out = JSON.createObjectNode();
        out.put("cpu", r.cpu());
        out.put("cores", r.cores());
        out.put("threads", r.threads());
        out.put("jdk", r.jdk());
        out.put("kernel", r.kernel());
        out.put("reference", r.torch().available() ? "pytorch " + r.torch().json().path("torch").asText() : null);
        out.put("reference_missing", r.torch().available() ? null : r.torch().reason());
        out.put("reference_blas", r.referenceBlas());
        out.put("peak_gflops", r.peakGflops());
        ObjectNode gemm = out.putObject("gemm");
        for (Map.Entry<String, Double> entry : r.gemmSeconds().entrySet()) {
            double gflops = EngineResults.gemmFlops(entry.getKey()) / entry.getValue() / 1e9;
            Double torch = r.torchSeconds("gemm", entry.getKey());
            ObjectNode size = gemm.putObject(entry.getKey());
            size.put("verigrid_gflops", gflops);
            size.put("pytorch_gflops", torch == null ? null : EngineResults.gemmFlops(entry.getKey()) / torch / 1e9);
            size.put("vs_pytorch", ratio(torch, entry.getValue()));
            size.put("peak_fraction", gflops / r.peakGflops());
        }
        ObjectNode gemm1024 = (ObjectNode) gemm.path("1024");
        out.put("gemm1024_gflops", gemm1024.path("verigrid_gflops").isMissingNode() ? null : gemm1024.get("verigrid_gflops").asDouble());
        out.set("gemm1024_vs_pytorch", gemm1024.path("vs_pytorch").isMissingNode() ? JSON.nullNode() : gemm1024.get("vs_pytorch"));
        out.set("gemm1024_peak_fraction", gemm1024.path("peak_fraction").isMissingNode() ? JSON.nullNode() : gemm1024.get("peak_fraction"));
        ObjectNode gemv = out.putObject("gemv");
        Double firstGbs = null;
        for (Map.Entry<String, Double> entry : r.gemvSeconds().entrySet()) {
            double bytes = EngineResults.gemvBytes(entry.getKey());
            Double torch = r.torchSeconds("gemv", entry.getKey());
            ObjectNode shape = gemv.putObject(entry.getKey());
            shape.put("verigrid_gb_s", bytes / entry.getValue() / 1e9);
            shape.put("pytorch_gb_s", torch == null ? null : bytes / torch / 1e9);
            shape.put("vs_pytorch", ratio(torch, entry.getValue()));
            if (firstGbs == null) {
                firstGbs = bytes / entry.getValue() / 1e9;
            }
        }
        out.put("gemv_gb_s", firstGbs);
        out.put("train_step_model", r.trainStepModel());
        out.put("train_step_verigrid_ms", r.trainStepSeconds() * 1e3);
        Double torchStep = r.torchTrainStepSeconds();
        out.put("train_step_pytorch_ms", torchStep == null ? null : torchStep * 1e3);
        out.put("train_step_vs_pytorch", ratio(torchStep, r.trainStepSeconds()));
        return out;
    }

    /** PyTorch's time over Verigrid's: above 1 when Verigrid is faster; {@code null} without a reference. */
    static Double ratio(Double torchSeconds, double verigridSeconds) {
        return torchSeconds == null ? null : torchSeconds / verigridSeconds;
    }

    private static String ratioText(Double torchSeconds, double verigridSeconds) {
        Double ratio = ratio(torchSeconds, verigridSeconds);
        return ratio == null ? "-" : String.format("%.2fx", ratio);
    }
}
