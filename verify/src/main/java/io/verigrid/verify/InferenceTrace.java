package io.verigrid.verify;

import io.verigrid.engine.Decoder;
import io.verigrid.engine.InputRef;
import io.verigrid.engine.LlamaModel;
import io.verigrid.engine.MatmulTiles;
import io.verigrid.engine.OpRecord;
import io.verigrid.engine.OpSet;
import io.verigrid.engine.OpSpec;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.Tensor;
import io.verigrid.engine.generate.Sampler;
import io.verigrid.verify.InferenceCommitments.ResponseLeaf;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SortedMap;

/**
 * One party's own record of a disputed choice, the inference counterpart of {@link LocalRun}: the fed tokens
 * x_0..x_{T−1} run through the engine's traced position programs ({@link Decoder#positionProgram}), every trace
 * leaf's output root kept (laid out by {@link InferenceLayout}: large matmuls as tiles and an assembly leaf), so the
 * party can post (provider) or check (challenger) transcript and trace nodes, and build the settling move for one
 * leaf by replaying up to its position.
 */
public final class InferenceTrace {
    /** Changes a position's recorded outputs after it ran: how drills model a provider that computes something else. */
    public interface PositionHook {
        void apply(int position, List<OpRecord> records);
    }

    /** What a party computes with: the model, its weights and (drills only, else null) a hook. */
    public record Replica(LlamaModel model, SortedMap<String, Tensor> weights, PositionHook hook) {
        public Replica {
            if (model == null || weights == null) throw new IllegalArgumentException("model and weights must not be null");
        }

        public int kvWidth() {
            return model.kvWidth();
        }
    }

    private static final LeafProof NO_PROOF = new LeafProof(0, 1, new MerkleProof(List.of()));

    private final Replica replica;
    private final int[] fed;
    private final InferenceLayout layout;
    private final List<byte[][]> leafRoots = new ArrayList<>();
    private final List<List<byte[]>> traceLeaves = new ArrayList<>();
    private final List<byte[]> transcriptLeaves = new ArrayList<>();
    private final List<float[]> hiddenStates = new ArrayList<>();
    private int hiddenStateOp = -1;

    private InferenceTrace(Replica replica, int[] fed, InferenceLayout layout) {
        this.replica = replica;
        this.fed = fed.clone();
        this.layout = layout;
    }

    /** As {@link #run(Replica, int[], long)} under the genesis default bound (4 MiB). */
    public static InferenceTrace run(Replica replica, int[] fed) {
        return run(replica, fed, MatmulTiles.DEFAULT_MAX_REFEREE_BYTES);
    }

    /**
     * Runs {@code fed} (at least one token) position by position and records every trace leaf's output root, the
     * traces laid out under {@code maxRefereeBytes} ({@link InferenceLayout}: large matmuls as tiles and an assembly).
     */
    public static InferenceTrace run(Replica replica, int[] fed, long maxRefereeBytes) {
        if (fed == null || fed.length == 0) throw new IllegalArgumentException("fed: at least one token");
        InferenceTrace trace = new InferenceTrace(replica, fed, InferenceLayout.of(replica.model(), maxRefereeBytes));
        Decoder decoder = new Decoder(replica.model(), replica.weights(), Parallelism.single());
        for (int t = 0; t < fed.length; t++) {
            List<OpRecord> records = trace.step(decoder, t);
            List<OpSpec> program = Decoder.positionProgram(replica.model(), t);
            List<Tensor> outputs = trace.leafOutputs(program, records);
            byte[][] roots = new byte[outputs.size()][];
            List<byte[]> leaves = new ArrayList<>(outputs.size());
            for (int j = 0; j < roots.length; j++) {
                roots[j] = Commitments.outputRoot(outputs.get(j));
                InferenceLayout.Entry e = trace.layout.entry(j);
                leaves.add(e.kind() == InferenceLayout.Kind.TILE
                        ? Commitments.tileLeaf(e.programIndex(), e.tile(), OpSet.VERSION, roots[j])
                        : Commitments.traceLeaf(e.programIndex(), program.get(e.programIndex()).kind(), OpSet.VERSION, roots[j]));
            }
            trace.hiddenStateOp = InferencePooling.hiddenStateOp(program);
            trace.hiddenStates.add(records.get(trace.hiddenStateOp).output().data());
            trace.leafRoots.add(roots);
            trace.traceLeaves.add(leaves);
            trace.transcriptLeaves.add(InferenceCommitments.transcriptLeaf(t, fed[t], Merkle.root(leaves)));
        }
        return trace;
    }

