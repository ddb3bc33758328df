package io.verigrid.bench;

import io.verigrid.engine.LlamaConfig;
import io.verigrid.engine.MlpJob;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.stream.Collectors;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code verigrid bench engine}: this machine's FMA peak, Verigrid's GEMM, GEMV and a training step, and the
 * same workloads in PyTorch CPU in the same run. With {@code --json} the last line is one JSON object.
 */
@Command(name = "engine", mixinStandardHelpOptions = true,
        description = "Matmul throughput (GEMM GFLOP/s, GEMV GB/s), Llama 15M/110M forwards and a 15M train step, against PyTorch CPU, the FMA peak and memory bandwidth.")
final class EngineBench implements Callable<Integer> {
    private static final List<Integer> GEMM_SIZES = List.of(256, 512, 1024, 2048);
    private static final List<Integer> QUICK_GEMM_SIZES = List.of(256, 512, 1024);
    /** GEMM rounds alternating with PyTorch's (one with {@code --quick}); each figure is the median of its rounds. */
    private static final int GEMM_ROUNDS = 5;
    /** Decoding-sized weights: a 4096-wide layer, and a small llama's classifier (dim 288, vocabulary 32000). */
    private static final List<int[]> GEMV_SHAPES = List.of(new int[] {4096, 4096}, new int[] {288, 32000});
    /** The seed of the Llama workloads' weights, which torch_bench.py regenerates bit for bit. */
    static final long LLAMA_SEED = 15;
    /** One AdamW step of the 15M model (the headline train step) and one forward of each model. */
    static final List<BenchLlama> LLAMAS = List.of(
            new BenchLlama("llama15m_train_step", BenchLlama.stories15m(), 4, 64, true),
            new BenchLlama("llama15m_forward", BenchLlama.stories15m(), 1, 128, false),
            new BenchLlama("llama110m_forward", BenchLlama.stories110m(), 1, 128, false));

    @Option(names = "--json", description = "End with one line of JSON holding every figure.")
    boolean json;

    @Option(names = "--threads", paramLabel = "N", description = "Threads for Verigrid and PyTorch (default: all cores).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--quick", description = "Shorter warm-up, fewer runs, no 2048 GEMM.")
    boolean quick;

    @Option(names = "--python", paramLabel = "PATH", description = "Python with torch (default: ${DEFAULT-VALUE}).")
    Path python = TorchReference.DEFAULT_PYTHON;

    @Option(names = "--profile", description = "Only the 15M Llama train step: milliseconds per operator kind.")
    boolean profile;

    @Override
    public Integer call() {
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
        }
        long warmupMillis = quick ? 300 : 1500;
        int runs = quick ? 5 : 11;
        if (profile) {
            return profile(warmupMillis);
        }
        List<Integer> sizes = quick ? QUICK_GEMM_SIZES : GEMM_SIZES;
        MlpJob job = MlpJob.demo();
        String model = "mlp-demo " + job.inputDim() + "-" + job.hidden() + "-" + job.classes() + " batch " + job.batch();

