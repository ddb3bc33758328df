package io.verigrid.verify;

import io.verigrid.engine.InputRef;
import io.verigrid.engine.MatmulTiles;
import io.verigrid.engine.OpSet;
import io.verigrid.engine.OpSpec;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.Tensor;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The referee for a dispute that bisected to one tile of a large matmul (spec §2): it reads only the chunks holding
 * the tile's blocks and the carried accumulator — at most max_referee_bytes of operator input plus chunk rounding —
 * re-executes the block multiply-accumulate and compares the output root with both claims. Evidence that does not
 * prove what the program and the tiling say the tile reads, or a tile that does not sit where the trace layout puts
 * it ({@link TraceLayout}), loses the game for the provider.
 */
public final class TileReferee {
    private TileReferee() {}

    /**
     * Settles the disputed trace entry {@code position}.
     *
     * @param program              the step's program (from the job)
     * @param disputedLeaf         the provider's leaf at {@code position}, which the bisection reached
     * @param traceLength          the number of leaves of the provider's trace
     * @param maxRefereeBytes      the bound the trace was tiled under
     * @param providerOutputRoot   the provider's {@link Commitments#outputRoot} of the tile
     * @param challengerOutputRoot the challenger's claim for the same
     */
    public static Verdict decide(List<OpSpec> program, int position, byte[] disputedLeaf, TileEvidence evidence,
                                 byte[] rootLo, byte[] providerTraceRoot, int traceLength, byte[] datasetRoot,
                                 long maxRefereeBytes, byte[] providerOutputRoot, byte[] challengerOutputRoot) {
        if (program == null || evidence == null) return Verdict.CHALLENGER_WINS;
        int p = evidence.programIndex();
        MatmulTiles.Tile tile = evidence.tile();
        if (p < 0 || p >= program.size() || !program.get(p).kind().equals("matmul") || providerOutputRoot == null
                || providerOutputRoot.length != Hashes.LENGTH
                || !Arrays.equals(disputedLeaf, Commitments.tileLeaf(p, tile, OpSet.VERSION, providerOutputRoot))) {
            return Verdict.CHALLENGER_WINS; // the leaf the game reached is not this tile of this operator
        }
        OpSpec matmul = program.get(p);
        boolean transA = matmul.attrs()[0] == 1;
        boolean transB = matmul.attrs()[1] == 1;
        List<MatmulTiles.Tile> plan = planOf(matmul, evidence.a().shape(), evidence.b().shape(), maxRefereeBytes);
        if (plan == null) return Verdict.CHALLENGER_WINS;
        int at = plan.indexOf(tile);
        if (at < 0 || plan.size() == 1) return Verdict.CHALLENGER_WINS; // not a tile this operator is recorded as
        // The tile must sit where the layout puts it: a chained K-block right after the previous one (its accumulator
        // leaf, checked below), a first K-block after the plan's previous tile or, for the first tile, after the
        // end of operator p − 1.
        if (tile.first() && !(at == 0
                ? TraceLayout.startsOperator(program, p, position, evidence.previous(), providerTraceRoot, traceLength)
                : TraceLayout.followsTile(p, plan.get(at - 1), position, evidence.previous(), providerTraceRoot, traceLength))) {
            return Verdict.CHALLENGER_WINS;
        }
        Tensor aBlock = block(evidence.a(), matmul.inputs().get(0), program, position, rootLo, providerTraceRoot,
                traceLength, datasetRoot, transA, true, tile);
        Tensor bBlock = block(evidence.b(), matmul.inputs().get(1), program, position, rootLo, providerTraceRoot,
                traceLength, datasetRoot, transB, false, tile);
        if (aBlock == null || bBlock == null) return Verdict.CHALLENGER_WINS;
        Tensor acc = null;
        if (!tile.first()) {
            acc = evidence.acc();
            LeafProof proof = evidence.accProof();
            if (acc == null || proof.index() != position - 1 || proof.leafCount() != traceLength
                    || !proof.verify(providerTraceRoot, Commitments.tileLeaf(p, plan.get(at - 1), OpSet.VERSION,
                            Commitments.outputRoot(acc)))) {
                return Verdict.CHALLENGER_WINS;
            }
        } else if (evidence.acc() != null) {
            return Verdict.CHALLENGER_WINS;
        }
        Tensor output;
        try {
            output = MatmulTiles.multiplyAccumulate(aBlock, bBlock, acc, Parallelism.single());
        } catch (IllegalArgumentException e) {
            return Verdict.CHALLENGER_WINS;
        }
        return Referee.judge(Commitments.outputRoot(output), providerOutputRoot, challengerOutputRoot);
    }