    /**
     * The output of every trace leaf of one position, from the operators' whole outputs as run (a hook's changes
     * included): a tile's last K-block is cut from its operator's output, so a corrupted output shows in its tile;
     * earlier K-blocks carry the partial sums (as {@code MatmulTiles} records training traces).
     */
    private List<Tensor> leafOutputs(List<OpSpec> program, List<OpRecord> records) {
        List<Tensor> outputs = new ArrayList<>(layout.traceLength());
        for (int p = 0; p < program.size(); p++) {
            List<MatmulTiles.Tile> plan = layout.plan(p);
            if (plan != null) {
                long[] attrs = program.get(p).attrs();
                boolean transA = attrs[0] == 1;
                boolean transB = attrs[1] == 1;
                Tensor a = input(program.get(p).inputs().get(0), records);
                Tensor b = input(program.get(p).inputs().get(1), records);
                Tensor whole = records.get(p).output();
                int k = transA ? a.dim(0) : a.dim(1);
                Tensor acc = null;
                for (MatmulTiles.Tile tile : plan) {
                    if (tile.first()) acc = null;
                    if (tile.k0() + tile.kLen() == k) {
                        outputs.add(MatmulTiles.slice(whole, tile));
                    } else {
                        acc = MatmulTiles.multiplyAccumulate(MatmulTiles.aBlock(a, transA, tile), MatmulTiles.bBlock(b, transB, tile),
                                acc, Parallelism.single());
                        outputs.add(acc);
                    }
                }
            }
            outputs.add(records.get(p).output());
        }
        return outputs;
    }

    private Tensor input(InputRef ref, List<OpRecord> records) {
        return switch (ref.source()) {
            case OP -> records.get(ref.op()).output();
            case STATE -> replica.weights().get(ref.name());
            case DATA -> throw new IllegalStateException("a position program's matmul reads no data");
        };
    }

    /** Rows [row0, row0 + rows) and columns [col0, col0 + cols) of a 2-D output. */
    private List<OpRecord> step(Decoder decoder, int t) {
        List<OpRecord> records = new ArrayList<>();
        decoder.next(fed[t], records);
        if (replica.hook() != null) replica.hook().apply(t, records);
        return records;
    }

    /**
     * The response leaves this replica gives for {@code request} when each choice c is decoded for exactly
     * {@code lengths[c]} positions (the lengths the provider committed to; stop strings may end a choice early).
     */
    public static List<ResponseLeaf> responseLeaves(Replica replica, InferenceRequest request, int[] lengths) {
        List<ResponseLeaf> leaves = new ArrayList<>();
        for (int c = 0; c < lengths.length; c++) {
            Decoder decoder = new Decoder(replica.model(), replica.weights(), Parallelism.single());
            int[] prompt = request.prompt();
            List<OpRecord> records = new ArrayList<>();
            for (int t = 0; t < prompt.length; t++) {
                records.clear();
                decoder.next(prompt[t], records);
                if (replica.hook() != null) replica.hook().apply(t, records);
            }
            int[] history = new int[lengths[c]];
            for (int pos = 0; pos < lengths[c]; pos++) {
                float[] logits = records.get(records.size() - 1).output().data();
                int token = Sampler.pick(logits, request.sampling(), Arrays.copyOf(history, pos), c, pos, 0).token();
                history[pos] = token;
                leaves.add(new ResponseLeaf(c, pos, token, InferenceCommitments.logitsRoot(logits)));
                if (pos + 1 < lengths[c]) {
                    records.clear();
                    decoder.next(token, records);
                    if (replica.hook() != null) replica.hook().apply(prompt.length + pos, records);
                }
            }
        }
        return leaves;
    }

    public int length() {
        return fed.length;
    }

    public int token(int t) {
        return fed[t];
    }

    public byte[] root() {
        return Merkle.root(transcriptLeaves);
    }

    public List<byte[]> transcriptLeaves() {
        return List.copyOf(transcriptLeaves);
    }

    public LeafProof transcriptProof(int t) {
        return new LeafProof(t, fed.length, Merkle.proof(transcriptLeaves, t));
    }

    public byte[] traceRoot(int t) {
        return Merkle.root(traceLeaves.get(t));
    }

    public List<byte[]> traceLeaves(int t) {
        return List.copyOf(traceLeaves.get(t));
    }

    public LeafProof traceProof(int t, int j) {
        return new LeafProof(j, traceLeaves.get(t).size(), Merkle.proof(traceLeaves.get(t), j));
    }

