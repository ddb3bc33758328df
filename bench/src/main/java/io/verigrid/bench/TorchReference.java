package io.verigrid.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs {@code torch_bench.py} (a resource of this module) under Debian's {@code /usr/bin/python3}, which has
 * python3-torch; PyTorch and its BLAS get the same thread count as Verigrid. The answer is either the script's
 * JSON or the reason there is none, never an exception: without PyTorch the bench still prints its own figures.
 */
final class TorchReference {
    static final Path DEFAULT_PYTHON = Path.of("/usr/bin/python3");

    /** The script's JSON, or {@code null} with {@code reason} saying why there is no reference. */
    record Outcome(JsonNode json, String reason) {
        boolean available() {
            return json != null;
        }
    }

    private TorchReference() {
    }

    /** GEMMs only: one round of {@link GemmRounds}. */
    static Outcome gemm(Path python, int threads, List<Integer> sizes, long warmupMillis, int runs) {
        return run(python, threads, sizes, List.of(), null, List.of(), warmupMillis, runs, 1);
    }

    /** Every workload given ({@code mlp} null for none): dimensions {in, hidden, classes, batch}. */
    static Outcome run(Path python, int threads, List<Integer> gemmSizes, List<int[]> gemvShapes, int[] mlp,
            List<String> llamas, long warmupMillis, int runs, int modelRuns) {
        List<String> args = new ArrayList<>(List.of("--threads", Integer.toString(threads),
                "--gemm", gemmSizes.stream().map(String::valueOf).collect(Collectors.joining(",")),
                "--gemv", gemvShapes.stream().map(s -> s[0] + "x" + s[1]).collect(Collectors.joining(",")),
                "--llama", String.join(";", llamas),
                "--warmup-ms", Long.toString(warmupMillis),
                "--runs", Integer.toString(runs),
                "--model-runs", Integer.toString(modelRuns)));
        if (mlp != null) {
            args.addAll(List.of("--mlp", mlp[0] + "," + mlp[1] + "," + mlp[2] + "," + mlp[3]));
        }
        return runScript(python, "torch_bench.py", threads, args, "gemm");
    }

    /**
     * Runs the bench jar's script {@code resource} with {@code args} and reads its last stdout line as JSON, which
     * must carry {@code requiredField}; PyTorch and its BLAS get {@code threads} threads. A failure's reason ends
     * with the last line the script wrote to standard error.
     */
    static Outcome runScript(Path python, String resource, int threads, List<String> args, String requiredField) {
        if (!Files.isExecutable(python)) {
            return new Outcome(null, python + " not found: no PyTorch reference (install python3-torch)");
        }
        try {
            Path script = Files.createTempFile("verigrid-torch", ".py");
            Path errors = Files.createTempFile("verigrid-torch", ".err");
            try {
                try (InputStream in = TorchReference.class.getResourceAsStream("/" + resource)) {
                    if (in == null) {
                        return new Outcome(null, resource + " is missing from the bench jar");
                    }
                    Files.write(script, in.readAllBytes());
                }
                // -I: isolated mode, so no stray module beside the script in the temporary directory (a dis.py,
                // say) and no PYTHONPATH can shadow the standard library torch imports.
                List<String> command = new ArrayList<>(List.of(python.toString(), "-I", script.toString()));
                command.addAll(args);
                ProcessBuilder builder = new ProcessBuilder(command);
                // OpenBLAS and OpenMP read their thread counts when the library loads, before torch.set_num_threads.
                builder.environment().put("OPENBLAS_NUM_THREADS", Integer.toString(threads));
                builder.environment().put("OMP_NUM_THREADS", Integer.toString(threads));
                builder.redirectError(errors.toFile());
                Process process = builder.start();
                String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                if (!process.waitFor(30, TimeUnit.MINUTES)) {
                    process.destroyForcibly();
                    return new Outcome(null, "the PyTorch reference did not finish");
                }
                Outcome outcome = parse(stdout, process.exitValue(), requiredField);
                return outcome.available() ? outcome : new Outcome(null, outcome.reason() + lastLine(errors));
            } finally {
                Files.deleteIfExists(script);
                Files.deleteIfExists(errors);
            }
        } catch (IOException e) {
            return new Outcome(null, "could not run " + python + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(null, "interrupted while running the PyTorch reference");
        }
    }

    /** " (stderr: its last line)", or nothing when the script wrote nothing there. */
    private static String lastLine(Path stderr) throws IOException {
        List<String> lines = Files.readAllLines(stderr, StandardCharsets.UTF_8).stream()
                .filter(line -> !line.isBlank()).toList();
        return lines.isEmpty() ? "" : " (stderr: " + lines.get(lines.size() - 1).trim() + ")";
    }

    /** torch_bench.py's answer: {@link #parse(String, int, String)} requiring its {@code gemm} section. */
    static Outcome parse(String stdout, int exitCode) {
        return parse(stdout, exitCode, "gemm");
    }

    /** Reads the script's last stdout line; an {@code error} field, a failed exit or a missing field becomes the reason. */
    static Outcome parse(String stdout, int exitCode, String requiredField) {
        String last = stdout.isEmpty() ? "" : stdout.substring(stdout.lastIndexOf('\n') + 1);
        JsonNode json;
        try {
            json = last.isEmpty() ? null : new ObjectMapper().readTree(last);
        } catch (IOException e) {
            json = null;
        }
        if (json != null && json.hasNonNull("error")) {
            return new Outcome(null, json.get("error").asText());
        }
        if (exitCode != 0 || json == null || !json.has(requiredField)) {
            return new Outcome(null, "the PyTorch reference failed (exit " + exitCode + "): " + last);
        }
        return new Outcome(json, null);
    }
}