    /**
     * The tiles of {@code matmul} with stored operands of shapes {@code sa} and {@code sb} under the bound; null when
     * the shapes do not multiply or no tiling under this bound can hold them (then no honest trace has such tiles).
     */
    static List<MatmulTiles.Tile> planOf(OpSpec matmul, int[] sa, int[] sb, long maxRefereeBytes) {
        boolean transA = matmul.attrs()[0] == 1;
        boolean transB = matmul.attrs()[1] == 1;
        if (sa.length != 2 || sb.length != 2) return null;
        int m = transA ? sa[1] : sa[0];
        int k = transA ? sa[0] : sa[1];
        int n = transB ? sb[0] : sb[1];
        if ((transB ? sb[1] : sb[0]) != k || m < 1 || k < 1 || n < 1) return null;
        try {
            return MatmulTiles.plan(m, k, n, transA, transB, maxRefereeBytes);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The tile's block of one input, cut from proven chunks; null when anything is not proven or missing. */
    private static Tensor block(TileEvidence.BlockEvidence e, InputRef ref, List<OpSpec> program, int position,
                                byte[] rootLo, byte[] providerTraceRoot, int traceLength, byte[] datasetRoot,
                                boolean transposed, boolean isA, MatmulTiles.Tile tile) {
        int[] shape = e.shape();
        String name = ref.source() == InputRef.Source.OP ? Commitments.OUTPUT_NAME : ref.name();
        if (!sourceProven(e, ref, program, position, rootLo, providerTraceRoot, traceLength, datasetRoot)) return null;
        Map<Integer, byte[]> chunks = provenChunks(name, e, (long) shape[0] * shape[1]);
        if (chunks == null || !chunks.keySet().containsAll(TileEvidence.chunksOf(shape, transposed, isA, tile))) return null;
        int rows = isA ? tile.rows() : tile.kLen();
        int cols = isA ? tile.kLen() : tile.cols();
        int r0 = isA ? tile.row0() : tile.k0();
        int c0 = isA ? tile.k0() : tile.col0();
        if (transposed ? (r0 + rows > shape[1] || c0 + cols > shape[0]) : (r0 + rows > shape[0] || c0 + cols > shape[1])) {
            return null;
        }
        float[] values = new float[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                long element = transposed ? (long) (c0 + j) * shape[1] + r0 + i : (long) (r0 + i) * shape[1] + c0 + j;
                values[i * cols + j] = floatAt(chunks, element);
            }
        }
        return Tensor.of(new int[] {rows, cols}, values);
    }

    /**
     * Whether the block's tensor leaf (name, shape, tensor root) is what the program says the operator reads: a tensor of
     * the agreed state, of the dataset, or the output an earlier operator's whole leaf (a tiled one's assembly leaf)
     * records before {@code position}.
     */
    static boolean sourceProven(TileEvidence.BlockEvidence e, InputRef ref, List<OpSpec> program, int position, byte[] rootLo,
                                byte[] providerTraceRoot, int traceLength, byte[] datasetRoot) {
        String name = ref.source() == InputRef.Source.OP ? Commitments.OUTPUT_NAME : ref.name();
        byte[] tensorLeaf = Commitments.tensorLeaf(name, e.shape(), e.tensorRoot());
        LeafProof source = e.sourceProof();
        return switch (ref.source()) {
            case STATE -> source.verify(rootLo, tensorLeaf);
            case DATA -> source.verify(datasetRoot, tensorLeaf);
            case OP -> source.index() < position && source.leafCount() == traceLength
                    && source.verify(providerTraceRoot, Commitments.traceLeaf(ref.op(), program.get(ref.op()).kind(),
                            OpSet.VERSION, tensorLeaf));
        };
    }

    /** The evidence's chunks by index, each proven against its tensor root; null when any is not. */
    static Map<Integer, byte[]> provenChunks(String name, TileEvidence.BlockEvidence e, long elements) {
        int chunkCount = Commitments.chunkCount(elements);
        Map<Integer, byte[]> chunks = new TreeMap<>();
        for (TileEvidence.Chunk c : e.chunks()) {
            long expected = Math.min(Commitments.CHUNK_BYTES, 4 * elements - (long) c.index() * Commitments.CHUNK_BYTES);
            if (c.index() < 0 || c.index() >= chunkCount || c.bytes().length != expected || c.proof().index() != c.index()
                    || c.proof().leafCount() != chunkCount
                    || !c.proof().verify(e.tensorRoot(), Commitments.chunkLeaf(name, c.index(), c.bytes()))) {
                return null;
            }
            chunks.put(c.index(), c.bytes());
        }
        return chunks;
    }

    /** Element {@code element} (little-endian float32) of a tensor held as proven chunks. */
    static float floatAt(Map<Integer, byte[]> chunks, long element) {
        long offset = 4 * element;
        byte[] chunk = chunks.get((int) (offset / Commitments.CHUNK_BYTES));
        int at = (int) (offset % Commitments.CHUNK_BYTES);
        int bits = (chunk[at] & 0xFF) | (chunk[at + 1] & 0xFF) << 8 | (chunk[at + 2] & 0xFF) << 16 | (chunk[at + 3] & 0xFF) << 24;
        return Float.intBitsToFloat(bits);
    }
}