    /** The output root of leaf {@code j} of position {@code t}'s trace. */
    public byte[] outputRoot(int t, int j) {
        return leafRoots.get(t)[j].clone();
    }

    public InferenceLayout layout() {
        return layout;
    }

    /** The final hidden states of the fed positions as run (the final norm's outputs, a hook's changes included): (T, hidden). */
    public Tensor hiddenStates() {
        int d = hiddenStates.get(0).length;
        float[] rows = new float[fed.length * d];
        for (int t = 0; t < fed.length; t++) System.arraycopy(hiddenStates.get(t), 0, rows, t * d, d);
        return Tensor.of(new int[] {fed.length, d}, rows);
    }

    /** Per position, what proves its row of {@link #hiddenStates()}: its transcript leaf and its final-norm trace leaf. */
    public List<InferencePooling.RowProof> hiddenStateProofs() {
        List<InferencePooling.RowProof> proofs = new ArrayList<>(fed.length);
        for (int t = 0; t < fed.length; t++) {
            proofs.add(new InferencePooling.RowProof(fed[t], traceRoot(t), transcriptProof(t),
                    traceProof(t, layout.wholeIndex(hiddenStateOp))));
        }
        return proofs;
    }

    /** The logits (1, vocab) of the last position, by replaying it. */
    public Tensor lastLogits() {
        List<List<OpRecord>> replayed = replay(fed.length - 1);
        List<OpRecord> last = replayed.get(replayed.size() - 1);
        return last.get(last.size() - 1).output();
    }

    /** The nodes of {@code leaves}' tree at {@code level}, positions start..start+count−1. */
    public static List<byte[]> nodes(List<byte[]> leaves, int level, int start, int count) {
        return List.copyOf(Merkle.levels(leaves).get(level).subList(start, start + count));
    }

    /**
     * The provider's settling move for leaf {@code j} of position {@code t}'s trace, replaying positions 0..t: a
     * whole operator's proven inputs, the embedding's row as chunks of its table, one tile's chunked blocks, or an
     * assembly's output with the proofs of the tiles it is cut into.
     */
    public InferenceMove settlement(int t, int j) {
        List<List<OpRecord>> replayed = replay(t);
        List<OpRecord> now = replayed.get(replayed.size() - 1);
        List<OpRecord> before = replayed.size() > 1 ? replayed.get(0) : null;
        List<OpSpec> program = Decoder.positionProgram(replica.model(), t);
        InferenceLayout.Entry e = layout.entry(j);
        int p = e.programIndex();
        byte[] root = outputRoot(t, j);
        return switch (e.kind()) {
            case WHOLE -> program.get(p).kind().equals("embedding")
                    ? new InferenceMove.SettleRows(rowEvidence(program.get(p), fed[t]), root)
                    : new InferenceMove.SettleOperator(evidence(program, p, t, now, before), root);
            case TILE -> new InferenceMove.SettleTile(tileEvidence(program, t, j, now), root);
            case ASSEMBLY -> new InferenceMove.SettleAssembly(now.get(p).output(), finalTileProofs(t, p), root);
        };
    }

    /** The evidence for the whole operator {@code p} of position {@code t}, replaying positions 0..t. */
    public List<InputEvidence> evidence(int t, int p) {
        List<List<OpRecord>> replayed = replay(t);
        return evidence(Decoder.positionProgram(replica.model(), t), p, t, replayed.get(replayed.size() - 1),
                replayed.size() > 1 ? replayed.get(0) : null);
    }

    private List<InputEvidence> evidence(List<OpSpec> program, int p, int t, List<OpRecord> now, List<OpRecord> before) {
        List<InputEvidence> evidence = new ArrayList<>();
        for (InputRef ref : program.get(p).inputs()) {
            evidence.add(switch (ref.source()) {
                case STATE -> {
                    if (!InferenceReferee.isCache(ref.name())) {
                        yield new InputEvidence(replica.weights().get(ref.name()),
                                InferenceCommitments.weightProof(replica.weights(), ref.name()));
                    }
                    if (t == 0) yield new InputEvidence(Tensor.zeros(0, replica.kvWidth()), NO_PROOF);
                    int writer = InferenceReferee.cacheWriter(program, ref.name());
                    yield new InputEvidence(before.get(writer).output(), traceProof(t - 1, layout.wholeIndex(writer)));
                }
                case DATA -> new InputEvidence(Tensor.of(new int[] {1}, new float[] {fed[t]}), NO_PROOF);
                case OP -> new InputEvidence(now.get(ref.op()).output(), traceProof(t, layout.wholeIndex(ref.op())));
            });
        }
        return evidence;
    }

