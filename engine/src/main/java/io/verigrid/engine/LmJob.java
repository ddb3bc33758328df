package io.verigrid.engine;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A language-model training job: the model, the seed of its initial weights, the number of training
 * sequences in its dataset (step s trains on rows ((s−1)·batch) mod sequences onward), batch and sequence length,
 * the step count and checkpoint interval, and AdamW's hyperparameters (learning-rate schedule, betas, eps,
 * weight decay on matrices only, global-norm clipping; clipNorm 0 turns clipping off). The data is a
 * {@link Dataset} with one tensor {@code tokens} (sequences × (seqLen + 1)), see {@link #windows}.
 *
 * <p>{@code fineTuning} is null for training from seeded weights. Otherwise the job fine-tunes a published
 * checkpoint ({@link FineTuning}): the state starts from the base weights ({@link #initialState(SortedMap)}),
 * only {@link #trainableShapes()} take gradients, moments and updates, and {@code seed} seeds the LoRA
 * adapters' initial values.
 */
public record LmJob(LanguageModel model, long seed, int sequences, int batch, int seqLen, int steps, int checkpointInterval,
        LearningRate schedule, float beta1, float beta2, float eps, float weightDecay, float clipNorm,
        FineTuning fineTuning) {
    /** A job training from seeded weights. */
    public LmJob(LanguageModel model, long seed, int sequences, int batch, int seqLen, int steps, int checkpointInterval,
            LearningRate schedule, float beta1, float beta2, float eps, float weightDecay, float clipNorm) {
        this(model, seed, sequences, batch, seqLen, steps, checkpointInterval, schedule, beta1, beta2, eps, weightDecay,
                clipNorm, null);
    }

    public LmJob {
        if (model == null || schedule == null) {
            throw new IllegalArgumentException("model and schedule must not be null");
        }
        LlamaConfig.positive("sequences", sequences);
        LlamaConfig.positive("batch", batch);
        if (batch > sequences) {
            throw new IllegalArgumentException("batch (" + batch + ") must be <= sequences (" + sequences + ")");
        }
        LlamaConfig.positive("seqLen", seqLen);
        LlamaConfig.positive("steps", steps);
        LlamaConfig.positive("checkpointInterval", checkpointInterval);
        if (steps % checkpointInterval != 0) {
            throw new IllegalArgumentException("steps (" + steps + ") must be a multiple of checkpointInterval ("
                    + checkpointInterval + ")");
        }
        if (seqLen > model.maxPositions()) {
            throw new IllegalArgumentException("seqLen " + seqLen + " exceeds the model's " + model.maxPositions()
                    + " positions");
        }
        if (schedule.total() != steps) {
            throw new IllegalArgumentException("the schedule covers " + schedule.total() + " steps, the job " + steps);
        }
        if (!(beta1 >= 0f && beta1 < 1f) || !(beta2 >= 0f && beta2 < 1f)) {
            throw new IllegalArgumentException("beta1 and beta2 must be in [0, 1), got " + beta1 + ", " + beta2);
        }
        if (!(eps > 0f) || !Float.isFinite(eps) || !(weightDecay >= 0f) || !Float.isFinite(weightDecay)
                || !(clipNorm >= 0f) || !Float.isFinite(clipNorm)) {
            throw new IllegalArgumentException("eps must be > 0, weightDecay and clipNorm >= 0 and finite");
        }
        if (fineTuning != null) {
            fineTuning.check(model);
        }
    }

    /** This job as a fine-tuning of a checkpoint. */
    public LmJob withFineTuning(FineTuning tuning) {
        if (tuning == null) {
            throw new IllegalArgumentException("fineTuning must not be null");
        }
        return new LmJob(model, seed, sequences, batch, seqLen, steps, checkpointInterval, schedule, beta1, beta2, eps,
                weightDecay, clipNorm, tuning);
    }

    public int units() {
        return steps / checkpointInterval;
    }

    /** The optimizer-state tensor names of parameter {@code name}. */
    public static String firstMoment(String name) {
        return "optim.m." + name;
    }

    public static String secondMoment(String name) {
        return "optim.v." + name;
    }

    /**
     * The tensors the optimizer updates, in name order: every model parameter when training from seed; the
     * parameters outside the frozen prefixes with {@link FineTuning.Full}; the adapters with
     * {@link FineTuning.Lora}.
     */
    public SortedMap<String, int[]> trainableShapes() {
        if (fineTuning == null) {
            return model.parameterShapes();
        }
        if (fineTuning.mode() instanceof FineTuning.Lora lora) {
            return LoraAdapter.shapes(model, lora);
        }
        SortedMap<String, int[]> shapes = new TreeMap<>(model.parameterShapes());
        shapes.keySet().removeIf(fineTuning::frozen);
        return shapes;
    }

    /** The state before step 1: the model's seeded initial weights and zero AdamW moments. */
    public ModelState initialState() {
        if (fineTuning != null) {
            throw new IllegalStateException("a fine-tuning job starts from its base checkpoint: use initialState(baseWeights)");
        }
        return stateFrom(model.initialParameters(seed));
    }

    /**
     * The state before step 1 of a fine-tuning job: the base weights (checked against the model), with LoRA the
     * seeded adapters and {@link LoraAdapter#SCALING}, and zero AdamW moments for the trainable tensors only —
     * frozen tensors get none. Executors compare this state's root with {@link FineTuning#initialStateRoot}.
     */
    public ModelState initialState(SortedMap<String, Tensor> baseWeights) {
        if (fineTuning == null) {
            throw new IllegalStateException("a job training from seed has no base weights: use initialState()");
        }
        if (baseWeights == null) {
            throw new IllegalArgumentException("baseWeights must not be null");
        }
        model.checkWeights(baseWeights);
        TreeMap<String, Tensor> tensors = new TreeMap<>(baseWeights);
        if (fineTuning.mode() instanceof FineTuning.Lora lora) {
            tensors.putAll(LoraAdapter.initial(model, lora, seed));
            tensors.put(LoraAdapter.SCALING, Tensor.of(new int[] {1}, new float[] {lora.scaling()}));
        }
        for (Map.Entry<String, int[]> entry : trainableShapes().entrySet()) {
            tensors.put(firstMoment(entry.getKey()), Tensor.zeros(entry.getValue()));
            tensors.put(secondMoment(entry.getKey()), Tensor.zeros(entry.getValue()));
        }
        return new ModelState(tensors, 0);
    }

    /**
     * A state starting from given weights with every parameter trainable (continuing from a checkpoint): checked,
     * with zero moments. A {@link FineTuning} job starts from {@link #initialState(SortedMap)} instead.
     */
    public ModelState stateFrom(SortedMap<String, Tensor> weights) {
        model.checkWeights(weights);
        TreeMap<String, Tensor> tensors = new TreeMap<>(weights);
        for (Map.Entry<String, int[]> entry : model.parameterShapes().entrySet()) {
            tensors.put(firstMoment(entry.getKey()), Tensor.zeros(entry.getValue()));
            tensors.put(secondMoment(entry.getKey()), Tensor.zeros(entry.getValue()));
        }
        return new ModelState(tensors, 0);
    }

    /**
     * The dataset of a token stream: consecutive windows of seqLen + 1 tokens starting every seqLen tokens
     * (each window's last token is the next window's first), as the tensor {@code tokens}.
     */
    public static Dataset windows(int[] stream, int seqLen, int vocabSize) {
        if (stream == null || seqLen < 1 || stream.length < seqLen + 1) {
            throw new IllegalArgumentException("the token stream needs at least seqLen + 1 = " + (seqLen + 1) + " tokens");
        }
        int count = (stream.length - 1) / seqLen;
        float[] values = new float[count * (seqLen + 1)];
        for (int w = 0; w < count; w++) {
            for (int i = 0; i <= seqLen; i++) {
                int token = stream[w * seqLen + i];
                if (token < 0 || token >= vocabSize) {
                    throw new IllegalArgumentException("token " + (w * seqLen + i) + " is " + token + ", outside [0, "
                            + vocabSize + ")");
                }
                values[w * (seqLen + 1) + i] = token;
            }
        }
        TreeMap<String, Tensor> tensors = new TreeMap<>();
        tensors.put("tokens", Tensor.of(new int[] {count, seqLen + 1}, values));
        return new Dataset(tensors);
    }
}
