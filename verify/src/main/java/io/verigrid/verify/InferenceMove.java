package io.verigrid.verify;

import io.verigrid.engine.Tensor;
import io.verigrid.verify.InferenceCommitments.ResponseLeaf;
import java.util.ArrayList;
import java.util.List;

/**
 * One move of an {@link InferenceGame}, as it travels inside a ledger transaction. Encoding: u8 kind ‖ fields
 * (docs/protocol.md, "Inference moves"); {@link #decode} accepts exactly one canonical move.
 */
public sealed interface InferenceMove {
    /** Who may make this move. */
    InferenceGame.Party party();

    int kind();

    void write(CanonicalWriter out);

    default byte[] encode() {
        CanonicalWriter out = new CanonicalWriter().u8(kind());
        write(out);
        return out.toByteArray();
    }

    record OpenResponse(List<ResponseLeaf> leaves) implements InferenceMove {
        public OpenResponse { leaves = List.copyOf(leaves); }
        public InferenceGame.Party party() { return InferenceGame.Party.PROVIDER; }
        public int kind() { return 1; }
        public void write(CanonicalWriter out) {
            out.u32(leaves.size());
            leaves.forEach(leaf -> leaf.write(out));
        }
    }

    record PickLeaf(int choice, int position, boolean sampling) implements InferenceMove {
        public InferenceGame.Party party() { return InferenceGame.Party.CHALLENGER; }
        public int kind() { return 2; }
        public void write(CanonicalWriter out) { out.u32(choice).u32(position).u8(sampling ? 1 : 0); }
    }

    record PostLogits(Tensor logits) implements InferenceMove {
        public InferenceGame.Party party() { return InferenceGame.Party.PROVIDER; }
        public int kind() { return 3; }
        public void write(CanonicalWriter out) { writeTensor(out, logits); }
    }

    record PostTranscript(byte[] root, int lastToken, byte[] lastTraceRoot, LeafProof lastLeaf, LeafProof logitsLeaf,
                          String lastKind) implements InferenceMove {
        public InferenceGame.Party party() { return InferenceGame.Party.PROVIDER; }
        public int kind() { return 4; }
        public void write(CanonicalWriter out) {
            out.raw(root).u32(lastToken).raw(lastTraceRoot);
            lastLeaf.write(out);
            logitsLeaf.write(out);
            out.string(lastKind);
        }
    }

    record PostNodes(List<byte[]> nodes) implements InferenceMove {
        public InferenceGame.Party party() { return InferenceGame.Party.PROVIDER; }
        public int kind() { return 5; }
        public void write(CanonicalWriter out) {
            out.u32(nodes.size());
            nodes.forEach(out::raw);
        }
    }

    /** {@code claim} is null except on the pick that reaches an operator. */
    record PickNode(int k, byte[] claim) implements InferenceMove {
        public InferenceGame.Party party() { return InferenceGame.Party.CHALLENGER; }
        public int kind() { return 6; }
        public void write(CanonicalWriter out) {
            out.u32(k);
            if (claim == null) out.u8(0);
            else out.u8(1).raw(claim);
        }
    }

    /** For position 0 the previous fields are ignored: token −1 and no proof are written as such. */
    record OpenPosition(int token, byte[] traceRoot, int previousToken, byte[] previousTraceRoot, LeafProof previousLeaf)
            implements InferenceMove {
        public InferenceGame.Party party() { return InferenceGame.Party.PROVIDER; }
        public int kind() { return 7; }
        public void write(CanonicalWriter out) {
            out.u32(token).raw(traceRoot);
            if (previousLeaf == null) {
                out.u8(0);
            } else {
                out.u8(1).u32(previousToken).raw(previousTraceRoot);
                previousLeaf.write(out);
            }
        }
    }

    record SettleOperator(List<InputEvidence> inputs, byte[] outputRoot) implements InferenceMove {
        public SettleOperator { inputs = List.copyOf(inputs); }
        public InferenceGame.Party party() { return InferenceGame.Party.PROVIDER; }
        public int kind() { return 8; }
        public void write(CanonicalWriter out) { out.bytes(InputEvidence.encodeAll(inputs)).raw(outputRoot); }
    }

