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

    private LossCurveCompare() {
    }

    static LmJob job() {
        return new LmJob(new GptModel(CONFIG), 2024, SEQUENCES, BATCH, SEQ_LEN, STEPS, STEPS,
                new LearningRate(3e-3f, 3e-4f, 20, STEPS), 0.9f, 0.95f, 1e-8f, 0.1f, 1.0f);
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Path dir = Path.of(args.length > 0 ? args[0] : "target/loss-curve");
        String python = args.length > 1 ? args[1] : "/usr/bin/python3";
        String script = args.length > 2 ? args[2] : "scripts/torch_reference_gpt.py";
        LmJob job = job();
        Dataset data = LmJob.windows(CharCorpus.tokens(7, SEQUENCES * SEQ_LEN + 1), SEQ_LEN, CONFIG.vocabSize());
        ModelState state = job.initialState();
        writeInputs(dir, job, data, state);

        List<Float> torch = torchLosses(python, script, dir);
        List<Float> verigrid = new ArrayList<>();
        try (Parallelism par = Parallelism.of(Math.max(1, Runtime.getRuntime().availableProcessors()))) {
            for (int s = 0; s < STEPS; s++) {
                MlpTrainer.StepResult result = LmTrainer.step(job, data, state, par, null);
                verigrid.add(result.loss());
                state = result.next();
            }
        }
        print(job, torch, verigrid);
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

    private static List<Float> torchLosses(String python, String script, Path dir)
            throws IOException, InterruptedException {
        Process process = new ProcessBuilder(python, script, dir.toString()).redirectErrorStream(true).start();
        List<Float> losses = new ArrayList<>();
        List<String> other = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String[] parts = line.trim().split(" ");
                if (parts.length == 4 && parts[0].equals("step") && parts[2].equals("loss")) {
                    losses.add(Float.parseFloat(parts[3]));
                } else {
                    other.add(line);
                }
            }
        }
        if (process.waitFor() != 0 || losses.size() != STEPS) {
            throw new UncheckedIOException(new IOException("the PyTorch reference failed (exit " + process.exitValue()
                    + ", " + losses.size() + " losses): " + String.join("\n", other)));
        }
        return losses;
    }

    private static void print(LmJob job, List<Float> torch, List<Float> verigrid) {
        System.out.println("# GPT loss curve: Verigrid engine vs PyTorch 1.13");
        System.out.println();
        System.out.println("Character-level GPT (" + CONFIG + "), " + job.sequences() + " sequences of " + SEQ_LEN
                + " tokens from the seeded grammar corpus, batch " + BATCH + ", AdamW (betas " + job.beta1() + "/"
                + job.beta2() + ", weight decay " + job.weightDecay() + " on matrices), clip " + job.clipNorm()
                + ", learning rate " + job.schedule() + ". Same initial weights and batches on both sides.");
        System.out.println();
        System.out.println("| step | PyTorch | Verigrid | relative difference |");
        System.out.println("|---:|---:|---:|---:|");
        double worst = 0;
        for (int s = 0; s < STEPS; s++) {
            double relative = Math.abs(verigrid.get(s) - torch.get(s)) / Math.abs(torch.get(s));
            worst = Math.max(worst, relative);
            if (s < 5 || (s + 1) % 10 == 0) {
                System.out.printf("| %d | %.5f | %.5f | %.2e |%n", s + 1, torch.get(s), verigrid.get(s), relative);
            }
        }
        double torchTail = mean(torch, STEPS - 10);
        double verigridTail = mean(verigrid, STEPS - 10);
        System.out.println();
        System.out.printf("Final loss (mean of the last 10 steps): PyTorch %.5f, Verigrid %.5f, relative difference "
                + "%.3f%%. Largest per-step relative difference: %.3f%%.%n", torchTail, verigridTail,
                100 * Math.abs(verigridTail - torchTail) / torchTail, 100 * worst);
    }

    private static double mean(List<Float> values, int from) {
        double total = 0;
        for (int i = from; i < values.size(); i++) {
            total += values.get(i);
        }
        return total / (values.size() - from);
    }
}
