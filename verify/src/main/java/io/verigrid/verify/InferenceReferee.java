package io.verigrid.verify;

import io.verigrid.engine.InputRef;
import io.verigrid.engine.MatmulTiles;
import io.verigrid.engine.OpSet;
import io.verigrid.engine.OpSpec;
import io.verigrid.engine.Ops;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The ledger's referee for an inference dispute: re-executes operator j of one position's program from proven
 * inputs. Where each input comes from:
 * <ul>
 *   <li>a weight (STATE, not a cache name) — proven against the registered model's weights root;</li>
 *   <li>a cache tensor (STATE {@code cache.<layer>.k|v}) — empty (0, kvWidth) at position 0, else the output of
 *       the {@code concat} that appends to it at position t−1, proven against the agreed trace root of t−1;</li>
 *   <li>the fed token (DATA {@code ids}) — must be [token], the token the game already checked;</li>
 *   <li>an earlier operator of the same position (OP i &lt; j) — proven against the provider's trace root of t.</li>
 * </ul>
 * Proofs of OP and cache inputs name the leaf holding the operator's whole output in the {@link InferenceLayout}: its
 * own leaf, or the assembly leaf of a tiled matmul. Evidence that does not prove what the program reads loses for the
 * provider, who had to supply it.
 *
 * <p>Three operators are settled from less than their whole inputs, so that a real model's 36 MiB embedding table
 * never travels in a transaction: the {@code embedding} from the chunks of its table holding the fed token's row
 * ({@link #decideRows}), a tile of a large matmul from its blocks' chunks ({@link TileReferee}), and the assembly of
 * a tiled matmul from its output and the proofs of its final tiles ({@link #decideAssembly}).
 */
public final class InferenceReferee {
    private InferenceReferee() {}

    /** As below for a trace with nothing tiled (every operator's leaf at its program index). */
    public static Verdict decide(List<OpSpec> program, int j, List<InputEvidence> inputs, byte[] weightsRoot, int kvWidth,
                                 int position, int token, byte[] traceRoot, byte[] previousTraceRoot,
                                 byte[] providerOutputRoot, byte[] challengerOutputRoot) {
        return decide(program, InferenceLayout.of(program, null, MatmulTiles.UNLIMITED), j, inputs,
                weightsRoot, kvWidth, position, token, traceRoot, previousTraceRoot, providerOutputRoot, challengerOutputRoot);
    }

    /** Re-executes the whole operator {@code j} (a program index) of a trace laid out as {@code layout}. */
    public static Verdict decide(List<OpSpec> program, InferenceLayout layout, int j, List<InputEvidence> inputs,
                                 byte[] weightsRoot, int kvWidth, int position, int token, byte[] traceRoot,
                                 byte[] previousTraceRoot, byte[] providerOutputRoot, byte[] challengerOutputRoot) {
        if (j < 0 || j >= program.size()) throw new IllegalArgumentException("j: " + j + " outside 0.." + (program.size() - 1));
        OpSpec spec = program.get(j);
        if (inputs == null || inputs.size() != spec.inputs().size()) return Verdict.CHALLENGER_WINS;
        List<Tensor> tensors = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            InputEvidence input = inputs.get(i);
            if (input == null || !proven(spec.inputs().get(i), input, program, layout, j, weightsRoot, kvWidth, position, token,
                    traceRoot, previousTraceRoot)) {
                return Verdict.CHALLENGER_WINS;
            }
            tensors.add(input.tensor());
        }
        Tensor output;
        try {
            output = Ops.execute(spec.kind(), spec.attrs(), tensors, Parallelism.single());
        } catch (IllegalArgumentException e) {
            return Verdict.CHALLENGER_WINS;
        }
        return Referee.judge(Commitments.outputRoot(output), providerOutputRoot, challengerOutputRoot);
    }

    /** True for the names of the per-layer cache tensors the position programs read. */
    public static boolean isCache(String name) {
        return name.startsWith("cache.");
    }

    /** The index of the {@code concat} in {@code program} that appends to cache tensor {@code name}, or −1. */
    public static int cacheWriter(List<OpSpec> program, String name) {
        for (int i = 0; i < program.size(); i++) {
            OpSpec op = program.get(i);
            if (op.kind().equals("concat") && !op.inputs().isEmpty() && op.inputs().get(0).equals(InputRef.state(name))) return i;
        }
        return -1;
    }

    private static boolean proven(InputRef ref, InputEvidence input, List<OpSpec> program, InferenceLayout layout, int j,
                                  byte[] weightsRoot, int kvWidth, int position, int token, byte[] traceRoot,
                                  byte[] previousTraceRoot) {
        Tensor tensor = input.tensor();
        LeafProof proof = input.proof();
        return switch (ref.source()) {
            case STATE -> {
                if (!isCache(ref.name())) yield proof.verify(weightsRoot, Commitments.tensorLeaf(ref.name(), tensor));
                if (position == 0) yield Arrays.equals(tensor.shape(), new int[] {0, kvWidth});
                int writer = cacheWriter(program, ref.name());
                yield writer >= 0 && previousTraceRoot != null && proof.index() == layout.wholeIndex(writer)
                        && proof.leafCount() == layout.traceLength()
                        && proof.verify(previousTraceRoot, Commitments.traceLeaf(writer, "concat", OpSet.VERSION,
                                Commitments.outputRoot(tensor)));
            }
            case DATA -> Arrays.equals(tensor.shape(), new int[] {1}) && tensor.data()[0] == (float) token;
            case OP -> ref.op() < j && proof.index() == layout.wholeIndex(ref.op()) && proof.leafCount() == layout.traceLength()
                    && proof.verify(traceRoot, Commitments.traceLeaf(ref.op(), program.get(ref.op()).kind(), OpSet.VERSION,
                            Commitments.outputRoot(tensor)));
        };
    }

    /**
     * Settles the {@code embedding} operator {@code j} from the chunks of its table that hold row {@code token}: the
     * table's tensor leaf (name, shape, root) proven against the weights root, each chunk against that root, every
     * chunk of the row present, no more chunks than {@code maxRefereeBytes} of them. The output is that row as
     * (1, d), exactly what the operator copies.
     */
    public static Verdict decideRows(List<OpSpec> program, int j, TileEvidence.BlockEvidence table, byte[] weightsRoot,
                                     int token, long maxRefereeBytes, byte[] providerOutputRoot, byte[] challengerOutputRoot) {
        OpSpec spec = program.get(j);
        if (table == null || !spec.kind().equals("embedding") || spec.inputs().size() != 2) return Verdict.CHALLENGER_WINS;
        InputRef ref = spec.inputs().get(0);
        int[] shape = table.shape();
        if (ref.source() != InputRef.Source.STATE || isCache(ref.name()) || shape.length != 2 || shape[0] != spec.attrs()[0]
                || token < 0 || token >= shape[0] || table.bytes() > maxRefereeBytes
                || !table.sourceProof().verify(weightsRoot, Commitments.tensorLeaf(ref.name(), shape, table.tensorRoot()))) {
            return Verdict.CHALLENGER_WINS;
        }
        long rowBytes = 4L * shape[1];
        Map<Integer, byte[]> chunks = TileReferee.provenChunks(ref.name(), table, (long) shape[0] * shape[1]);
        if (chunks == null) return Verdict.CHALLENGER_WINS;
        for (int index : rowChunks(token, rowBytes)) {
            if (!chunks.containsKey(index)) return Verdict.CHALLENGER_WINS; // a missing chunk of the row
        }
        float[] row = new float[shape[1]];
        for (int i = 0; i < row.length; i++) row[i] = TileReferee.floatAt(chunks, (long) token * shape[1] + i);
        return Referee.judge(Commitments.outputRoot(Tensor.of(new int[] {1, shape[1]}, row)), providerOutputRoot,
                challengerOutputRoot);
    }

    /**
     * Settles the assembly leaf of the tiled matmul {@code p}: {@code output} must be (m, n) for the plan, and every
     * final tile cut from it must be the agreed tile leaf {@code proofs} proves against the position's trace root (at
     * the tile's place in {@code layout}). The assembled root is then {@code outputRoot(output)}.
     */
    public static Verdict decideAssembly(InferenceLayout layout, int p, Tensor output, List<LeafProof> proofs, byte[] traceRoot,
                                         byte[] providerOutputRoot, byte[] challengerOutputRoot) {
        List<MatmulTiles.Tile> plan = layout.plan(p);
        if (plan == null || output == null || proofs == null) return Verdict.CHALLENGER_WINS;
        int m = 0;
        int n = 0;
        for (MatmulTiles.Tile t : plan) {
            m = Math.max(m, t.row0() + t.rows());
            n = Math.max(n, t.col0() + t.cols());
        }
        if (!Arrays.equals(output.shape(), new int[] {m, n})
                || !TiledOutputReferee.finalTilesProven(p, plan, output, layout.wholeIndex(p) - plan.size(), proofs, traceRoot,
                        layout.traceLength())) {
            return Verdict.CHALLENGER_WINS;
        }
        return Referee.judge(Commitments.outputRoot(output), providerOutputRoot, challengerOutputRoot);
    }

    /** The chunk indices holding row {@code token} of a table whose rows are {@code rowBytes} long. */
    public static java.util.SortedSet<Integer> rowChunks(int token, long rowBytes) {
        java.util.SortedSet<Integer> chunks = new java.util.TreeSet<>();
        long from = token * rowBytes / Commitments.CHUNK_BYTES;
        long to = ((token + 1) * rowBytes - 1) / Commitments.CHUNK_BYTES;
        for (long c = from; c <= to; c++) chunks.add((int) c);
        return chunks;
    }
}
