package io.verigrid.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.verigrid.engine.LlamaConfig;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.Tensor;
import io.verigrid.engine.generate.LlamaDecoder;
import io.verigrid.engine.io.Safetensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code verigrid bench inference}: greedy token generation with Verigrid's decoder against PyTorch CPU on the
 * same weights, in the same run. For Llamas of the stories15M and stories110M shapes (seeded weights, saved as a
 * Hugging Face directory that both sides load): time to first token, tokens/s of one stream, and aggregate
 * tokens/s at 1, 4 and 16 concurrent streams. With {@code --json} the last line is one JSON object.
 */
@Command(name = "inference", mixinStandardHelpOptions = true,
        description = "Tokens/s (one stream and 1/4/16 streams) and time to first token for Llama 15M and 110M shapes, against PyTorch CPU on the same weights.")
final class InferenceBench implements Callable<Integer> {
    private static final int[] CONCURRENCY = {1, 4, 16};
    private static final int PROMPT_LENGTH = 8;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--json", description = "End with one line of JSON holding every figure.")
    boolean json;

    @Option(names = "--threads", paramLabel = "N", description = "Threads for Verigrid and PyTorch (default: all cores).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--tokens", paramLabel = "T", description = "Tokens generated per stream (default: ${DEFAULT-VALUE}).")
    int tokens = 128;

    @Option(names = "--runs", paramLabel = "R", description = "Timed generations per figure; the median is kept (default: ${DEFAULT-VALUE}).")
    int runs = 3;

    @Option(names = "--quick", description = "32 tokens, one timed run.")
    boolean quick;

    @Option(names = "--python", paramLabel = "PATH", description = "Python with torch (default: ${DEFAULT-VALUE}).")
    Path python = TorchReference.DEFAULT_PYTHON;

    /** One model's figures on both sides: per concurrency, Verigrid's result and PyTorch's (null without it). */
    private record ModelFigures(String name, LlamaConfig config, Map<Integer, InferenceRun.Result> verigrid,
            JsonNode torch, String torchReason) {
        Double torchTotal(int c) {
            JsonNode node = torch == null ? null : torch.path("concurrency").path(Integer.toString(c));
            return node == null || node.isMissingNode() ? null : node.path("total_s").asDouble();
        }

        Double torchTtft(int c) {
            JsonNode node = torch == null ? null : torch.path("concurrency").path(Integer.toString(c));
            return node == null || node.isMissingNode() ? null : node.path("ttft_s").asDouble();
        }

        int[] torchStream0(int c) {
            JsonNode node = torch == null ? null : torch.path("concurrency").path(Integer.toString(c)).path("stream0_tokens");
            if (node == null || !node.isArray()) {
                return null;
            }
            int[] ids = new int[node.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = node.get(i).asInt();
            }
            return ids;
        }
    }

