package io.verigrid.node.drill;

import io.verigrid.engine.Dataset;
import io.verigrid.engine.Fault;
import io.verigrid.engine.FineTuning;
import io.verigrid.engine.GptConfig;
import io.verigrid.engine.GptModel;
import io.verigrid.engine.LanguageModel;
import io.verigrid.engine.LearningRate;
import io.verigrid.engine.LlamaConfig;
import io.verigrid.engine.LlamaModel;
import io.verigrid.engine.LmJob;
import io.verigrid.engine.MlpJob;
import io.verigrid.engine.ModelState;
import io.verigrid.engine.OpRecord;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.StepTrace;
import io.verigrid.engine.Tensor;
import io.verigrid.engine.TrainingJob;
import io.verigrid.verify.Commitments;
import io.verigrid.verify.LocalRun;
import java.util.Arrays;
import java.util.List;
import java.util.SortedMap;
import java.util.SplittableRandom;

/**
 * One fault-drill case: a tiny job of some kind, the cheat one party applies, and who applies it — a cheating
 * provider (the game must slash it) or a dishonest challenger against an honest provider (the game must uphold the
 * provider). {@link #expected} is where the game must end, computed here from the two parties' own executions: the
 * first unit whose roots differ, the first step inside it whose root differs, and the first operator of that step
 * whose trace leaf differs ({@code ASSEMBLY} when every leaf agrees but the state does not).
 *
 * <p>Cases are drawn from a seed ({@link #draw}); a cheat that changes no committed root (a flipped bit the next
 * step overwrites, a bf16 rounding of a value bf16 holds exactly) gains nothing and cannot be caught, and one the
 * engine refuses in the cheater's own run (a flipped label that is no class id) commits nothing, so both are
 * redrawn.
 */