    /** Settles the {@code embedding}: the chunks of its table holding the fed token's row. */
    record SettleRows(TileEvidence.BlockEvidence table, byte[] outputRoot) implements InferenceMove {
        public InferenceGame.Party party() { return InferenceGame.Party.PROVIDER; }
        public int kind() { return 9; }
        public void write(CanonicalWriter out) {
            writeBlock(out, table);
            out.raw(outputRoot);
        }
    }

    /** Settles one tile of a large matmul: its blocks' chunks (and carried accumulator), as training tiles are. */
    record SettleTile(TileEvidence evidence, byte[] outputRoot) implements InferenceMove {
        public InferenceGame.Party party() { return InferenceGame.Party.PROVIDER; }
        public int kind() { return 10; }
        public void write(CanonicalWriter out) { out.bytes(evidence.encode()).raw(outputRoot); }
    }

    /** Settles a tiled matmul's assembly leaf: its whole output and the proofs of its final tiles in plan order. */
    record SettleAssembly(Tensor output, List<LeafProof> tiles, byte[] outputRoot) implements InferenceMove {
        public SettleAssembly { tiles = List.copyOf(tiles); }
        public InferenceGame.Party party() { return InferenceGame.Party.PROVIDER; }
        public int kind() { return 11; }
        public void write(CanonicalWriter out) {
            writeTensor(out, output);
            out.u32(tiles.size());
            tiles.forEach(proof -> proof.write(out));
            out.raw(outputRoot);
        }
    }

    /**
     * Opens an embedding request's response (it replaces {@link OpenResponse}): the pooled root, which must give the
     * settled root, and the root of the transcript over its T prompt positions.
     */
    record OpenEmbedding(byte[] pooledRoot, byte[] transcriptRoot) implements InferenceMove {
        public InferenceGame.Party party() { return InferenceGame.Party.PROVIDER; }
        public int kind() { return 12; }
        public void write(CanonicalWriter out) { out.raw(pooledRoot).raw(transcriptRoot); }
    }

    /**
     * The challenger's pick on an embedding: {@code pooling} — it agrees with the transcript (every position's trace)
     * and disputes the pooling; otherwise it disputes the transcript, which is then descended to one position.
     */
    record PickPooling(boolean pooling) implements InferenceMove {
        public InferenceGame.Party party() { return InferenceGame.Party.CHALLENGER; }
        public int kind() { return 13; }
        public void write(CanonicalWriter out) { out.u8(pooling ? 1 : 0); }
    }

    /** Settles a disputed pooling: the (T, hidden) final hidden states and, per row, its proofs. */
    record SettlePooling(Tensor states, List<InferencePooling.RowProof> rows) implements InferenceMove {
        public SettlePooling { rows = List.copyOf(rows); }
        public InferenceGame.Party party() { return InferenceGame.Party.PROVIDER; }
        public int kind() { return 14; }
        public void write(CanonicalWriter out) {
            writeTensor(out, states);
            out.u32(rows.size());
            rows.forEach(row -> row.write(out));
        }
    }

