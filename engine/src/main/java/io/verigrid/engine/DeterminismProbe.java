package io.verigrid.engine;

import io.verigrid.engine.generate.KvCache;
import io.verigrid.engine.generate.LlamaDecoder;
import io.verigrid.engine.generate.TinyLlama;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;

/**
 * Prints the digests CI compares across JDKs, thread counts, {@code -Xint} and vector widths (DESIGN.md §2),
 * one per line:
 * <pre>
 *   digest &lt;hex&gt;         the demo MLP job's state after its steps (or --steps S)
 *   op &lt;kind&gt; &lt;hex&gt;      every registered operator's outputs, forward and backward ({@link OperatorProbe})
 *   gpt &lt;hex&gt;            a tiny GPT's state after AdamW steps with weight decay and gradient clipping
 *   llama &lt;hex&gt;          the same for a tiny Llama with grouped-query attention
 *   decode &lt;hex&gt;         greedy decoding with {@link LlamaDecoder} on a TinyLlama-shaped model: tokens and logits
 *   finetune &lt;hex&gt;       LoRA fine-tuning of the tiny Llama's q_proj and v_proj from a seeded base checkpoint
 * </pre>
 * Usage: {@code DeterminismProbe [--threads N] [--steps S] [--small]} (defaults: 1 thread, all of the demo's
 * steps). {@code --small} runs 20 MLP steps, 2 language-model steps and 6 decoded tokens, short enough for the
 * interpreter; its lines are compared with other {@code --small} runs only.
 */
public final class DeterminismProbe {
    private static final String USAGE = "usage: DeterminismProbe [--threads N] [--steps S] [--small]; ";

    private DeterminismProbe() {
    }

    public static void main(String[] args) {
        MlpJob job = MlpJob.demo();
        int threads = 1;
        Integer steps = null;
        boolean small = false;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--small")) {
                small = true;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(USAGE + args[i] + " needs a value");
            }
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException(USAGE + "unknown option " + args[i]);
            }
        }
        int mlpSteps = steps != null ? steps : small ? 20 : job.steps();
        if (mlpSteps < 0 || mlpSteps > job.steps()) {
            throw new IllegalArgumentException("--steps must be in [0, " + job.steps() + "], got " + mlpSteps);
        }
        int lmSteps = small ? 2 : 6;
        int decoded = small ? 6 : 24;
        try (Parallelism par = Parallelism.of(threads)) {
            System.out.println("digest " + hex(digest(job, par, mlpSteps)));
            for (Map.Entry<String, byte[]> op : OperatorProbe.digests(par, small).entrySet()) {
                System.out.println("op " + op.getKey() + " " + hex(op.getValue()));
            }
            System.out.println("gpt " + hex(trained(tinyJob(tinyGpt(), lmSteps), par)));
            System.out.println("llama " + hex(trained(tinyJob(tinyLlama(), lmSteps), par)));
            System.out.println("decode " + hex(greedyDecode(decoded, par)));
            System.out.println("finetune " + hex(fineTuned(lmSteps, par)));
        }
    }

    static byte[] digest(MlpJob job, int threads, int steps) {
        try (Parallelism par = Parallelism.of(threads)) {
            return digest(job, par, steps);
        }
    }

    private static byte[] digest(MlpJob job, Parallelism par, int steps) {
        return MlpTrainer.run(job, job.dataset(), job.initialState(), steps, par, null).digest();
    }

    static GptModel tinyGpt() {
        return new GptModel(new GptConfig(CharCorpus.ALPHABET.length(), 16, 16, 2, 2, 1e-5f, true));
    }

    static LlamaModel tinyLlama() {
        return new LlamaModel(new LlamaConfig(16, 40, 2, 4, 2, CharCorpus.ALPHABET.length(), 16, 1e-6f, 10000f, false));
    }

    /** AdamW with a warm-up schedule, weight decay 0.1 and global-norm clipping at 1: every optimizer operator runs. */
    static LmJob tinyJob(LanguageModel model, int steps) {
        return new LmJob(model, 5, 64, 4, 8, steps, steps, new LearningRate(1e-2f, 1e-3f, Math.min(3, steps), steps),
                0.9f, 0.95f, 1e-8f, 0.1f, 1f);
    }

    static Dataset tinyData(LmJob job) {
        return LmJob.windows(CharCorpus.tokens(11, job.sequences() * job.seqLen() + 1), job.seqLen(),
                CharCorpus.ALPHABET.length());
    }

    private static byte[] trained(LmJob job, Parallelism par) {
        return LmTrainer.run(job, tinyData(job), job.initialState(), job.steps(), par, null).digest();
    }

    /**
     * The state after LoRA steps (rank 4, alpha 8, on q_proj and v_proj) over the tiny Llama's seeded weights as the
     * base checkpoint: the adapter operators, the frozen base and AdamW over the adapters only.
     */
    static byte[] fineTuned(int steps, Parallelism par) {
        LlamaModel model = tinyLlama();
        LmJob job = tinyJob(model, steps).withFineTuning(
                FineTuning.lora(new byte[32], new byte[32], 4, 8f, List.of("q_proj", "v_proj")));
        return LmTrainer.run(job, tinyData(job), job.initialState(model.initialParameters(9)), steps, par, null).digest();
    }

    /**
     * Greedy decoding of {@code tokens} tokens after a fixed prompt with a TinyLlama-shaped decoder (hidden 64,
     * 2 layers, 4 heads over 2 key/value heads, vocabulary 300) on seeded weights: SHA-256 over every chosen id
     * and every step's logits. Ties go to the lowest id.
     */
    static byte[] greedyDecode(int tokens, Parallelism par) {
        LlamaConfig config = TinyLlama.config(300, 64);
        LlamaDecoder decoder = new LlamaDecoder(config, new LlamaModel(config).initialParameters(17));
        KvCache cache = decoder.newCache();
        MessageDigest sha = OperatorProbe.sha256();
        int[] next = {1, 42, 7, 199, 3};
        for (int t = 0; t < tokens; t++) {
            float[] logits = decoder.decode(List.of(cache), List.of(next), par)[0];
            ByteBuffer bytes = ByteBuffer.allocate(4 * logits.length).order(ByteOrder.LITTLE_ENDIAN);
            int best = 0;
            for (int v = 0; v < logits.length; v++) {
                bytes.putFloat(logits[v]);
                if (logits[v] > logits[best]) {
                    best = v;
                }
            }
            sha.update(bytes.array());
            sha.update(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(best).array());
            next = new int[] {best};
        }
        return sha.digest();
    }

    static String hex(byte[] bytes) {
        StringBuilder text = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) {
            text.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return text.toString();
    }
}
