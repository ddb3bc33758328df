package io.verigrid.engine;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A training job's spec: a two-layer MLP classifier (inputDim → hidden, ReLU → classes, softmax
 * cross-entropy) trained with SGD + momentum on a synthetic dataset generated from {@code seed}. The job
 * runs {@code steps} steps, committed every {@code checkpointInterval} steps ({@link #units()} units).
 *
 * <p>Canonical encoding ({@link #encode()}), little-endian: version byte 1, seed i64, inputDim, hidden,
 * classes, samples, batch (u32 each), learningRate and momentum (raw float32 bits), steps,
 * checkpointInterval (u32 each) — 45 bytes.
 */
public record MlpJob(long seed, int inputDim, int hidden, int classes, int samples, int batch, float learningRate,
        float momentum, int steps, int checkpointInterval) implements TrainingJob {
    private static final byte ENCODING_VERSION = 1;
    private static final int ENCODED_BYTES = 1 + 8 + 9 * 4;
    private static final int MAX_DIM = 1 << 20;

    // Counter-RNG streams: one per generated tensor, so each is independent of the others' sizes.
    private static final long STREAM_CENTRES = 1;
    private static final long STREAM_LABELS = 2;
    private static final long STREAM_NOISE = 3;
    private static final long STREAM_W1 = 10;
    private static final long STREAM_W2 = 11;
    private static final float NOISE_SCALE = 1.0f;

    public MlpJob {
        positive("inputDim", inputDim);
        positive("hidden", hidden);
        positive("classes", classes);
        positive("samples", samples);
        positive("batch", batch);
        positive("steps", steps);
        positive("checkpointInterval", checkpointInterval);
        if (classes < 2) {
            throw new IllegalArgumentException("classes must be >= 2, got " + classes);
        }
        if (batch > samples) {
            throw new IllegalArgumentException("batch (" + batch + ") must be <= samples (" + samples + ")");
        }
        if (steps % checkpointInterval != 0) {
            throw new IllegalArgumentException("steps (" + steps + ") must be a multiple of checkpointInterval ("
                    + checkpointInterval + ")");
        }
        if (!Float.isFinite(learningRate) || learningRate <= 0) {
            throw new IllegalArgumentException("learningRate must be finite and > 0, got " + learningRate);
        }
        if (!Float.isFinite(momentum) || momentum < 0 || momentum >= 1) {
            throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        }
        fits("samples × inputDim", samples, inputDim);
        fits("inputDim × hidden", inputDim, hidden);
        fits("batch × hidden", batch, hidden);
        fits("hidden × classes", hidden, classes);
        fits("samples × classes", samples, classes);
    }

    private static void positive(String field, int value) {
        if (value <= 0 || value > MAX_DIM) {
            throw new IllegalArgumentException(field + " must be in [1, " + MAX_DIM + "], got " + value);
        }
    }

    private static void fits(String what, int a, int b) {
        if ((long) a * b > Integer.MAX_VALUE / 4) {
            throw new IllegalArgumentException(what + " is too large: " + a + " × " + b);
        }
    }

    /** The default demo job: trains in about a second on one core. */
    public static MlpJob demo() {
        return new MlpJob(7, 16, 64, 4, 2048, 64, 0.05f, 0.9f, 200, 20);
    }

    /** Checkpoint units: steps / checkpointInterval. */
    @Override
    public int units() {
        return steps / checkpointInterval;
    }

    @Override
    public Kind kind() {
        return Kind.MLP;
    }

    @Override
    public List<OpSpec> program(long step) {
        return MlpTrainer.program(this, step);
    }

    @Override
    public MlpTrainer.StepResult step(Dataset dataset, ModelState state, Parallelism par, Fault fault) {
        return MlpTrainer.step(this, dataset, state, par, fault);
    }

    @Override
    public Optional<byte[]> declaredInitialRoot() {
        return Optional.empty();
    }

    @Override
    public Optional<byte[]> baseCheckpoint() {
        return Optional.empty();
    }

    @Override
    public Optional<Dataset> seededDataset() {
        return Optional.of(dataset());
    }

    /** x (samples × inputDim) and integer class ids y (samples) in 0..classes−1, nothing else. */
    @Override
    public void checkDataset(Dataset dataset) {
        if (dataset == null || !dataset.tensors().keySet().equals(java.util.Set.of("x", "y"))) {
            throw new IllegalArgumentException("dataset holds " + (dataset == null ? "nothing" : dataset.tensors().keySet())
                    + ", an MLP job needs [x, y]");
        }
        Tensor x = dataset.tensor("x");
        Tensor y = dataset.tensor("y");
        if (!java.util.Arrays.equals(x.shape(), new int[] {samples, inputDim})
                || !java.util.Arrays.equals(y.shape(), new int[] {samples})) {
            throw new IllegalArgumentException("dataset has x " + java.util.Arrays.toString(x.shape()) + " and y "
                    + java.util.Arrays.toString(y.shape()) + "; the spec needs x [" + samples + ", " + inputDim
                    + "] and y [" + samples + "]");
        }
        float[] labels = y.data();
        for (int i = 0; i < labels.length; i++) {
            float label = labels[i];
            if (label != (int) label || label < 0 || label >= classes) {
                throw new IllegalArgumentException("dataset has label " + label + " at sample " + i
                        + "; labels must be integers in 0.." + (classes - 1));
            }
        }
    }

    /** Forward and backward of one step is about 6·batch·weights FLOP; a unit is checkpointInterval steps. */
    @Override
    public long unitFlops() {
        long weights = (long) inputDim * hidden + (long) hidden * classes;
        return Math.multiplyExact(Math.multiplyExact(6L * batch, weights), (long) checkpointInterval);
    }

    @Override
    public byte[] encode() {
        return ByteBuffer.allocate(ENCODED_BYTES).order(ByteOrder.LITTLE_ENDIAN)
                .put(ENCODING_VERSION).putLong(seed)
                .putInt(inputDim).putInt(hidden).putInt(classes).putInt(samples).putInt(batch)
                .putInt(Float.floatToRawIntBits(learningRate)).putInt(Float.floatToRawIntBits(momentum))
                .putInt(steps).putInt(checkpointInterval)
                .array();
    }

    /** Decodes {@link #encode()}'s bytes; IllegalArgumentException on a wrong version, length or field. */
    public static MlpJob decode(byte[] bytes) {
        if (bytes == null) {
            throw new IllegalArgumentException("job bytes must not be null");
        }
        if (bytes.length != ENCODED_BYTES) {
            throw new IllegalArgumentException("job bytes must be " + ENCODED_BYTES + " long, got " + bytes.length);
        }
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        try {
            byte version = in.get();
            if (version != ENCODING_VERSION) {
                throw new IllegalArgumentException("job encoding version must be " + ENCODING_VERSION + ", got "
                        + version);
            }
            return new MlpJob(in.getLong(), in.getInt(), in.getInt(), in.getInt(), in.getInt(), in.getInt(),
                    Float.intBitsToFloat(in.getInt()), Float.intBitsToFloat(in.getInt()), in.getInt(), in.getInt());
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("job bytes are truncated", e);
        }
    }

    /**
     * The synthetic dataset: {@code classes} centres uniform in [−1, 1]^inputDim; sample i gets a uniform
     * class id {@code y[i]} and {@code x[i] = centre[y[i]] + noise}, the noise per coordinate being a sum
     * of four uniforms minus 2 (zero mean, roughly normal). Every value comes from the counter RNG.
     */
    public Dataset dataset() {
        float[] centres = new float[classes * inputDim];
        for (int i = 0; i < centres.length; i++) {
            centres[i] = 2f * CounterRng.uniform(seed, STREAM_CENTRES, i) - 1f;
        }
        float[] x = new float[samples * inputDim];
        float[] y = new float[samples];
        for (int i = 0; i < samples; i++) {
            int label = CounterRng.below(seed, STREAM_LABELS, i, classes);
            y[i] = label;
            for (int d = 0; d < inputDim; d++) {
                long index = ((long) i * inputDim + d) * 4;
                float noise = CounterRng.uniform(seed, STREAM_NOISE, index)
                        + CounterRng.uniform(seed, STREAM_NOISE, index + 1)
                        + CounterRng.uniform(seed, STREAM_NOISE, index + 2)
                        + CounterRng.uniform(seed, STREAM_NOISE, index + 3) - 2f;
                x[i * inputDim + d] = centres[label * inputDim + d] + NOISE_SCALE * noise;
            }
        }
        TreeMap<String, Tensor> tensors = new TreeMap<>();
        tensors.put("x", Tensor.wrap(new int[] {samples, inputDim}, x));
        tensors.put("y", Tensor.wrap(new int[] {samples}, y));
        return new Dataset(tensors);
    }

    /**
     * The state before step 1: {@code w1} (inputDim×hidden) and {@code w2} (hidden×classes) uniform in
     * ±1/√fanIn, biases {@code b1}, {@code b2} zero, momentum buffers {@code v_*} zero, step 0.
     */
    @Override
    public ModelState initialState() {
        TreeMap<String, Tensor> tensors = new TreeMap<>();
        tensors.put("w1", scaledUniform(STREAM_W1, inputDim, hidden));
        tensors.put("b1", Tensor.zeros(hidden));
        tensors.put("w2", scaledUniform(STREAM_W2, hidden, classes));
        tensors.put("b2", Tensor.zeros(classes));
        tensors.put("v_w1", Tensor.zeros(inputDim, hidden));
        tensors.put("v_b1", Tensor.zeros(hidden));
        tensors.put("v_w2", Tensor.zeros(hidden, classes));
        tensors.put("v_b2", Tensor.zeros(classes));
        return new ModelState(tensors, 0);
    }

    private Tensor scaledUniform(long stream, int fanIn, int fanOut) {
        float scale = (float) (1.0 / StrictMath.sqrt(fanIn));
        float[] values = new float[fanIn * fanOut];
        for (int i = 0; i < values.length; i++) {
            values[i] = (2f * CounterRng.uniform(seed, stream, i) - 1f) * scale;
        }
        return Tensor.wrap(new int[] {fanIn, fanOut}, values);
    }
}
