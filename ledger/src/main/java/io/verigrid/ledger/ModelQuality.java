package io.verigrid.ledger;

import io.verigrid.engine.Ops;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.Tensor;
import io.verigrid.ledger.tx.ByteWriter;
import io.verigrid.verify.Hashes;
import java.util.List;

/**
 * The built-in verified-model-quality subnet's task. A miner's model is a linear classifier
 * ({@value #FEATURES}×{@value #CLASSES} float32 weights, row-major); the task is the fixed "teacher" classifier of
 * the subnet; the held-out evaluation set is {@value #EVAL_SIZE} inputs drawn from a block hash the miner could not
 * know when publishing. A model's score is how many evaluation inputs it classifies as the teacher does. The
 * forward pass is the engine's bit-exact {@code matmul}, so every validator, challenger and the ledger's referee
 * compute the same integer.
 */
public final class ModelQuality {
    public static final int FEATURES = 8;
    public static final int CLASSES = 4;
    public static final int MODEL_SIZE = FEATURES * CLASSES;
    public static final int EVAL_SIZE = 64;

    private ModelQuality() {}

    /** The evaluation seed of block {@code blockHash} on subnet {@code netuid}. */
    public static byte[] evalSeed(int netuid, byte[] blockHash) {
        return Hashes.sha256(new ByteWriter().string("verigrid-model-quality-eval").i32(netuid).raw(blockHash).toBytes());
    }

    /** Every model's score on the evaluation set of {@code evalSeed}; a missing or malformed model scores 0. */
    public static int[] scores(int netuid, byte[] evalSeed, List<float[]> models) {
        Tensor x = inputs(evalSeed, EVAL_SIZE);
        int[] labels = argmax(matmul(x, teacher(netuid)));
        int[] scores = new int[models.size()];
        for (int i = 0; i < scores.length; i++) {
            float[] m = models.get(i);
            if (m == null || m.length != MODEL_SIZE || !finite(m)) continue;
            int[] predicted = argmax(matmul(x, Tensor.of(new int[] {FEATURES, CLASSES}, m.clone())));
            for (int k = 0; k < EVAL_SIZE; k++) if (predicted[k] == labels[k]) scores[i]++;
        }
        return scores;
    }

    /** A model fitted to {@code examples} public training inputs of the subnet by a fixed-order perceptron. */
    public static float[] train(int netuid, int examples, int epochs) {
        Tensor x = inputs(Hashes.sha256(new ByteWriter().string("verigrid-model-quality-train").i32(netuid).toBytes()), examples);
        int[] labels = argmax(matmul(x, teacher(netuid)));
        float[] w = new float[MODEL_SIZE];
        float[] xs = x.data();
        for (int e = 0; e < epochs; e++) {
            for (int k = 0; k < examples; k++) {
                int predicted = argmax(matmul(Tensor.of(new int[] {1, FEATURES}, java.util.Arrays.copyOfRange(xs, k * FEATURES, (k + 1) * FEATURES)),
                        Tensor.of(new int[] {FEATURES, CLASSES}, w.clone())))[0];
                if (predicted == labels[k]) continue;
                for (int f = 0; f < FEATURES; f++) {
                    w[f * CLASSES + labels[k]] += xs[k * FEATURES + f];
                    w[f * CLASSES + predicted] -= xs[k * FEATURES + f];
                }
            }
        }
        return w;
    }

    /** The subnet's ground truth: a classifier drawn from the subnet id alone. */
    static Tensor teacher(int netuid) {
        return Tensor.of(new int[] {FEATURES, CLASSES},
                uniform(Hashes.sha256(new ByteWriter().string("verigrid-model-quality-teacher").i32(netuid).toBytes()), MODEL_SIZE));
    }

    static Tensor inputs(byte[] seed, int count) {
        return Tensor.of(new int[] {count, FEATURES}, uniform(seed, count * FEATURES));
    }

    /** Values in [-1, 1) on a 2^-23 grid from SHA-256(seed, counter): exact floats, no platform arithmetic. */
    private static float[] uniform(byte[] seed, int count) {
        float[] out = new float[count];
        for (int block = 0; block * 8 < count; block++) {
            byte[] h = Hashes.sha256(seed, new ByteWriter().i32(block).toBytes());
            for (int j = 0; j < 8 && block * 8 + j < count; j++) {
                int bits = ((h[4 * j] & 0xff) << 24) | ((h[4 * j + 1] & 0xff) << 16) | ((h[4 * j + 2] & 0xff) << 8) | (h[4 * j + 3] & 0xff);
                out[block * 8 + j] = (bits >>> 8) * 0x1p-23f - 1f;
            }
        }
        return out;
    }

    private static Tensor matmul(Tensor a, Tensor b) {
        return Ops.execute("matmul", new long[] {0, 0}, List.of(a, b), Parallelism.single());
    }

    /** Per row the first index of the largest value. */
    private static int[] argmax(Tensor logits) {
        int rows = logits.shape()[0], cols = logits.shape()[1];
        float[] v = logits.data();
        int[] out = new int[rows];
        for (int r = 0; r < rows; r++) {
            int best = 0;
            for (int c = 1; c < cols; c++) if (v[r * cols + c] > v[r * cols + best]) best = c;
            out[r] = best;
        }
        return out;
    }

    static boolean finite(float[] values) {
        for (float f : values) if (!Float.isFinite(f)) return false;
        return true;
    }
}
