package io.verigrid.verify;

import io.verigrid.engine.Dataset;
import io.verigrid.engine.InputRef;
import io.verigrid.engine.MatmulTiles;
import io.verigrid.engine.ModelState;
import io.verigrid.engine.OpRecord;
import io.verigrid.engine.OpSpec;
import io.verigrid.engine.StepTrace;
import io.verigrid.engine.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * What a provider posts so the referee can re-execute one tile of a tiled matmul (spec §2, §3.4) without reading the
 * whole operator: for each of A and B only the chunks of the committed tensor that hold the tile's block, each proven
 * against the tensor's root, that root proven against the agreed commitments; and, past the first K-block, the carried
 * accumulator, proven as the trace leaf before the tile. A first K-block instead opens the leaf before it
 * ({@code previous}), so the referee can check that the tile sits where the trace layout puts it ({@link TraceLayout}).
 *
 * @param programIndex the matmul of the step's program the tile belongs to
 * @param tile         the tile, as the disputed leaf names it
 * @param a            op(A)'s source tensor, in chunks
 * @param b            op(B)'s source tensor, in chunks
 * @param acc          the partial sums carried into the tile; null for a first K-block
 * @param accProof     the trace leaf before the tile, holding {@code acc}; null with it
 * @param previous     for a first K-block past trace position 0, the agreed leaf before it; else null
 */
