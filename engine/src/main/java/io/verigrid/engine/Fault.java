package io.verigrid.engine;

import java.util.List;

/**
 * The fault switch of a cheating provider in drills: one of the cheats the verification game must catch, at one
 * step. Operator-level cheats change what one operator records (and what later operators consume); state-level
 * cheats change the state a step hands on while its trace stays honest, so they are settled as an assembly
 * dispute. Every cheat is a pure function of (step, operator, values), so the cheater's own re-execution
 * reproduces it in every dispute answer.
 * <ul>
 *   <li>{@link Kind#BIT_FLIP}: right after operator {@code opIndex} runs, the raw bits of element {@code element}
 *   of its output are XORed with {@code bitMask}.</li>
 *   <li>{@link Kind#LOW_PRECISION}: operator {@code opIndex}'s output is rounded to bfloat16 (round to nearest
 *   even on the upper 16 bits), as a cheaper kernel would compute it.</li>
 *   <li>{@link Kind#DATA_OUT_OF_ORDER}: every {@code slice_rows} of the step reads another batch's rows (the batch
 *   after the scheduled one, or the rows one further when that is the same batch).</li>
 *   <li>{@link Kind#SKIPPED_STEP}: the step is not applied: the state passes through unchanged (only its step
 *   counter advances).</li>
 *   <li>{@link Kind#STALE_CHECKPOINT}: the state after the step carries the tensors of the state at the start of
 *   the step's checkpoint unit — the previous unit's checkpoint committed again. Applied by the caller that holds
 *   that state ({@code LocalRun}); {@link #stale(long)} says where.</li>
 * </ul>
 */
public record Fault(Kind kind, long step, int opIndex, int element, int bitMask) {
    /** The cheats of the drill, in the order the issue lists them. */
    public enum Kind { BIT_FLIP, SKIPPED_STEP, STALE_CHECKPOINT, DATA_OUT_OF_ORDER, LOW_PRECISION }

    public Fault {
        if (kind == null) {
            throw new IllegalArgumentException("kind must not be null");
        }
        if (step < 1) {
            throw new IllegalArgumentException("step must be >= 1, got " + step);
        }
        if (opIndex < 0) {
            throw new IllegalArgumentException("opIndex must be >= 0, got " + opIndex);
        }
        if (element < 0) {
            throw new IllegalArgumentException("element must be >= 0, got " + element);
        }
        if (kind == Kind.BIT_FLIP && bitMask == 0) {
            throw new IllegalArgumentException("bitMask must flip at least one bit");
        }
        if (kind != Kind.BIT_FLIP && bitMask != 0) {
            throw new IllegalArgumentException("bitMask applies to BIT_FLIP only, got " + bitMask + " for " + kind);
        }
    }

    /** A bit flip: element {@code element} of operator {@code opIndex}'s output at {@code step}, XOR {@code bitMask}. */
    public Fault(long step, int opIndex, int element, int bitMask) {
        this(Kind.BIT_FLIP, step, opIndex, element, bitMask);
    }

    public static Fault bitFlip(long step, int opIndex, int element, int bitMask) {
        return new Fault(Kind.BIT_FLIP, step, opIndex, element, bitMask);
    }

    public static Fault lowPrecision(long step, int opIndex) {
        return new Fault(Kind.LOW_PRECISION, step, opIndex, 0, 0);
    }

    public static Fault dataOutOfOrder(long step) {
        return new Fault(Kind.DATA_OUT_OF_ORDER, step, 0, 0, 0);
    }

    public static Fault skippedStep(long step) {
        return new Fault(Kind.SKIPPED_STEP, step, 0, 0, 0);
    }

    public static Fault staleCheckpoint(long step) {
        return new Fault(Kind.STALE_CHECKPOINT, step, 0, 0, 0);
    }

    /** Whether step {@code currentStep} passes the state through unapplied. */
    public boolean skips(long currentStep) {
        return kind == Kind.SKIPPED_STEP && currentStep == step;
    }

    /** Whether the state after step {@code currentStep} is replaced by its unit's starting checkpoint. */
    public boolean stale(long currentStep) {
        return kind == Kind.STALE_CHECKPOINT && currentStep == step;
    }

    /** An operator-level cheat: the output of operator {@code index} as the cheater records it. */
    Tensor apply(long currentStep, int index, OpSpec spec, List<Tensor> inputs, Tensor output, Parallelism par) {
        if (currentStep != step) {
            return output;
        }
        return switch (kind) {
            case BIT_FLIP -> index == opIndex ? flip(output) : output;
            case LOW_PRECISION -> index == opIndex ? bfloat16(output) : output;
            case DATA_OUT_OF_ORDER -> spec.kind().equals("slice_rows") ? otherRows(spec, inputs, par) : output;
            case SKIPPED_STEP, STALE_CHECKPOINT -> output;
        };
    }

    private Tensor flip(Tensor output) {
        if (element >= output.size()) {
            throw new IllegalArgumentException("fault element " + element + " is outside op " + opIndex
                    + " output of size " + output.size());
        }
        float[] corrupted = output.data().clone();
        corrupted[element] = Float.intBitsToFloat(Float.floatToRawIntBits(corrupted[element]) ^ bitMask);
        return Tensor.wrap(output.shape(), corrupted);
    }

    private static Tensor bfloat16(Tensor output) {
        float[] rounded = output.data().clone();
        for (int i = 0; i < rounded.length; i++) {
            rounded[i] = toBfloat16(rounded[i]);
        }
        return Tensor.wrap(output.shape(), rounded);
    }

    /** Round to nearest even on the upper 16 bits; NaN and infinities keep their class. */
    static float toBfloat16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value) || Float.isInfinite(value)) {
            return value;
        }
        int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
        return Float.intBitsToFloat(rounded & 0xFFFF0000);
    }

    private static Tensor otherRows(OpSpec spec, List<Tensor> inputs, Parallelism par) {
        long[] attrs = spec.attrs();
        int rows = inputs.get(0).dim(0);
        long start = attrs[0];
        long other = Math.floorMod(start + attrs[1], (long) rows);
        attrs[0] = other == start ? Math.floorMod(start + 1, (long) rows) : other;
        return Ops.execute(spec.kind(), attrs, inputs, par);
    }
}