public record CheatCase(int index, TrainingJob job, Dataset dataset, Fault fault, boolean dishonestChallenger,
                        Expected expected) {
    /** The opKind the ledger records for a dispute settled on the assembled state. */
    public static final String ASSEMBLY = "ASSEMBLY";

    /** Where the game must end: unit, step, operator index (the trace length for the assembly) and its kind. */
    public record Expected(int unit, long step, int operator, String opKind, int traceLength) {}

    /** The token dataset every language-model case trains on: one blob, published once per soak. */
    public static final int VOCAB = 32;
    public static final int SEQ = 8;
    public static final int SEQUENCES = 16;
    private static final int STEPS = 4;
    private static final int INTERVAL = 2;

    /**
     * What cases draw on besides the seed: the token dataset every language-model case trains on, and per
     * architecture a published base checkpoint (weights and the blob id replicas serve it under) for fine-tuning.
     */
    public record Inputs(Dataset lmData, SortedMap<String, Tensor> gptBase, byte[] gptBaseId,
                         SortedMap<String, Tensor> llamaBase, byte[] llamaBaseId) {
        SortedMap<String, Tensor> base(LanguageModel model) {
            return model instanceof GptModel ? gptBase : llamaBase;
        }

        byte[] baseId(LanguageModel model) {
            return model instanceof GptModel ? gptBaseId : llamaBaseId;
        }
    }

    public static final LanguageModel GPT = new GptModel(new GptConfig(VOCAB, SEQ, 16, 1, 2, 1e-5f, true));
    public static final LanguageModel LLAMA = new LlamaModel(new LlamaConfig(16, 24, 1, 2, 1, VOCAB, SEQ, 1e-6f, 10000f, false));

    /** The base checkpoint of {@code model} that fine-tuning cases start from: its weights from a fixed seed. */
    public static SortedMap<String, Tensor> baseWeights(LanguageModel model) {
        return model.initialParameters(77);
    }

    public static Dataset lmDataset() {
        int[] stream = new int[SEQUENCES * SEQ + 1];
        SplittableRandom random = new SplittableRandom(20_241_125L);
        for (int i = 0; i < stream.length; i++) stream[i] = random.nextInt(VOCAB);
        return LmJob.windows(stream, SEQ, VOCAB);
    }

    /** Draws case {@code index} from {@code random}: job kind, model, cheat kind, step, operator, element, bit. */
    public static CheatCase draw(SplittableRandom random, int index, Inputs inputs, Parallelism par) {
        while (true) {
            TrainingJob job = switch (TrainingJob.Kind.values()[random.nextInt(TrainingJob.Kind.values().length)]) {
                case MLP -> mlp(random);
                case LM -> lm(random);
                case LM_FINETUNE -> fineTune(random, inputs);
            };
            Dataset data = job.seededDataset().orElse(inputs.lmData());
            ModelState initial = initialState(job, inputs);
            LocalRun honest = LocalRun.execute(job, data, initial, job.steps(), par, null);
            Fault fault = fault(random, job, honest);
            boolean dishonest = random.nextInt(4) == 0;
            LocalRun cheat;
            try {
                cheat = LocalRun.execute(job, data, initial, job.steps(), par, fault);
            } catch (IllegalArgumentException e) {
                continue; // the cheat breaks the cheater's own run (a flipped label is no class id): nothing to commit
            }
            Expected expected = expected(job, honest, cheat);
            if (expected != null) return new CheatCase(index, job, data, fault, dishonest, expected);
        }
    }

    private static MlpJob mlp(SplittableRandom random) {
        return new MlpJob(random.nextLong(1, 1L << 40), 4, 8, 3, 32, 8, 0.05f, 0.9f, STEPS, INTERVAL);
    }

    static ModelState initialState(TrainingJob job, Inputs inputs) {
        if (job.declaredInitialRoot().isEmpty()) return job.initialState();
        LmJob lm = (LmJob) job;
        return lm.initialState(inputs.base(lm.model()));
    }

    /** LoRA or full fine-tuning with a frozen prefix, declaring the root its base checkpoint gives. */
    private static LmJob fineTune(SplittableRandom random, Inputs inputs) {
        LmJob job = lm(random);
        boolean gpt = job.model() instanceof GptModel;
        byte[] id = inputs.baseId(job.model());
        byte[] unknownRoot = new byte[32];
        FineTuning tuning = random.nextBoolean()
                ? FineTuning.lora(id, unknownRoot, 2, 4f, gpt ? List.of("c_attn") : List.of("q_proj", "v_proj"))
                : FineTuning.full(id, unknownRoot, List.of(gpt ? "transformer.wpe." : "model.embed_tokens."));
        LmJob draft = job.withFineTuning(tuning);
        byte[] root = Commitments.stateRoot(draft.initialState(inputs.base(job.model())));
        return job.withFineTuning(new FineTuning(id, root, tuning.mode()));
    }

    private static LmJob lm(SplittableRandom random) {
        LanguageModel model = random.nextBoolean() ? GPT : LLAMA;
        return new LmJob(model, random.nextLong(1, 1L << 40), SEQUENCES, 4, SEQ, STEPS, INTERVAL,
                new LearningRate(1e-2f, 1e-3f, 1, STEPS), 0.9f, 0.95f, 1e-8f, 0.01f, 1.0f);
    }

    private static Fault fault(SplittableRandom random, TrainingJob job, LocalRun honest) {
        long step = random.nextLong(1, job.steps() + 1);
        Fault.Kind kind = Fault.Kind.values()[random.nextInt(Fault.Kind.values().length)];
        return switch (kind) {
            case BIT_FLIP -> {
                OpRecord op = randomOp(random, honest.trace(step));
                yield Fault.bitFlip(step, op.index(), random.nextInt(op.output().size()), 1 << random.nextInt(32));
            }
            case LOW_PRECISION -> Fault.lowPrecision(step, randomOp(random, honest.trace(step)).index());
            case DATA_OUT_OF_ORDER -> Fault.dataOutOfOrder(step);
            case SKIPPED_STEP -> Fault.skippedStep(step);
            // The state committed at a unit's end is the unit's starting one.
            case STALE_CHECKPOINT -> Fault.staleCheckpoint((long) random.nextInt(1, job.units() + 1) * job.checkpointInterval());
        };
    }

    private static OpRecord randomOp(SplittableRandom random, StepTrace trace) {
        List<OpRecord> ops = trace.ops();
        return ops.get(random.nextInt(ops.size()));
    }

    /** The first divergence between the honest and the faulty execution, or null when no committed root differs. */
    static Expected expected(TrainingJob job, LocalRun honest, LocalRun cheat) {
        for (int unit = 1; unit <= job.units(); unit++) {
            long end = (long) unit * job.checkpointInterval();
            if (Arrays.equals(honest.stateRoot(end), cheat.stateRoot(end))) continue;
            for (long step = end - job.checkpointInterval() + 1; step <= end; step++) {
                if (Arrays.equals(honest.stateRoot(step), cheat.stateRoot(step))) continue;
                List<byte[]> mine = Commitments.traceLeaves(honest.trace(step));
                List<byte[]> theirs = Commitments.traceLeaves(cheat.trace(step));
                for (int j = 0; j < mine.size(); j++) {
                    if (!Arrays.equals(mine.get(j), theirs.get(j))) {
                        return new Expected(unit, step, j, job.program(step).get(j).kind(), mine.size());
                    }
                }
                return new Expected(unit, step, mine.size(), ASSEMBLY, mine.size());
            }
            throw new IllegalStateException("unit " + unit + "'s roots differ but none of its steps' do");
        }
        return null;
    }

    /** Spec §6: rounds ≤ ⌈log_f(units)⌉ + ⌈log_f(steps per unit)⌉ + ⌈log_f(trace length)⌉ + 1. */
    public int roundBound(int fanout) {
        return ceilLog(job.units(), fanout) + ceilLog(job.checkpointInterval(), fanout)
                + ceilLog(expected.traceLength(), fanout) + 1;
    }

    static int ceilLog(long n, int base) {
        int rounds = 0;
        for (long reach = 1; reach < n; reach *= base) rounds++;
        return rounds;
    }

    @Override
    public String toString() {
        return "case " + index + ": " + job.kind().tag() + (job instanceof LmJob lm ? "/" + lm.model().getClass().getSimpleName()
                + (lm.fineTuning() == null ? "" : "/" + lm.fineTuning().mode().getClass().getSimpleName()) : "")
                + " " + fault.kind() + " at step " + fault.step()
                + (fault.kind() == Fault.Kind.BIT_FLIP || fault.kind() == Fault.Kind.LOW_PRECISION ? " op " + fault.opIndex() : "")
                + (dishonestChallenger ? " by a dishonest challenger" : " by the provider")
                + " -> expect unit " + expected.unit() + " step " + expected.step() + " op " + expected.operator()
                + " (" + expected.opKind() + ")";
    }
}
