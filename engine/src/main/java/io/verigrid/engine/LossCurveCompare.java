package io.verigrid.engine;

import io.verigrid.engine.io.Safetensors;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Trains a character-level GPT on {@link CharCorpus} with Verigrid and with PyTorch from the same initial
 * weights, data order and hyperparameters, and prints both loss curves side by side. A developer tool, not
 * part of the build's tests (PyTorch is absent there).
 *
 * <p>Usage: {@code LossCurveCompare [workDir] [python] [script]} — defaults {@code target/loss-curve},
 * {@code /usr/bin/python3}, {@code scripts/torch_reference_gpt.py}.
 */
public final class LossCurveCompare {
    static final GptConfig CONFIG = new GptConfig(CharCorpus.ALPHABET.length(), 64, 64, 2, 4, 1e-5f, true);
    static final int SEQUENCES = 256;
    static final int SEQ_LEN = 32;
    static final int BATCH = 16;
    static final int STEPS = 200;
    /** Steps left out of the step-time medians: the JIT is still compiling the step's code during them. */
    static final int WARM_UP_STEPS = 100;

    private LossCurveCompare() {
    }

    static LmJob job() {
        return new LmJob(new GptModel(CONFIG), 2024, SEQUENCES, BATCH, SEQ_LEN, STEPS, STEPS,
                new LearningRate(3e-3f, 3e-4f, 20, STEPS), 0.9f, 0.95f, 1e-8f, 0.1f, 1.0f);
    }

    /** Both runs: the loss after each step, and each step's wall time in milliseconds. */
    public record Result(List<Float> torchLosses, List<Float> verigridLosses, List<Double> torchMillis,
            List<Double> verigridMillis) {
        /** Final loss: the mean of the last 10 steps. */
        public double torchFinal() {
            return mean(torchLosses, STEPS - 10);
        }

        public double verigridFinal() {
            return mean(verigridLosses, STEPS - 10);
        }

        public double finalRelativeDifference() {
            return Math.abs(verigridFinal() - torchFinal()) / torchFinal();
        }

        public double worstStepRelativeDifference() {
            double worst = 0;
            for (int s = 0; s < STEPS; s++) {
                worst = Math.max(worst, Math.abs(verigridLosses.get(s) - torchLosses.get(s)) / Math.abs(torchLosses.get(s)));
            }
            return worst;
        }

        /** Median step time after the {@link #WARM_UP_STEPS} (compilation on both sides). */
        public double torchStepMillis() {
            return medianAfterWarmUp(torchMillis);
        }

        public double verigridStepMillis() {
            return medianAfterWarmUp(verigridMillis);
        }
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Result result = run(Path.of(args.length > 0 ? args[0] : "target/loss-curve"),
                args.length > 1 ? args[1] : "/usr/bin/python3", args.length > 2 ? args[2] : "scripts/torch_reference_gpt.py");
        print(result);
    }

    /**
     * Writes the shared inputs to {@code dir}, trains with the PyTorch script, then with Verigrid. Both sides run
     * on one thread, so the step times compare the engines, not the thread counts.
     */
    public static Result run(Path dir, String python, String script) throws IOException, InterruptedException {
        LmJob job = job();
        Dataset data = LmJob.windows(CharCorpus.tokens(7, SEQUENCES * SEQ_LEN + 1), SEQ_LEN, CONFIG.vocabSize());
        ModelState state = job.initialState();
        writeInputs(dir, job, data, state);

        List<Float> torchLosses = new ArrayList<>();
        List<Double> torchMillis = new ArrayList<>();
        torchRun(python, script, dir, torchLosses, torchMillis);
        List<Float> losses = new ArrayList<>();
        List<Double> millis = new ArrayList<>();
        for (int s = 0; s < STEPS; s++) {
            long start = System.nanoTime();
            MlpTrainer.StepResult result = LmTrainer.step(job, data, state, Parallelism.single(), null);
            millis.add((System.nanoTime() - start) / 1e6);
            losses.add(result.loss());
            state = result.next();
        }
        return new Result(torchLosses, losses, torchMillis, millis);
    }

