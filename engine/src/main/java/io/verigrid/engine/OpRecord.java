package io.verigrid.engine;

/** One executed operator of a step: its position in the step's program, its spec and the output it produced. */
public record OpRecord(int index, OpSpec spec, Tensor output) {
    public OpRecord {
        if (index < 0) {
            throw new IllegalArgumentException("index must be >= 0, got " + index);
        }
        if (spec == null || output == null) {
            throw new IllegalArgumentException("spec and output must not be null");
        }
    }
}