    @Override
    public Integer call() throws Exception {
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
        }
        int generated = quick ? 32 : tokens;
        int timedRuns = quick ? 1 : runs;
        if (generated < 2 || timedRuns < 1) {
            throw new IllegalArgumentException("--tokens must be >= 2 and --runs >= 1, got " + generated + " and " + timedRuns);
        }
        List<ModelFigures> models = new ArrayList<>();
        Path root = Files.createTempDirectory("verigrid-inference-bench");
        try (Parallelism par = Parallelism.of(threads)) {
            for (BenchLlama llama : List.of(new BenchLlama("15m", BenchLlama.stories15m(), 1, 1, false),
                    new BenchLlama("110m", BenchLlama.stories110m(), 1, 1, false))) {
                Path dir = root.resolve(llama.name());
                progress("writing the " + llama.name() + " model (" + EngineBench.shape(llama).split(";")[0] + ")");
                writeModel(dir, llama);
                LlamaDecoder decoder = LlamaDecoder.load(dir);
                Map<Integer, InferenceRun.Result> verigrid = new LinkedHashMap<>();
                for (int c : CONCURRENCY) {
                    progress("Verigrid " + llama.name() + ", " + c + " stream(s) x " + generated + " tokens");
                    verigrid.put(c, InferenceRun.measure(decoder, c, PROMPT_LENGTH, generated, timedRuns,
                            quick ? 300 : 1500, par));
                }
                progress("PyTorch " + llama.name());
                TorchReference.Outcome torch = runTorch(dir, generated, timedRuns);
                models.add(new ModelFigures(llama.name(), llama.config(), verigrid, torch.json(), torch.reason()));
            }
        } finally {
            deleteTree(root);
        }
        System.out.print(table(models, generated));
        if (json) {
            System.out.println(json(models, generated));
        }
        return 0;
    }

    /** The seeded weights of bench engine's Llamas, saved as config.json + model.safetensors. */
    private static void writeModel(Path dir, BenchLlama llama) throws IOException {
        Files.createDirectories(dir);
        SortedMap<String, Tensor> weights = llama.weights(EngineBench.LLAMA_SEED);
        JSON.writeValue(dir.resolve("config.json").toFile(), llama.config().toJson());
        Safetensors.write(dir.resolve("model.safetensors"), weights, Map.of("format", "pt"));
    }

    /** torch_inference.py's answer on the model in {@code modelDir}: its JSON, or why there is none. */
    private TorchReference.Outcome runTorch(Path modelDir, int generated, int timedRuns) {
        return TorchReference.runScript(python, "torch_inference.py", threads, List.of("--model", modelDir.toString(),
                "--threads", Integer.toString(threads), "--prompt-len", Integer.toString(PROMPT_LENGTH),
                "--tokens", Integer.toString(generated),
                "--concurrency", String.join(",", Arrays.stream(CONCURRENCY).mapToObj(String::valueOf).toList()),
                "--runs", Integer.toString(timedRuns)), "concurrency");
    }

    private String table(List<ModelFigures> models, int generated) {
        StringBuilder out = new StringBuilder();
        out.append(String.format("Verigrid inference bench: %s, %d cores, %d threads, JDK %s, kernel %s%n",
                EngineBench.cpuModel(), Runtime.getRuntime().availableProcessors(), threads, Runtime.version(),
                EngineBench.kernel()));
        out.append(String.format("greedy decoding, prompt %d tokens, %d tokens generated per stream; "
                + "tokens/s = generated tokens / wall time including the prompt's prefill%n", PROMPT_LENGTH, generated));
        for (ModelFigures m : models) {
            out.append(String.format("%nllama %s (dim %d, %d layers, %d heads, hidden %d, vocab %d): PyTorch %s%n", m.name(),
                    m.config().hiddenSize(), m.config().numHiddenLayers(), m.config().numAttentionHeads(),
                    m.config().intermediateSize(), m.config().vocabSize(),
                    m.torch() == null ? "none (" + m.torchReason() + ")"
                            : m.torch().path("torch").asText() + ", " + m.torch().path("threads").asInt() + " threads"));
            out.append(String.format("%-12s %16s %16s %8s %14s %14s%n", "streams", "verigrid tok/s", "pytorch tok/s",
                    "ratio", "verigrid ttft", "pytorch ttft"));
            for (int c : CONCURRENCY) {
                InferenceRun.Result r = m.verigrid().get(c);
                Double torchTotal = m.torchTotal(c);
                Double torchTtft = m.torchTtft(c);
                double mine = c * generated / r.totalSeconds();
                out.append(String.format("%-12d %16.1f %16s %8s %11.2f ms %14s%n", c, mine,
                        torchTotal == null ? "-" : String.format("%.1f", c * generated / torchTotal),
                        torchTotal == null ? "-" : String.format("%.2fx", torchTotal / r.totalSeconds()),
                        1000 * r.ttftSeconds(), torchTtft == null ? "-" : String.format("%.2f ms", 1000 * torchTtft)));
            }
            out.append(String.format("aggregate scaling 16 vs 1 stream: %.2fx; stream 0's tokens identical at 1, 4 and 16 "
                    + "streams: %s; first %d of %d greedy tokens equal PyTorch's%n", scaling(m),
                    batchInvariant(m) ? "yes" : "NO", agreeingPrefix(m), generated));
        }
        return out.toString();
    }

    private String json(List<ModelFigures> models, int generated) {
        ObjectNode root = JSON.createObjectNode();
        ModelFigures small = models.get(0);
        Double torch1 = small.torchTotal(1);
        if (torch1 == null) {
            root.putNull("tokens_per_s_15m_vs_pytorch");
        } else {
            root.put("tokens_per_s_15m_vs_pytorch", torch1 / small.verigrid().get(1).totalSeconds());
        }
        root.put("aggregate_scaling_16_vs_1", scaling(small));
        root.put("ttft_ms_15m", 1000 * small.verigrid().get(1).ttftSeconds());
        root.put("threads", threads);
        root.put("tokens_per_stream", generated);
        root.put("prompt_tokens", PROMPT_LENGTH);
        ObjectNode all = root.putObject("models");
        for (ModelFigures m : models) {
            ObjectNode node = all.putObject(m.name());
            node.put("batch_invariant", batchInvariant(m));
            node.put("tokens_equal_to_pytorch", agreeingPrefix(m));
            node.put("aggregate_scaling_16_vs_1", scaling(m));
            if (m.torch() == null) {
                node.put("pytorch", m.torchReason());
            }
            for (int c : CONCURRENCY) {
                ObjectNode at = node.putObject("streams_" + c);
                InferenceRun.Result r = m.verigrid().get(c);
                at.put("verigrid_tokens_per_s", c * generated / r.totalSeconds());
                at.put("verigrid_ttft_ms", 1000 * r.ttftSeconds());
                Double torchTotal = m.torchTotal(c);
                if (torchTotal != null) {
                    at.put("pytorch_tokens_per_s", c * generated / torchTotal);
                    at.put("pytorch_ttft_ms", 1000 * m.torchTtft(c));
                    at.put("vs_pytorch", torchTotal / r.totalSeconds());
                }
            }
        }
        return root.toString();
    }

    private static double scaling(ModelFigures m) {
        return (16.0 / m.verigrid().get(16).totalSeconds()) / (1.0 / m.verigrid().get(1).totalSeconds());
    }

    /** Stream 0 produced the same tokens alone and next to 3 and 15 other streams. */
    private static boolean batchInvariant(ModelFigures m) {
        int[] alone = m.verigrid().get(1).stream0();
        return Arrays.stream(CONCURRENCY).allMatch(c -> Arrays.equals(alone, m.verigrid().get(c).stream0()));
    }

    /** How many leading greedy tokens of stream 0 PyTorch chose identically (float orders differ, so may diverge). */
    private static int agreeingPrefix(ModelFigures m) {
        int[] theirs = m.torchStream0(1);
        int[] mine = m.verigrid().get(1).stream0();
        if (theirs == null) {
            return 0;
        }
        int n = 0;
        while (n < Math.min(mine.length, theirs.length) && mine[n] == theirs[n]) {
            n++;
        }
        return n;
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the bench's model directory " + root, e);
        }
    }

    private static void progress(String what) {
        System.err.println("bench: " + what + "…");
    }
}
