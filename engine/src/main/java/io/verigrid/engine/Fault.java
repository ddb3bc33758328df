package io.verigrid.engine;

/**
 * The fault switch of a cheating provider in drills: at step {@code step}, right after operator
 * {@code opIndex} runs, the raw bits of element {@code element} of its output are XORed with
 * {@code bitMask}. The corrupted value is what the trace records and what later operators consume.
 */
public record Fault(long step, int opIndex, int element, int bitMask) {
    public Fault {
        if (step < 1) {
            throw new IllegalArgumentException("step must be >= 1, got " + step);
        }
        if (opIndex < 0) {
            throw new IllegalArgumentException("opIndex must be >= 0, got " + opIndex);
        }
        if (element < 0) {
            throw new IllegalArgumentException("element must be >= 0, got " + element);
        }
        if (bitMask == 0) {
            throw new IllegalArgumentException("bitMask must flip at least one bit");
        }
    }

    /** The output with the fault applied, or the output itself when this fault does not target it. */
    Tensor apply(long currentStep, int currentOp, Tensor output) {
        if (currentStep != step || currentOp != opIndex) {
            return output;
        }
        if (element >= output.size()) {
            throw new IllegalArgumentException("fault element " + element + " is outside op " + opIndex
                    + " output of size " + output.size());
        }
        float[] corrupted = output.data().clone();
        corrupted[element] = Float.intBitsToFloat(Float.floatToRawIntBits(corrupted[element]) ^ bitMask);
        return Tensor.wrap(output.shape(), corrupted);
    }
}
