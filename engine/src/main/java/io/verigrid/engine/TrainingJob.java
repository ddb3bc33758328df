package io.verigrid.engine;

import java.util.List;
import java.util.Optional;

/**
 * A training job kind the network posts, leases, executes, commits and verifies the same way: a step is a program
 * of {@link OpSpec}s computed from the spec and the step number alone ({@link #program}), realised by
 * {@link #step}; the job runs {@link #steps()} steps, committed every {@link #checkpointInterval()} steps.
 * The verification game, the referee and the roles see only this interface.
 *
 * <p>Kinds ({@link Kind}): {@code mlp} ({@link MlpJob}, data generated from its seed), {@code lm}
 * ({@link LmJob}, trained from seeded weights on a token dataset given by its content root) and
 * {@code lm-finetune} (an {@link LmJob} with {@link FineTuning}: it starts from a published checkpoint, named by
 * its blob id, and declares the root of its initial state, which executors recompute from the checkpoint).
 */
public sealed interface TrainingJob permits MlpJob, LmJob {
    /** The job kinds and their wire codes (the ledger's order {@code kind}). */
    enum Kind {
        MLP(1, "mlp"), LM(2, "lm"), LM_FINETUNE(3, "lm-finetune");

        private final int code;
        private final String tag;

        Kind(int code, String tag) {
            this.code = code;
            this.tag = tag;
        }

        public int code() {
            return code;
        }

        public String tag() {
            return tag;
        }

        /** The kind of wire code {@code code}; IllegalArgumentException naming the known kinds otherwise. */
        public static Kind ofCode(int code) {
            for (Kind kind : values()) {
                if (kind.code == code) return kind;
            }
            throw new IllegalArgumentException("unknown job kind " + code + " (known: " + known() + ")");
        }

        /** The kind named {@code tag} ("mlp", "lm"); IllegalArgumentException naming the known kinds otherwise. */
        public static Kind ofTag(String tag) {
            for (Kind kind : values()) {
                if (kind.tag.equals(tag)) return kind;
            }
            throw new IllegalArgumentException("unknown job kind '" + tag + "' (known: " + known() + ")");
        }

        private static String known() {
            StringBuilder out = new StringBuilder();
            for (Kind kind : values()) {
                out.append(out.isEmpty() ? "" : ", ").append(kind.code).append(" = ").append(kind.tag);
            }
            return out.toString();
        }
    }

    Kind kind();

    /** The canonical bytes of the spec, as its kind's codec writes them. */
    byte[] encode();

    int steps();

    int checkpointInterval();

    /** Checkpoint units: steps / checkpointInterval. */
    int units();

    /** The full operator list of step {@code step} (1-based), from the spec alone. */
    List<OpSpec> program(long step);

    /**
     * Runs step {@code state.step() + 1} on {@code dataset}; {@code fault} (nullable) is a drill cheat
     * ({@link Fault}: operator-level and skipped-step cheats apply here; a stale checkpoint is applied by the
     * caller that holds the unit's starting state).
     */
    MlpTrainer.StepResult step(Dataset dataset, ModelState state, Parallelism par, Fault fault);

    /**
     * The state before step 1 as the spec's seed gives it; IllegalStateException for a job that starts from a
     * checkpoint ({@link #declaredInitialRoot()} is then present).
     */
    ModelState initialState();

    /** The root the buyer declares for the state before step 1 when it is not seeded (fine-tuning), else empty. */
    Optional<byte[]> declaredInitialRoot();

    /** The blob id of the checkpoint the job starts from (fine-tuning), else empty. */
    Optional<byte[]> baseCheckpoint();

    /** The dataset the spec's seed generates, or empty when the job trains on a dataset given by its root. */
    Optional<Dataset> seededDataset();

    /** IllegalArgumentException naming the tensor when {@code dataset} is not data this job can train on. */
    void checkDataset(Dataset dataset);

    /** Floating-point operations of one checkpoint unit (about 6 · tokens · weights per step). */
    long unitFlops();

    /** Decodes {@code bytes} as a spec of kind {@code kind}; IllegalArgumentException on an unknown kind or bad bytes. */
    static TrainingJob decode(Kind kind, byte[] bytes) {
        if (kind == null) {
            throw new IllegalArgumentException("job kind must not be null");
        }
        return switch (kind) {
            case MLP -> MlpJob.decode(bytes);
            case LM, LM_FINETUNE -> {
                LmJob job = LmJobCodec.decode(bytes);
                if (job.kind() != kind) {
                    throw new IllegalArgumentException("the spec is a " + job.kind().tag() + " job, not " + kind.tag()
                            + (kind == Kind.LM_FINETUNE ? ": it names no base checkpoint" : ": it fine-tunes a checkpoint"));
                }
                yield job;
            }
        };
    }

    /** As {@link #decode(Kind, byte[])} for a wire code. */
    static TrainingJob decode(int kindCode, byte[] bytes) {
        return decode(Kind.ofCode(kindCode), bytes);
    }
}
