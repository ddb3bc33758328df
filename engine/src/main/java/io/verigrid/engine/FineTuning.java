package io.verigrid.engine;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;

/**
 * What makes an {@link LmJob} a fine-tuning job: the published checkpoint it starts from and what it trains.
 * <ul>
 *   <li>{@code baseCheckpoint}: the 32-byte content id of the base weights blob. Opaque here: the node layer
 *       fetches the blob by it and hands the weights to {@link LmJob#initialState(SortedMap)}.</li>
 *   <li>{@code initialStateRoot}: the 32-byte root the buyer declares for the state before step 1. Opaque here
 *       too; executors recompute the root of {@code initialState(base)} and refuse the job on a mismatch.</li>
 *   <li>{@code mode}: {@link Full} (every parameter trains except those under a frozen prefix) or {@link Lora}
 *       (every base weight is frozen; low-rank adapters on the target modules train).</li>
 * </ul>
 * Name lists are kept sorted and without duplicates, so equal jobs have equal canonical bytes.
 */
public record FineTuning(byte[] baseCheckpoint, byte[] initialStateRoot, Mode mode) {
    public static final int ID_BYTES = 32;

    /** What trains. */
    public sealed interface Mode permits Full, Lora {
    }

    /**
     * Full fine-tuning: parameters whose Hugging Face name starts with one of {@code frozenPrefixes}
     * (e.g. {@code model.layers.0.}, {@code model.embed_tokens.}) get no gradient, no moments and no update.
     */
    public record Full(List<String> frozenPrefixes) implements Mode {
        public Full {
            frozenPrefixes = sortedNames("frozenPrefixes", frozenPrefixes, true);
        }
    }

    /**
     * LoRA (Hu et al.): each targeted linear's output gains {@code (alpha / rank) · (x Aᵀ) Bᵀ} with A
     * (rank × in) seeded from the job's seed and B (out × rank) zero. A target names a module by its last
     * path components, as PEFT's {@code target_modules} does: {@code q_proj} matches
     * {@code model.layers.3.self_attn.q_proj}; for GPT-2 {@code c_proj} matches both attention and MLP
     * projections, {@code attn.c_proj} only the first.
     */
    public record Lora(int rank, float alpha, List<String> targets) implements Mode {
        public Lora {
            if (rank <= 0) {
                throw new IllegalArgumentException("LoRA rank must be > 0, got " + rank);
            }
            if (!(alpha > 0f) || !Float.isFinite(alpha)) {
                throw new IllegalArgumentException("LoRA alpha must be finite and > 0, got " + alpha);
            }
            targets = sortedNames("targets", targets, false);
        }

        /** Whether {@code module} (a linear's path, e.g. {@code model.layers.0.self_attn.q_proj}) is a target. */
        public boolean adapts(String module) {
            return targets.stream().anyMatch(target -> names(module, target));
        }

        /** PEFT's rule: the target is the module path or its last dot-separated components. */
        static boolean names(String module, String target) {
            return module.equals(target) || module.endsWith("." + target);
        }

        /** alpha / rank, the factor on the adapter's output, rounded to float once. */
        public float scaling() {
            return (float) ((double) alpha / rank);
        }
    }

    public FineTuning {
        baseCheckpoint = id("baseCheckpoint", baseCheckpoint);
        initialStateRoot = id("initialStateRoot", initialStateRoot);
        if (mode == null) {
            throw new IllegalArgumentException("fine-tuning mode must not be null");
        }
    }

    public static FineTuning full(byte[] baseCheckpoint, byte[] initialStateRoot, List<String> frozenPrefixes) {
        return new FineTuning(baseCheckpoint, initialStateRoot, new Full(frozenPrefixes));
    }

    public static FineTuning lora(byte[] baseCheckpoint, byte[] initialStateRoot, int rank, float alpha,
            List<String> targets) {
        return new FineTuning(baseCheckpoint, initialStateRoot, new Lora(rank, alpha, targets));
    }

    @Override
    public byte[] baseCheckpoint() {
        return baseCheckpoint.clone();
    }

    @Override
    public byte[] initialStateRoot() {
        return initialStateRoot.clone();
    }

    /**
     * Checks the mode against {@code model}: every frozen prefix must match a parameter and one parameter
     * must stay trainable; every LoRA target must match a linear module of the model.
     */
    void check(LanguageModel model) {
        if (mode instanceof Full full) {
            Set<String> names = model.parameterShapes().keySet();
            for (String prefix : full.frozenPrefixes()) {
                if (names.stream().noneMatch(name -> name.startsWith(prefix))) {
                    throw new IllegalArgumentException("frozen prefix '" + prefix + "' matches no parameter of the model");
                }
            }
            if (names.stream().allMatch(this::frozen)) {
                throw new IllegalArgumentException("the frozen prefixes freeze every parameter; nothing would train");
            }
        } else if (mode instanceof Lora lora) {
            Set<String> modules = model.linearModules().keySet();
            for (String target : lora.targets()) {
                if (modules.stream().noneMatch(module -> Lora.names(module, target))) {
                    TreeSet<String> known = new TreeSet<>();
                    modules.forEach(module -> known.add(module.substring(module.lastIndexOf('.') + 1)));
                    throw new IllegalArgumentException("unknown target module '" + target + "' (model has: "
                            + String.join(", ", known) + ")");
                }
            }
        }
    }

    /** Whether state tensor {@code name} is frozen: under a frozen prefix, or with LoRA anything but an adapter. */
    boolean frozen(String name) {
        if (mode instanceof Full full) {
            return full.frozenPrefixes().stream().anyMatch(name::startsWith);
        }
        return !LoraAdapter.isAdapterTensor(name);
    }

    /** Whether {@code module} carries a LoRA adapter. */
    boolean adapts(String module) {
        return mode instanceof Lora lora && lora.adapts(module);
    }

    private static byte[] id(String field, byte[] value) {
        if (value == null || value.length != ID_BYTES) {
            throw new IllegalArgumentException(field + " must be " + ID_BYTES + " bytes, got "
                    + (value == null ? "null" : value.length));
        }
        return value.clone();
    }

    private static List<String> sortedNames(String field, List<String> names, boolean mayBeEmpty) {
        if (names == null || (!mayBeEmpty && names.isEmpty())) {
            throw new IllegalArgumentException(field + " must " + (mayBeEmpty ? "not be null" : "name at least one module"));
        }
        TreeSet<String> sorted = new TreeSet<>();
        for (String name : names) {
            if (name == null || name.isEmpty() || name.length() > 1024) {
                throw new IllegalArgumentException(field + " entries must be 1 to 1024 characters, got "
                        + (name == null ? "null" : "'" + name + "'"));
            }
            sorted.add(name);
        }
        return List.copyOf(sorted);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof FineTuning that && Arrays.equals(baseCheckpoint, that.baseCheckpoint)
                && Arrays.equals(initialStateRoot, that.initialStateRoot) && mode.equals(that.mode);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(baseCheckpoint) + Arrays.hashCode(initialStateRoot)) + mode.hashCode();
    }

    @Override
    public String toString() {
        return "FineTuning[base " + HexFormat.of().formatHex(baseCheckpoint) + ", initial root "
                + HexFormat.of().formatHex(initialStateRoot) + ", " + mode + "]";
    }
}