    /** The chunks of the embedding table holding row {@code token}, the table proven against the weights root. */
    private TileEvidence.BlockEvidence rowEvidence(OpSpec embedding, int token) {
        String name = embedding.inputs().get(0).name();
        Tensor table = replica.weights().get(name);
        long rowBytes = 4L * table.dim(1);
        return chunked(name, table, InferenceCommitments.weightProof(replica.weights(), name),
                InferenceReferee.rowChunks(token, rowBytes));
    }

    private TileEvidence tileEvidence(List<OpSpec> program, int t, int j, List<OpRecord> now) {
        InferenceLayout.Entry e = layout.entry(j);
        OpSpec matmul = program.get(e.programIndex());
        TileEvidence.BlockEvidence a = block(matmul.inputs().get(0), matmul.attrs()[0] == 1, true, e.tile(), t, now);
        TileEvidence.BlockEvidence b = block(matmul.inputs().get(1), matmul.attrs()[1] == 1, false, e.tile(), t, now);
        List<Tensor> outputs = leafOutputs(program, now);
        if (e.tile().first()) return new TileEvidence(e.programIndex(), e.tile(), a, b, null, null, preceding(program, t, j, outputs));
        return new TileEvidence(e.programIndex(), e.tile(), a, b, outputs.get(j - 1), traceProof(t, j - 1));
    }

    /** Leaf j − 1 of position t opened for the referee's placement check (null for leaf 0). */
    private PrecedingLeaf preceding(List<OpSpec> program, int t, int j, List<Tensor> outputs) {
        if (j == 0) return null;
        InferenceLayout.Entry before = layout.entry(j - 1);
        String kind = before.tile() != null ? MatmulTiles.TILE_KIND : program.get(before.programIndex()).kind();
        return new PrecedingLeaf(before.programIndex(), kind, before.tile(), Commitments.outputRoot(outputs.get(j - 1)),
                traceProof(t, j - 1));
    }

    private TileEvidence.BlockEvidence block(InputRef ref, boolean transposed, boolean isA, MatmulTiles.Tile tile, int t,
                                             List<OpRecord> now) {
        if (ref.source() == InputRef.Source.OP) {
            Tensor out = now.get(ref.op()).output();
            return chunked(Commitments.OUTPUT_NAME, out, traceProof(t, layout.wholeIndex(ref.op())),
                    TileEvidence.chunksOf(out.shape(), transposed, isA, tile));
        }
        Tensor weight = replica.weights().get(ref.name());
        return chunked(ref.name(), weight, InferenceCommitments.weightProof(replica.weights(), ref.name()),
                TileEvidence.chunksOf(weight.shape(), transposed, isA, tile));
    }

    /** Chunks {@code indices} of {@code tensor} committed under {@code name}, each proven against its tensor root. */
    private static TileEvidence.BlockEvidence chunked(String name, Tensor tensor, LeafProof source, Iterable<Integer> indices) {
        byte[] bytes = tensor.toBytes();
        List<byte[]> leaves = Commitments.chunkLeaves(name, tensor);
        List<TileEvidence.Chunk> chunks = new ArrayList<>();
        for (int index : indices) {
            byte[] chunk = Arrays.copyOfRange(bytes, index * Commitments.CHUNK_BYTES,
                    Math.min(bytes.length, (index + 1) * Commitments.CHUNK_BYTES));
            chunks.add(new TileEvidence.Chunk(index, chunk, new LeafProof(index, leaves.size(), Merkle.proof(leaves, index))));
        }
        return new TileEvidence.BlockEvidence(tensor.shape(), Merkle.root(leaves), source, chunks);
    }

    /** Proofs of operator {@code p}'s final K-block tiles (the ones its output is cut into), in plan order. */
    private List<LeafProof> finalTileProofs(int t, int p) {
        List<MatmulTiles.Tile> plan = layout.plan(p);
        int first = layout.wholeIndex(p) - plan.size();
        List<LeafProof> proofs = new ArrayList<>();
        for (int i : MatmulTiles.finalTiles(plan)) proofs.add(traceProof(t, first + i));
        return proofs;
    }

    /** Records of positions t−1 (when t &gt; 0) and t, replayed from the start. */
    private List<List<OpRecord>> replay(int t) {
        Decoder decoder = new Decoder(replica.model(), replica.weights(), Parallelism.single());
        List<List<OpRecord>> kept = new ArrayList<>();
        for (int p = 0; p <= t; p++) {
            List<OpRecord> records = step(decoder, p);
            if (p >= t - 1) kept.add(records);
        }
        return kept;
    }
}
