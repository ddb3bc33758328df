package io.verigrid.bench;

import com.fasterxml.jackson.databind.JsonNode;
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
        out.append(String.format("FMA peak: %.1f GFLOP/s, streaming read: %.1f GB/s (%d threads)%n", r.peakGflops(),
                r.bandwidthGbs(), r.threads()));
        int rounds = r.torch().available() ? r.torch().json().path("gemm").path("1024").path("rounds").asInt(1) : 1;
        if (rounds > 1) {
            out.append(String.format("gemm: medians of %d rounds, Verigrid's and PyTorch's in turn%n", rounds));
        }
        out.append('\n');
        out.append(String.format("%-22s %14s %14s %8s %8s%n", "workload", "verigrid", "pytorch", "ratio", "% peak"));
        for (Map.Entry<String, Double> gemm : r.gemmSeconds().entrySet()) {
            gemmRow(out, r, "gemm " + gemm.getKey(), gemm.getKey(), gemm.getValue(),
                    r.torchSeconds("gemm", gemm.getKey()));
        }
        for (Map.Entry<String, Double> gemm : r.gemmNewOutputSeconds().entrySet()) {
            gemmRow(out, r, "gemm " + gemm.getKey() + " new C", gemm.getKey(), gemm.getValue(),
                    r.torchSeconds("gemm", gemm.getKey(), "new_output_seconds"));
        }
        for (Map.Entry<String, Double> gemv : r.gemvSeconds().entrySet()) {
            double bytes = EngineResults.gemvBytes(gemv.getKey());
            Double torch = r.torchSeconds("gemv", gemv.getKey());
            double gbs = bytes / gemv.getValue() / 1e9;
            out.append(String.format("%-22s %9.1f GB/s %14s %8s %7.1f%% of bandwidth%n", "gemv " + gemv.getKey(), gbs,
                    torch == null ? "-" : String.format("%.1f GB/s", bytes / torch / 1e9), ratioText(torch, gemv.getValue()),
                    100 * gbs / r.bandwidthGbs()));
        }
        Double torchMlp = r.torchMlpStepSeconds();
        out.append(String.format("%-22s %11.3f ms %14s %8s   (%s)%n", "train step mlp-demo", r.mlpStepSeconds() * 1e3,
                torchMlp == null ? "-" : String.format("%.3f ms", torchMlp * 1e3), ratioText(torchMlp, r.mlpStepSeconds()),
                r.mlpModel()));
        for (EngineResults.Llama llama : r.llamas()) {
            Double torch = r.torchSeconds("llama", llama.name());
            Boolean same = r.sameWeights(llama);
            out.append(String.format("%-22s %11.1f ms %14s %8s   (%s; same weights: %s; %s %.6g vs %s)%n", llama.name(),
                    llama.seconds() * 1e3, torch == null ? "-" : String.format("%.1f ms", torch * 1e3),
                    ratioText(torch, llama.seconds()), llama.shape(), same == null ? "-" : same ? "yes" : "NO",
                    llama.trainStep() ? "loss" : "sum of squared logits", llama.check(),
                    r.torchCheck(llama) == null ? "-" : String.format("%.6g", r.torchCheck(llama))));
        }
        return out.toString();
    }

    private static void gemmRow(StringBuilder out, EngineResults r, String label, String size, double seconds,
            Double torch) {
        double flops = EngineResults.gemmFlops(size);
        out.append(String.format("%-22s %9.1f GF/s %14s %8s %7.1f%%%n", label, flops / seconds / 1e9,
                torch == null ? "-" : String.format("%.1f GF/s", flops / torch / 1e9), ratioText(torch, seconds),
                100 * flops / seconds / 1e9 / r.peakGflops()));
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
        out.put("memory_bandwidth_gb_s", r.bandwidthGbs());
        ObjectNode gemm = out.putObject("gemm");
        for (Map.Entry<String, Double> entry : r.gemmSeconds().entrySet()) {
            ObjectNode size = gemm.putObject(entry.getKey());
            gemmFigures(size, r, entry.getKey(), entry.getValue(), r.torchSeconds("gemm", entry.getKey()));
            Double newOutput = r.gemmNewOutputSeconds().get(entry.getKey());
            if (newOutput != null) {
                gemmFigures(size.putObject("new_output"), r, entry.getKey(), newOutput,
                        r.torchSeconds("gemm", entry.getKey(), "new_output_seconds"));
            }
        }
        JsonNode gemm1024 = gemm.path("1024");
        out.set("gemm1024_gflops", orNull(gemm1024.path("verigrid_gflops")));
        out.set("gemm1024_vs_pytorch", orNull(gemm1024.path("vs_pytorch")));
        out.set("gemm1024_peak_fraction", orNull(gemm1024.path("peak_fraction")));
        out.set("gemm1024_new_output_gflops", orNull(gemm1024.path("new_output").path("verigrid_gflops")));
        out.set("gemm1024_new_output_vs_pytorch", orNull(gemm1024.path("new_output").path("vs_pytorch")));
        ObjectNode gemv = out.putObject("gemv");
        Double firstGbs = null;
        for (Map.Entry<String, Double> entry : r.gemvSeconds().entrySet()) {
            double bytes = EngineResults.gemvBytes(entry.getKey());
            Double torch = r.torchSeconds("gemv", entry.getKey());
            ObjectNode shape = gemv.putObject(entry.getKey());
            shape.put("verigrid_gb_s", bytes / entry.getValue() / 1e9);
            shape.put("pytorch_gb_s", torch == null ? null : bytes / torch / 1e9);
            shape.put("vs_pytorch", ratio(torch, entry.getValue()));
            shape.put("bandwidth_fraction", bytes / entry.getValue() / 1e9 / r.bandwidthGbs());
            if (firstGbs == null) {
                firstGbs = bytes / entry.getValue() / 1e9;
            }
        }
        out.put("gemv_gb_s", firstGbs);
        out.put("gemv_bandwidth_fraction", firstGbs == null ? null : firstGbs / r.bandwidthGbs());
        out.put("mlp_step_model", r.mlpModel());
        out.put("mlp_step_verigrid_ms", r.mlpStepSeconds() * 1e3);
        Double torchMlp = r.torchMlpStepSeconds();
        out.put("mlp_step_pytorch_ms", torchMlp == null ? null : torchMlp * 1e3);
        out.put("mlp_step_vs_pytorch", ratio(torchMlp, r.mlpStepSeconds()));
        ObjectNode llamas = out.putObject("llama");
        for (EngineResults.Llama llama : r.llamas()) {
            Double torch = r.torchSeconds("llama", llama.name());
            ObjectNode one = llamas.putObject(llama.name());
            one.put("shape", llama.shape());
            one.put("verigrid_ms", llama.seconds() * 1e3);
            one.put("pytorch_ms", torch == null ? null : torch * 1e3);
            one.put("vs_pytorch", ratio(torch, llama.seconds()));
            one.put("same_weights", r.sameWeights(llama));
            one.put(llama.trainStep() ? "verigrid_loss" : "verigrid_logits_sum_squares", llama.check());
            one.put(llama.trainStep() ? "pytorch_loss" : "pytorch_logits_sum_squares", r.torchCheck(llama));
            out.put(llama.name() + "_vs_pytorch", ratio(torch, llama.seconds()));
        }
        EngineResults.Llama step = r.trainStep();
        Double torchStep = step == null ? null : r.torchSeconds("llama", step.name());
        out.put("train_step_model", step == null ? null : step.name() + " (" + step.shape() + ")");
        out.put("train_step_verigrid_ms", step == null ? null : step.seconds() * 1e3);
        out.put("train_step_pytorch_ms", torchStep == null ? null : torchStep * 1e3);
        out.put("train_step_vs_pytorch", step == null ? null : ratio(torchStep, step.seconds()));
        return out;
    }

    private static void gemmFigures(ObjectNode out, EngineResults r, String size, double seconds, Double torch) {
        double gflops = EngineResults.gemmFlops(size) / seconds / 1e9;
        out.put("verigrid_gflops", gflops);
        out.put("pytorch_gflops", torch == null ? null : EngineResults.gemmFlops(size) / torch / 1e9);
        out.put("vs_pytorch", ratio(torch, seconds));
        out.put("peak_fraction", gflops / r.peakGflops());
    }

    private static JsonNode orNull(JsonNode node) {
        return node.isMissingNode() ? JSON.nullNode() : node;
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