    static InferenceMove decode(byte[] bytes) {
        try {
            CanonicalReader in = new CanonicalReader(bytes);
            InferenceMove move = switch (in.u8()) {
                case 1 -> {
                    int count = in.u32();
                    if (count > InferenceGame.MAX_LEAVES) throw new IllegalArgumentException("leaves: " + count);
                    List<ResponseLeaf> leaves = new ArrayList<>(count);
                    for (int i = 0; i < count; i++) leaves.add(ResponseLeaf.read(in));
                    yield new OpenResponse(leaves);
                }
                case 2 -> new PickLeaf(in.u32(), in.u32(), readFlag(in));
                case 3 -> new PostLogits(readTensor(in));
                case 4 -> new PostTranscript(in.raw(32), in.u32(), in.raw(32), LeafProof.read(in), LeafProof.read(in), in.string());
                case 5 -> {
                    int count = in.u32();
                    if (count > DisputeGame.MAX_FANOUT) throw new IllegalArgumentException("nodes: " + count);
                    List<byte[]> nodes = new ArrayList<>(count);
                    for (int i = 0; i < count; i++) nodes.add(in.raw(32));
                    yield new PostNodes(nodes);
                }
                case 6 -> new PickNode(in.u32(), readFlag(in) ? in.raw(32) : null);
                case 7 -> {
                    int token = in.u32();
                    byte[] traceRoot = in.raw(32);
                    yield readFlag(in) ? new OpenPosition(token, traceRoot, in.u32(), in.raw(32), LeafProof.read(in))
                            : new OpenPosition(token, traceRoot, -1, null, null);
                }
                case 8 -> new SettleOperator(InputEvidence.decodeAll(in.bytes()), in.raw(32));
                case 9 -> new SettleRows(readBlock(in), in.raw(32));
                case 10 -> new SettleTile(TileEvidence.decode(in.bytes()), in.raw(32));
                case 11 -> {
                    Tensor output = readTensor(in);
                    int count = in.u32();
                    if (count < 0 || count > io.verigrid.engine.MatmulTiles.MAX_TILES) throw new IllegalArgumentException("tiles: " + count);
                    List<LeafProof> tiles = new ArrayList<>(Math.min(count, 1024));
                    for (int i = 0; i < count; i++) tiles.add(LeafProof.read(in));
                    yield new SettleAssembly(output, tiles, in.raw(32));
                }
                case 12 -> new OpenEmbedding(in.raw(32), in.raw(32));
                case 13 -> new PickPooling(readFlag(in));
                case 14 -> {
                    Tensor states = readTensor(in);
                    int count = in.u32();
                    if (count < 0 || count > InferenceRequest.MAX_TOKENS) throw new IllegalArgumentException("rows: " + count);
                    List<InferencePooling.RowProof> rows = new ArrayList<>(Math.min(count, 1024));
                    for (int i = 0; i < count; i++) rows.add(InferencePooling.RowProof.read(in));
                    yield new SettlePooling(states, rows);
                }
                default -> throw new IllegalArgumentException("unknown move kind");
            };
            in.expectEnd();
            return move;
        } catch (IllegalStateException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("move: malformed: " + e.getMessage(), e);
        }
    }

    /** Decodes a move; malformed bytes are a {@link GameException} {@code MALFORMED}. */
    static InferenceMove parse(byte[] bytes) {
        try {
            return decode(bytes);
        } catch (IllegalArgumentException e) {
            throw new GameException("MALFORMED", "move: " + e.getMessage());
        }
    }

    private static boolean readFlag(CanonicalReader in) {
        int flag = in.u8();
        if (flag > 1) throw new IllegalArgumentException("flag must be 0 or 1, got " + flag);
        return flag == 1;
    }

    /**
     * A chunked tensor, the layout of a block in {@code TileEvidence}: shape ‖ 32-byte tensor root ‖ source leaf proof
     * ‖ u32 chunk count ‖ per chunk u32 index ‖ bytes ‖ leaf proof against the tensor root.
     */
    private static void writeBlock(CanonicalWriter out, TileEvidence.BlockEvidence block) {
        Commitments.writeShape(out, block.shape());
        out.raw(block.tensorRoot());
        block.sourceProof().write(out);
        out.u32(block.chunks().size());
        for (TileEvidence.Chunk c : block.chunks()) {
            out.u32(c.index()).bytes(c.bytes());
            c.proof().write(out);
        }
    }

    private static TileEvidence.BlockEvidence readBlock(CanonicalReader in) {
        int rank = in.u32();
        if (rank < 0 || rank > 8) throw new IllegalArgumentException("rank " + rank + " > 8");
        int[] shape = new int[rank];
        for (int d = 0; d < rank; d++) shape[d] = in.u32();
        byte[] root = in.raw(32);
        LeafProof source = LeafProof.read(in);
        int count = in.u32();
        if (count < 0 || count > TileEvidence.MAX_CHUNKS) throw new IllegalArgumentException("chunks: " + count);
        List<TileEvidence.Chunk> chunks = new ArrayList<>(Math.min(count, 1024));
        for (int i = 0; i < count; i++) {
            int index = in.u32();
            byte[] bytes = in.bytes();
            chunks.add(new TileEvidence.Chunk(index, bytes, LeafProof.read(in)));
        }
        return new TileEvidence.BlockEvidence(shape, root, source, chunks);
    }

    private static void writeTensor(CanonicalWriter out, Tensor tensor) {
        Commitments.writeShape(out, tensor.shape());
        out.bytes(tensor.toBytes());
    }

    private static Tensor readTensor(CanonicalReader in) {
        int rank = in.u32();
        if (rank > 8) throw new IllegalArgumentException("rank " + rank + " > 8");
        int[] shape = new int[rank];
        for (int d = 0; d < rank; d++) shape[d] = in.u32();
        return Tensor.fromBytes(shape, in.bytes());
    }
}
