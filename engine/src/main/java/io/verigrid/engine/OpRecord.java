package io.verigrid.engine;

/**
 * One entry of a step's trace: its position in the trace, the spec it ran and the output it produced.
 * {@code programIndex} is the operator of the step's program it belongs to: the same as {@code index} unless a
 * large matmul earlier in the step was recorded as several {@link MatmulTiles tiles}, each an entry of its own
 * (kind {@link MatmulTiles#TILE_KIND}, the matmul's inputs, the tile in its attrs); the tiles are followed by the
 * matmul's assembly entry, the operator recorded whole with its whole output.
 */
public record OpRecord(int index, OpSpec spec, Tensor output, int programIndex) {
    public OpRecord {
        if (index < 0) {
            throw new IllegalArgumentException("index must be >= 0, got " + index);
        }
        if (programIndex < 0 || programIndex > index) {
            throw new IllegalArgumentException("programIndex must be in 0.." + index + ", got " + programIndex);
        }
        if (spec == null || output == null) {
            throw new IllegalArgumentException("spec and output must not be null");
        }
    }

    /** A whole operator at the same position in the trace as in the program. */
    public OpRecord(int index, OpSpec spec, Tensor output) {
        this(index, spec, output, index);
    }

    /** Whether this entry is one tile of a tiled matmul rather than a whole operator. */
    public boolean isTile() {
        return spec.kind().equals(MatmulTiles.TILE_KIND);
    }
}