        progress("FMA peak on " + threads + " threads");
        double peak = FmaPeak.gflops(threads, quick ? 3 : 5, quick ? 200 : 500);
        GemmRounds gemmRounds = new GemmRounds();
        Map<String, Double> gemv = new LinkedHashMap<>();
        double mlpStep;
        double bandwidth;
        List<EngineResults.Llama> llamas = new ArrayList<>();
        try (Parallelism par = Parallelism.of(threads)) {
            EngineWorkloads engine = new EngineWorkloads(par, warmupMillis, runs);
            progress("warming up the JIT");
            engine.warmUpCompiler(quick ? 2000 : 4000);
            int rounds = quick ? 1 : GEMM_ROUNDS;
            for (int round = 1; round <= rounds; round++) {
                String of = rounds > 1 ? " (round " + round + " of " + rounds + ")" : "";
                for (int n : sizes) {
                    progress("Verigrid gemm " + n + of);
                    gemmRounds.addVerigrid(n, engine.gemmSeconds(n));
                }
                progress("PyTorch gemm" + of);
                gemmRounds.addTorch(TorchReference.gemm(python, threads, sizes, warmupMillis, runs));
            }
            for (int[] shape : GEMV_SHAPES) {
                progress("Verigrid gemv " + EngineResults.gemvKey(shape[0], shape[1]));
                gemv.put(EngineResults.gemvKey(shape[0], shape[1]), engine.gemvSeconds(shape[0], shape[1]));
            }
            progress("memory bandwidth (streaming read)");
            bandwidth = engine.memoryBandwidthGbs(GEMV_SHAPES.get(0)[0] * GEMV_SHAPES.get(0)[1], quick ? 5 : 10);
            progress("Verigrid train step (" + model + ")");
            mlpStep = engine.mlpStepSeconds(job);
            // Fewer timed runs for the models: one 110M forward or 15M step takes a good fraction of a second.
            EngineWorkloads models = new EngineWorkloads(par, warmupMillis, quick ? 3 : 5);
            for (BenchLlama llama : LLAMAS) {
                progress("Verigrid " + llama.name() + " (" + shape(llama) + ")");
                SortedMap<String, Tensor> weights = llama.weights(LLAMA_SEED);
                double[] measured = llama.trainStep() ? models.llamaTrainStep(llama, weights)
                        : models.llamaForward(llama, weights);
                llamas.add(new EngineResults.Llama(llama.name(), shape(llama), llama.trainStep(), measured[0], measured[1],
                        BenchLlama.bitSum(weights)));
            }
        }
        // A machine shared with other work may dip during one measurement: the peak is the better of two.
        progress("FMA peak again");
        peak = Math.max(peak, FmaPeak.gflops(threads, quick ? 3 : 5, quick ? 200 : 500));
        progress("PyTorch reference (gemv, train steps, forwards)");
        TorchReference.Outcome torch = TorchReference.run(python, threads, List.of(), GEMV_SHAPES,
                new int[] {job.inputDim(), job.hidden(), job.classes(), job.batch()},
                LLAMAS.stream().map(llama -> llama.torchSpec(LLAMA_SEED)).collect(Collectors.toList()), warmupMillis, runs,
                quick ? 3 : 5);
        torch = gemmRounds.mergeInto(torch);

        EngineResults results = new EngineResults(cpuModel(), Runtime.getRuntime().availableProcessors(), threads,
                Runtime.version().toString(), kernel(), peak, bandwidth, gemmRounds.verigridSeconds(false),
                gemmRounds.verigridSeconds(true), gemv, model, mlpStep, llamas, torch);
        System.out.print(EngineReport.table(results));
        if (json) {
            System.out.println(EngineReport.json(results).toString());
        }
        return 0;
    }

    /** Prints the train step's median time and its time per operator kind, largest first. */
    private int profile(long warmupMillis) {
        BenchLlama llama = LLAMAS.get(0);
        try (Parallelism par = Parallelism.of(threads)) {
            EngineWorkloads models = new EngineWorkloads(par, warmupMillis, quick ? 3 : 5);
            progress("Verigrid " + llama.name() + " (" + shape(llama) + ")");
            double[] step = models.llamaTrainStep(llama, llama.weights(LLAMA_SEED));
            Map<String, Double> perKind = models.llamaTrainStepProfile(llama, llama.weights(LLAMA_SEED), quick ? 5 : 11);
            System.out.printf("%s on %d threads: %.1f ms per step (loss %.4f)%n", llama.name(), threads, step[0] * 1e3,
                    step[1]);
            double sum = 0;
            for (Map.Entry<String, Double> kind : perKind.entrySet()) {
                System.out.printf("  %-28s %8.2f ms%n", kind.getKey(), kind.getValue());
                sum += kind.getValue();
            }
            System.out.printf("  %-28s %8.2f ms%n", "(sum of kinds)", sum);
        }
        return 0;
    }

    /** "dim 288, 6 layers, … batch 1 × seq 128": what a Llama row of the report ran. */
    static String shape(BenchLlama llama) {
        LlamaConfig c = llama.config();
        return String.format("dim %d, %d layers, %d heads, hidden %d, vocab %d, %.1fM parameters; batch %d x seq %d",
                c.hiddenSize(), c.numHiddenLayers(), c.numAttentionHeads(), c.intermediateSize(), c.vocabSize(),
                llama.model().parameterShapes().values().stream().mapToLong(s -> s.length == 2 ? (long) s[0] * s[1] : s[0])
                        .sum() / 1e6, llama.batch(), llama.seq());
    }

    private static void progress(String what) {
        System.err.println("bench: " + what + "…");
    }

    /** Which matmul path the engine takes in this JVM: the Vector API kernel needs its module loaded. */
    static String kernel() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
                ? "vector " + FmaPeak.SPECIES.vectorBitSize() + "-bit"
                : "scalar (jdk.incubator.vector not loaded)";
    }

    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // Not Linux: fall through to the architecture name.
        }
        return System.getProperty("os.arch");
    }
}
