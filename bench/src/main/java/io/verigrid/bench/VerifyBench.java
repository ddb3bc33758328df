package io.verigrid.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.verigrid.engine.Parallelism;
import io.verigrid.ledger.Params;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code verigrid bench verify}: the compute verification costs, as a percentage of the job's own compute, at the
 * chain's default sampling rate, for training, fine-tuning and preprocessing. Per unit, the provider's time (run
 * and commit) and a verifier's time for a sampled unit (fetch, check, re-run, compare) are measured, with any
 * once-per-job check; the expected overhead is (U·(p·T_verify + T_draw) + (1 − (1 − p)^U)·T_job) / (U·T_provider)
 * for a job of U units. With {@code --json} the last line is one JSON object.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Verification overhead at the default sampling rate: verifier compute as a percentage of the job's, per job kind.")
final class VerifyBench implements Callable<Integer> {
    @Option(names = "--json", description = "End with one line of JSON holding every figure.")
    boolean json;

    @Option(names = "--threads", paramLabel = "N", description = "Threads for provider and verifier alike (default: all cores).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--quick", description = "Tiny workloads (a smoke test, not a measurement).")
    boolean quick;

    @Override
    public Integer call() {
        if (threads < 1) throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
        double p = Params.defaults().samplePpm() / (double) Params.PPM;
        List<VerifyWorkloads.Measured> kinds = new ArrayList<>();
        try (Parallelism par = Parallelism.of(threads)) {
            VerifyWorkloads workloads = new VerifyWorkloads(par, VerifyWorkloads.Sizes.of(quick));
            progress("training");
            kinds.add(workloads.training());
            progress("fine-tuning");
            kinds.add(workloads.finetuning());
            progress("preprocessing");
            kinds.add(workloads.preprocessing());
        }
        System.out.print(table(kinds, p, threads));
        if (json) System.out.println(json(kinds, p));
        return 0;
    }

    static String table(List<VerifyWorkloads.Measured> kinds, double p, int threads) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "verification overhead at the default sampling rate p = %.4f (%d threads, %s)%n", p, threads, EngineBench.cpuModel()));
        sb.append(String.format(Locale.ROOT, "%-14s %6s %15s %16s %12s %12s %10s%n", "kind", "units", "provider s/unit",
                "verifier s/unit", "draw s/unit", "job check s", "overhead"));
        for (VerifyWorkloads.Measured m : kinds) {
            sb.append(String.format(Locale.ROOT, "%-14s %6d %15.4f %16.4f %12.2e %12.4f %9.3f%%%n", m.kind(), m.units(),
                    m.providerSecondsPerUnit(), m.verifierSecondsPerSampledUnit(), m.drawSecondsPerUnit(),
                    m.verifierSecondsPerJob(), m.overheadPct(p)));
        }
        for (VerifyWorkloads.Measured m : kinds) sb.append("  ").append(m.kind()).append(": ").append(m.workload()).append('\n');
        sb.append(String.format(Locale.ROOT, "worst: %.3f%% (target <= 1%%)%n", worst(kinds, p)));
        return sb.toString();
    }

    static String json(List<VerifyWorkloads.Measured> kinds, double p) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("verification_overhead_pct", worst(kinds, p));
        for (VerifyWorkloads.Measured m : kinds) root.put("overhead_pct_" + m.kind(), m.overheadPct(p));
        root.put("default_sampling_p", p);
        root.put("cpu", EngineBench.cpuModel());
        root.put("java", Runtime.version().toString());
        ObjectNode details = root.putObject("kinds");
        for (VerifyWorkloads.Measured m : kinds) details.set(m.kind(), mapper.valueToTree(m));
        return root.toString();
    }

    private static double worst(List<VerifyWorkloads.Measured> kinds, double p) {
        return kinds.stream().mapToDouble(m -> m.overheadPct(p)).max().orElse(0);
    }

    private static void progress(String what) {
        System.err.println("bench verify: " + what + "…");
    }
}