public record TileEvidence(int programIndex, MatmulTiles.Tile tile, BlockEvidence a, BlockEvidence b, Tensor acc,
                           LeafProof accProof, PrecedingLeaf previous) {
    public TileEvidence {
        if (tile == null || a == null || b == null) throw new IllegalArgumentException("tile, a, b: null");
        if ((acc == null) != (accProof == null)) throw new IllegalArgumentException("acc and accProof: both or neither");
        if (acc != null && previous != null) throw new IllegalArgumentException("previous: a chained tile's is its accumulator leaf");
    }

    /** Evidence without a preceding leaf: a chained K-block, or the tile at trace position 0. */
    public TileEvidence(int programIndex, MatmulTiles.Tile tile, BlockEvidence a, BlockEvidence b, Tensor acc,
                        LeafProof accProof) {
        this(programIndex, tile, a, b, acc, accProof, null);
    }

    /**
     * Chunks of one committed tensor. {@code sourceProof} proves its tensor leaf: against the state root (STATE), the
     * dataset root (DATA) or, for an earlier whole operator's output, the provider's trace root (OP).
     */
    public record BlockEvidence(int[] shape, byte[] tensorRoot, LeafProof sourceProof, List<Chunk> chunks) {
        public BlockEvidence {
            if (shape == null || tensorRoot == null || sourceProof == null || chunks == null) {
                throw new IllegalArgumentException("shape, tensorRoot, sourceProof, chunks: null");
            }
            shape = shape.clone();
            chunks = List.copyOf(chunks);
        }

        @Override
        public int[] shape() {
            return shape.clone();
        }

        /** The chunk bytes the referee reads. */
        public long bytes() {
            return chunks.stream().mapToLong(c -> c.bytes().length).sum();
        }
    }

    /** Chunk {@code index} of a tensor's canonical bytes, with its proof against the tensor root. */
    public record Chunk(int index, byte[] bytes, LeafProof proof) {
        public Chunk {
            if (bytes == null || proof == null) throw new IllegalArgumentException("bytes, proof: null");
        }
    }

    /** The bytes the referee reads: the A and B chunks and the accumulator. */
    public long inputBytes() {
        return a.bytes() + b.bytes() + (acc == null ? 0 : 4L * acc.size());
    }

    /** Bound on the chunks of one block, so a decoder never allocates on a hostile count. */
    public static final int MAX_CHUNKS = 1 << 16;
    private static final int MAX_RANK = 8;

    /**
     * Canonical bytes (docs/protocol.md, "Tile evidence"): u32 programIndex ‖ u32 row0, rows, col0, cols, k0, kLen ‖
     * block A ‖ block B ‖ u8 acc present, then (shape ‖ bytes ‖ leaf proof) of the accumulator ‖ u8 previous present,
     * then the {@link PrecedingLeaf}. A block is shape ‖ 32-byte tensor root ‖ source leaf proof ‖ u32 chunk count ‖
     * per chunk u32 index ‖ bytes ‖ leaf proof.
     */
    public byte[] encode() {
        CanonicalWriter out = new CanonicalWriter().u32(programIndex).u32(tile.row0()).u32(tile.rows()).u32(tile.col0())
                .u32(tile.cols()).u32(tile.k0()).u32(tile.kLen());
        writeBlock(out, a);
        writeBlock(out, b);
        if (acc == null) {
            out.u8(0);
        } else {
            out.u8(1);
            Commitments.writeShape(out, acc.shape());
            out.bytes(acc.toBytes());
            accProof.write(out);
        }
        if (previous == null) {
            out.u8(0);
        } else {
            previous.write(out.u8(1));
        }
        return out.toByteArray();
    }

    /** Inverse of {@link #encode()}; IllegalArgumentException on malformed bytes. */
    public static TileEvidence decode(byte[] bytes) {
        CanonicalReader in = new CanonicalReader(bytes);
        int programIndex = in.u32();
        MatmulTiles.Tile tile = new MatmulTiles.Tile(in.u32(), in.u32(), in.u32(), in.u32(), in.u32(), in.u32());
        BlockEvidence a = readBlock(in);
        BlockEvidence b = readBlock(in);
        int present = in.u8();
        if (present > 1) throw new IllegalArgumentException("tile evidence: acc presence flag " + present);
        Tensor acc = null;
        LeafProof accProof = null;
        if (present == 1) {
            acc = Tensor.fromBytes(readShape(in), in.bytes());
            accProof = LeafProof.read(in);
        }
        int hasPrevious = in.u8();
        if (hasPrevious > 1) throw new IllegalArgumentException("tile evidence: previous presence flag " + hasPrevious);
        PrecedingLeaf previous = hasPrevious == 1 ? PrecedingLeaf.read(in) : null;
        in.expectEnd();
        return new TileEvidence(programIndex, tile, a, b, acc, accProof, previous);
    }

    static void writeBlock(CanonicalWriter out, BlockEvidence block) {
        Commitments.writeShape(out, block.shape);
        out.raw(block.tensorRoot);
        block.sourceProof.write(out);
        out.u32(block.chunks.size());
        for (Chunk c : block.chunks) {
            out.u32(c.index()).bytes(c.bytes());
            c.proof().write(out);
        }
    }

    static BlockEvidence readBlock(CanonicalReader in) {
        int[] shape = readShape(in);
        byte[] root = in.raw(Hashes.LENGTH);
        LeafProof source = LeafProof.read(in);
        int count = in.u32();
        if (count < 0 || count > MAX_CHUNKS) throw new IllegalArgumentException("tile evidence: " + count + " chunks > " + MAX_CHUNKS);
        List<Chunk> chunks = new ArrayList<>(Math.min(count, 1024));
        for (int i = 0; i < count; i++) {
            int index = in.u32();
            byte[] chunk = in.bytes();
            chunks.add(new Chunk(index, chunk, LeafProof.read(in)));
        }
        return new BlockEvidence(shape, root, source, chunks);
    }

    static int[] readShape(CanonicalReader in) {
        int rank = in.u32();
        if (rank < 0 || rank > MAX_RANK) throw new IllegalArgumentException("tile evidence: rank " + rank + " > " + MAX_RANK);
        int[] shape = new int[rank];
        for (int d = 0; d < rank; d++) shape[d] = in.u32();
        return shape;
    }

    /**
     * The evidence an honest provider posts for trace entry {@code position} of {@code trace}, a tile of a matmul of
     * {@code program} whose inputs come from the state before the step, the dataset or earlier operators' whole
     * (or assembly) entries.
     */
    public static TileEvidence forTile(List<OpSpec> program, StepTrace trace, int position, ModelState stateLo,
                                       Dataset dataset) {
        if (program == null || trace == null || stateLo == null || dataset == null) {
            throw new IllegalArgumentException("program, trace, stateLo, dataset: null");
        }
        OpRecord record = trace.ops().get(position);
        if (!record.isTile()) throw new IllegalArgumentException("position: trace entry " + position + " is not a tile");
        MatmulTiles.Tile tile = MatmulTiles.Tile.ofAttrs(record.spec().attrs());
        OpSpec matmul = program.get(record.programIndex());
        long[] attrs = matmul.attrs();
        BlockEvidence a = block(matmul.inputs().get(0), attrs[0] == 1, true, tile, trace, stateLo, dataset);
        BlockEvidence b = block(matmul.inputs().get(1), attrs[1] == 1, false, tile, trace, stateLo, dataset);
        if (tile.first()) {
            return new TileEvidence(record.programIndex(), tile, a, b, null, null, PrecedingLeaf.before(trace, position));
        }
        return new TileEvidence(record.programIndex(), tile, a, b, trace.ops().get(position - 1).output(),
                Commitments.traceProof(trace, position - 1));
    }

    /** One input's evidence: its tensor leaf's proof and the chunks holding the tile's block (none when tile is null). */
    static BlockEvidence block(InputRef ref, boolean transposed, boolean isA, MatmulTiles.Tile tile, StepTrace trace,
                               ModelState stateLo, Dataset dataset) {
        Tensor tensor;
        String name;
        LeafProof proof;
        switch (ref.source()) {
            case STATE -> {
                tensor = stateLo.tensor(ref.name());
                name = ref.name();
                proof = Commitments.stateProof(stateLo, name);
            }
            case DATA -> {
                tensor = dataset.tensor(ref.name());
                name = ref.name();
                proof = Commitments.datasetProof(dataset, name);
            }
            default -> {
                int at = wholeEntry(trace, ref.op());
                tensor = trace.ops().get(at).output();
                name = Commitments.OUTPUT_NAME;
                proof = Commitments.traceProof(trace, at);
            }
        }
        List<Chunk> chunks = new ArrayList<>();
        byte[] bytes = tensor.toBytes();
        List<byte[]> leaves = Commitments.chunkLeaves(name, tensor);
        for (int index : tile == null ? new TreeSet<Integer>() : chunksOf(tensor.shape(), transposed, isA, tile)) {
            byte[] chunk = Arrays.copyOfRange(bytes, index * Commitments.CHUNK_BYTES,
                    Math.min(bytes.length, (index + 1) * Commitments.CHUNK_BYTES));
            chunks.add(new Chunk(index, chunk, new LeafProof(index, leaves.size(), Merkle.proof(leaves, index))));
        }
        return new BlockEvidence(tensor.shape(), Merkle.root(leaves), proof, chunks);
    }

    /** The trace position of program operator {@code programIndex} recorded whole (a tiled matmul's assembly entry). */
    static int wholeEntry(StepTrace trace, int programIndex) {
        for (OpRecord r : trace.ops()) {
            if (r.programIndex() == programIndex && !r.isTile()) return r.index();
        }
        throw new IllegalArgumentException("programIndex: operator " + programIndex + " is not recorded whole in the trace");
    }

    /**
     * The chunks holding the block a tile reads from a stored 2-D tensor: op(A)[rows, k-range] (isA) or
     * op(B)[k-range, cols], where op transposes the stored tensor when {@code transposed}.
     */
    static TreeSet<Integer> chunksOf(int[] shape, boolean transposed, boolean isA, MatmulTiles.Tile tile) {
        // In op(X) coordinates the block is rows r0..r0+nr and columns c0..c0+nc.
        int r0 = isA ? tile.row0() : tile.k0();
        int nr = isA ? tile.rows() : tile.kLen();
        int c0 = isA ? tile.k0() : tile.col0();
        int nc = isA ? tile.kLen() : tile.cols();
        TreeSet<Integer> chunks = new TreeSet<>();
        int width = shape[1];
        if (!transposed) { // op(X) row r is stored row r: a contiguous run per row
            for (int r = r0; r < r0 + nr; r++) addRun(chunks, (long) r * width + c0, nc);
        } else {           // op(X) column c is stored row c
            for (int c = c0; c < c0 + nc; c++) addRun(chunks, (long) c * width + r0, nr);
        }
        return chunks;
    }

    private static void addRun(TreeSet<Integer> chunks, long firstElement, int length) {
        long from = 4 * firstElement / Commitments.CHUNK_BYTES;
        long to = (4 * (firstElement + length) - 1) / Commitments.CHUNK_BYTES;
        for (long c = from; c <= to; c++) chunks.add((int) c);
    }
}
