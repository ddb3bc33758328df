package io.verigrid.verify;

import io.verigrid.engine.Decoder;
import io.verigrid.engine.InputRef;
import io.verigrid.engine.LlamaModel;
import io.verigrid.engine.MatmulTiles;
import io.verigrid.engine.OpSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Where each leaf of a position's trace comes from once large matmuls are tiled (spec §2): the program's operators in
 * order, except that a {@code matmul} whose inputs exceed max_referee_bytes is recorded as its {@link MatmulTiles}
 * plan (tile leaves, {@link Commitments#tileLeaf}) followed by an <b>assembly leaf</b>: the ordinary trace leaf of the
 * whole operator, H(0x03 ‖ program index ‖ "matmul" ‖ version ‖ output root). The assembly leaf is what every later
 * operator (and the response's logits root) proves against, so a model with nothing to tile has exactly the untiled
 * trace, and a tiled model's last leaf is still the logits.
 *
 * <p>A position program processes one token, so every matmul is op(A) 1×k times a weight: its plan follows from the
 * weight's shape and the bound alone, and the ledger derives the same layout from the registered config as the
 * parties do from their replicas.
 */
public final class InferenceLayout {
    /** What one trace leaf records. */
    public enum Kind { WHOLE, TILE, ASSEMBLY }

    /**
     * Leaf of the trace: a whole operator, tile {@code tileIndex} of operator {@code programIndex}'s plan, or the
     * assembly of that operator's tiles. {@code tile} is null unless the kind is TILE.
     */
    public record Entry(Kind kind, int programIndex, MatmulTiles.Tile tile, int tileIndex) {}

    private final long maxRefereeBytes;
    private final List<List<MatmulTiles.Tile>> plans;
    private final int[] wholeIndex;
    private final List<Entry> entries;

    private InferenceLayout(long maxRefereeBytes, List<List<MatmulTiles.Tile>> plans) {
        this.maxRefereeBytes = maxRefereeBytes;
        this.plans = plans;
        this.wholeIndex = new int[plans.size()];
        List<Entry> list = new ArrayList<>();
        for (int p = 0; p < plans.size(); p++) {
            List<MatmulTiles.Tile> plan = plans.get(p);
            if (plan != null) {
                for (int t = 0; t < plan.size(); t++) list.add(new Entry(Kind.TILE, p, plan.get(t), t));
            }
            wholeIndex[p] = list.size();
            list.add(new Entry(plan == null ? Kind.WHOLE : Kind.ASSEMBLY, p, null, -1));
        }
        this.entries = Collections.unmodifiableList(list);
    }

    /** The layout of {@code model}'s position traces under {@code maxRefereeBytes} (same for every position). */
    public static InferenceLayout of(LlamaModel model, long maxRefereeBytes) {
        if (model == null) throw new IllegalArgumentException("model: null");
        return of(Decoder.positionProgram(model, 0), model.parameterShapes(), maxRefereeBytes);
    }

    /**
     * The layout of {@code program} whose matmuls read the weights {@code weightShapes} names. With
     * {@link MatmulTiles#UNLIMITED} nothing is tiled and the weight shapes are not consulted.
     *
     * @throws IllegalArgumentException a matmul reads no known rank-2 weight, or the bound is too small to tile it
     */
    public static InferenceLayout of(List<OpSpec> program, Map<String, int[]> weightShapes, long maxRefereeBytes) {
        if (program == null || program.isEmpty()) throw new IllegalArgumentException("program: empty");
        if (maxRefereeBytes < 1) throw new IllegalArgumentException("maxRefereeBytes: must be positive, got " + maxRefereeBytes);
        List<List<MatmulTiles.Tile>> plans = new ArrayList<>(program.size());
        for (int p = 0; p < program.size(); p++) {
            OpSpec op = program.get(p);
            List<MatmulTiles.Tile> plan = null;
            if (op.kind().equals("matmul") && maxRefereeBytes != MatmulTiles.UNLIMITED) {
                InputRef weight = op.inputs().get(1);
                int[] shape = weight.source() == InputRef.Source.STATE && weightShapes != null ? weightShapes.get(weight.name()) : null;
                if (shape == null || shape.length != 2) {
                    throw new IllegalArgumentException("program: matmul " + p + " reads " + weight + ", not a rank-2 weight");
                }
                boolean transA = op.attrs()[0] == 1;
                boolean transB = op.attrs()[1] == 1;
                int k = transB ? shape[1] : shape[0];
                int n = transB ? shape[0] : shape[1];
                if (MatmulTiles.needsTiling(1, k, n, maxRefereeBytes)) plan = MatmulTiles.plan(1, k, n, transA, transB, maxRefereeBytes);
            }
            plans.add(plan);
        }
        return new InferenceLayout(maxRefereeBytes, plans);
    }

    public long maxRefereeBytes() {
        return maxRefereeBytes;
    }

    /** Leaves of one position's trace. */
    public int traceLength() {
        return entries.size();
    }

    /** Operators of the position program. */
    public int programLength() {
        return plans.size();
    }

    public Entry entry(int leaf) {
        if (leaf < 0 || leaf >= entries.size()) throw new IllegalArgumentException("leaf: " + leaf + " outside 0.." + (entries.size() - 1));
        return entries.get(leaf);
    }

    public List<Entry> entries() {
        return entries;
    }

    /** The leaf holding operator {@code programIndex}'s whole output: its own leaf, or its assembly leaf. */
    public int wholeIndex(int programIndex) {
        return wholeIndex[programIndex];
    }

    /** Operator {@code programIndex}'s tiles in trace order, or null when it is recorded whole. */
    public List<MatmulTiles.Tile> plan(int programIndex) {
        return plans.get(programIndex);
    }

    /** Whether any operator is tiled. */
    public boolean tiled() {
        return entries.size() > plans.size();
    }
}