    private static void writeInputs(Path dir, LmJob job, Dataset data, ModelState state) throws IOException {
        Files.createDirectories(dir);
        SortedMap<String, Tensor> weights = new TreeMap<>();
        job.model().parameterShapes().keySet().forEach(name -> weights.put(name, state.tensor(name)));
        Safetensors.write(dir.resolve("init.safetensors"), weights, Map.of());
        float[] tokens = data.tensor("tokens").data();
        ByteBuffer bytes = ByteBuffer.allocate(tokens.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float token : tokens) {
            bytes.putInt((int) token);
        }
        Files.write(dir.resolve("tokens.i32"), bytes.array());
        String json = "{\"n_embd\": " + CONFIG.nEmbd() + ", \"n_head\": " + CONFIG.nHead() + ", \"n_layer\": "
                + CONFIG.nLayer() + ", \"layer_norm_epsilon\": " + CONFIG.layerNormEpsilon()
                + ", \"tie_word_embeddings\": " + CONFIG.tieWordEmbeddings() + ", \"sequences\": " + job.sequences()
                + ", \"seq_len\": " + job.seqLen() + ", \"batch\": " + job.batch() + ", \"steps\": " + job.steps()
                + ", \"lr_peak\": " + job.schedule().peak() + ", \"lr_min\": " + job.schedule().min()
                + ", \"warmup\": " + job.schedule().warmup() + ", \"beta1\": " + job.beta1() + ", \"beta2\": "
                + job.beta2() + ", \"eps\": " + job.eps() + ", \"weight_decay\": " + job.weightDecay()
                + ", \"clip_norm\": " + job.clipNorm() + "}\n";
        Files.writeString(dir.resolve("job.json"), json);
    }

    /** Runs the reference; its lines are {@code step <s> loss <value> ms <step time>}. */
    private static void torchRun(String python, String script, Path dir, List<Float> losses, List<Double> millis)
            throws IOException, InterruptedException {
        Process process = new ProcessBuilder(python, "-I", script, dir.toString()).redirectErrorStream(true).start();
        List<String> other = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String[] parts = line.trim().split(" ");
                if (parts.length == 6 && parts[0].equals("step") && parts[2].equals("loss") && parts[4].equals("ms")) {
                    losses.add(Float.parseFloat(parts[3]));
                    millis.add(Double.parseDouble(parts[5]));
                } else {
                    other.add(line);
                }
            }
        }
        if (process.waitFor() != 0 || losses.size() != STEPS) {
            throw new UncheckedIOException(new IOException("the PyTorch reference failed (exit " + process.exitValue()
                    + ", " + losses.size() + " losses): " + String.join("\n", other)));
        }
    }

    /** The comparison as markdown (docs/loss-curve.md holds the last output). */
    public static void print(Result result) {
        LmJob job = job();
        List<Float> torch = result.torchLosses();
        List<Float> verigrid = result.verigridLosses();
        System.out.println("# GPT loss curve: Verigrid engine vs PyTorch 1.13");
        System.out.println();
        System.out.println("Character-level GPT (" + CONFIG + "), " + job.sequences() + " sequences of " + SEQ_LEN
                + " tokens from the seeded grammar corpus, batch " + BATCH + ", AdamW (betas " + job.beta1() + "/"
                + job.beta2() + ", weight decay " + job.weightDecay() + " on matrices), clip " + job.clipNorm()
                + ", learning rate " + job.schedule() + ". Same initial weights and batches on both sides.");
        System.out.println();
        System.out.println("| step | PyTorch | Verigrid | relative difference |");
        System.out.println("|---:|---:|---:|---:|");
        for (int s = 0; s < STEPS; s++) {
            double relative = Math.abs(verigrid.get(s) - torch.get(s)) / Math.abs(torch.get(s));
            if (s < 5 || (s + 1) % 10 == 0) {
                System.out.printf("| %d | %.5f | %.5f | %.2e |%n", s + 1, torch.get(s), verigrid.get(s), relative);
            }
        }
        System.out.println();
        System.out.printf("Final loss (mean of the last 10 steps): PyTorch %.5f, Verigrid %.5f, relative difference "
                + "%.3f%%. Largest per-step relative difference: %.3f%%.%n", result.torchFinal(), result.verigridFinal(),
                100 * result.finalRelativeDifference(), 100 * result.worstStepRelativeDifference());
        System.out.println();
        System.out.printf("Step time, one thread each (median of steps %d–%d): PyTorch %.2f ms, Verigrid %.2f ms "
                + "(%.2fx; above 1 means Verigrid is faster).%n", WARM_UP_STEPS + 1, STEPS, result.torchStepMillis(),
                result.verigridStepMillis(), result.torchStepMillis() / result.verigridStepMillis());
    }

    private static double medianAfterWarmUp(List<Double> millis) {
        double[] sorted = millis.subList(WARM_UP_STEPS, millis.size()).stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted[sorted.length / 2];
    }

    private static double mean(List<Float> values, int from) {
        double total = 0;
        for (int i = from; i < values.size(); i++) {
            total += values.get(i);
        }
        return total / (values.size() - from);
    }
}
