package io.verigrid.verify;

import io.verigrid.engine.MatmulTiles;
import io.verigrid.engine.OpSpec;

import java.util.List;

/**
 * Where a leaf may sit in a step trace recorded under max_referee_bytes (spec §2). The layout is a pure function of
 * the program, the operand shapes and the bound: the program's operators in order, an untiled one as one whole leaf,
 * a tiled matmul as its {@link MatmulTiles#plan} tiles followed by its assembly leaf (the operator whole). Rather
 * than recompute every earlier operator's shapes, a referee checks that the disputed leaf is the canonical successor
 * of the agreed leaf before it ({@link PrecedingLeaf}); induction over the agreed prefix does the rest. Without
 * this, a correct leaf moved to another index (possible only when tiles make the trace longer than the program)
 * would be refereed as if it belonged there.
 */
final class TraceLayout {
    private TraceLayout() {}

    /**
     * Whether the first leaf of program operator {@code p} (its whole leaf, or its first tile) may sit at
     * {@code position}: leaf 0 is operator 0; any other follows the whole leaf of operator p − 1, which ends that
     * operator (the assembly leaf of a tiled one).
     */
    static boolean startsOperator(List<OpSpec> program, int p, int position, PrecedingLeaf previous, byte[] traceRoot,
                                  int traceLength) {
        if (position == 0) return p == 0;
        return p >= 1 && p < program.size() && previous != null && previous.provenBefore(position, traceRoot, traceLength)
                && previous.isWhole(p - 1, program.get(p - 1).kind());
    }

    /** Whether a leaf at {@code position} follows tile {@code predecessor} of operator {@code p}, as its plan orders it. */
    static boolean followsTile(int p, MatmulTiles.Tile predecessor, int position, PrecedingLeaf previous, byte[] traceRoot,
                               int traceLength) {
        return position > 0 && previous != null && previous.provenBefore(position, traceRoot, traceLength)
                && previous.isTile(p, predecessor);
    }

    /**
     * Whether the whole leaf of untiled operator {@code p} may sit at {@code position}. A trace as long as the program
     * has no tiles, so operator p sits at p; a longer one needs the preceding leaf.
     */
    static boolean wholePlaced(List<OpSpec> program, int p, int position, PrecedingLeaf previous, byte[] traceRoot,
                               int traceLength) {
        if (traceLength == program.size()) return p == position;
        return startsOperator(program, p, position, previous, traceRoot, traceLength);
    }
}
