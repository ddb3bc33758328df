package io.verigrid.verify;

import io.verigrid.engine.Dataset;
import io.verigrid.engine.MatmulTiles;
import io.verigrid.engine.ModelState;
import io.verigrid.engine.OpRecord;
import io.verigrid.engine.OpSet;
import io.verigrid.engine.StepTrace;
import io.verigrid.engine.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * The commitments of spec §1 (formats in docs/protocol.md): tensor roots over 64 KiB chunks, state and dataset
 * roots over named tensors, and step-trace roots over operator outputs. Every leaf starts with a one-byte tag
 * so that no leaf of one kind can pass for another.
 */
public final class Commitments {
    public static final int CHUNK_BYTES = 64 * 1024;
    /** The name under which an operator's output is committed in a trace leaf. */
    public static final String OUTPUT_NAME = "out";
    /** The counter leaf every state root ends with. */
    public static final String STEP_COUNTER = "step";

    static final byte CHUNK_TAG = 0x00;
    static final byte TENSOR_TAG = 0x02;
    static final byte TRACE_TAG = 0x03;
    static final byte COUNTER_TAG = 0x04;
    /** After the inference tags 0x05–0x07, so a tile leaf and a response leaf never share a tag. */
    static final byte TILE_TAG = 0x08;

    private Commitments() {}

    /**
     * Merkle root over the tensor's canonical bytes cut into {@link #CHUNK_BYTES} chunks, leaf i =
     * H(0x00 ‖ name ‖ u32 i ‖ chunk i). A tensor with no elements has one empty chunk.
     */
    public static byte[] tensorRoot(String name, Tensor tensor) {
        return Merkle.root(chunkLeaves(name, tensor));
    }

    /**
     * The root an operator's output is committed under in a trace leaf: {@code tensorLeaf("out", output)}, so it
     * binds the output's shape as well as its bytes (a referee must not accept the right bytes in the wrong shape).
     */
    public static byte[] outputRoot(Tensor output) {
        return tensorLeaf(OUTPUT_NAME, output);
    }

    /** H(0x02 ‖ name ‖ shape ‖ tensorRoot(name, tensor)), shape = u32 rank ‖ u32 dims. */
    public static byte[] tensorLeaf(String name, Tensor tensor) {
        CanonicalWriter out = new CanonicalWriter().u8(TENSOR_TAG).string(checkName(name));
        writeShape(out, tensor.shape());
        return Hashes.sha256(out.raw(tensorRoot(name, tensor)).toByteArray());
    }

    /** H(0x04 ‖ name ‖ i64 value): a counter such as the step. */
    public static byte[] counterLeaf(String name, long value) {
        return Hashes.sha256(new CanonicalWriter().u8(COUNTER_TAG).string(checkName(name)).i64(value).toByteArray());
    }

    /** The state's tensor leaves in name order, then the {@code step} counter leaf. */
    public static List<byte[]> stateLeaves(ModelState state) {
        if (state == null) throw new IllegalArgumentException("state: null");
        List<byte[]> leaves = namedLeaves(state.tensors());
        leaves.add(counterLeaf(STEP_COUNTER, state.step()));
        return leaves;
    }

    public static byte[] stateRoot(ModelState state) {
        return Merkle.root(stateLeaves(state));
    }

    /** Proof that tensor {@code name} of {@code state} is in {@code stateRoot(state)}. */
    public static LeafProof stateProof(ModelState state, String name) {
        List<byte[]> leaves = stateLeaves(state);
        int index = indexOf(state.tensors(), name, "state");
        return new LeafProof(index, leaves.size(), Merkle.proof(leaves, index));
    }

    /** The dataset's tensor leaves in name order (no counter). */
    public static List<byte[]> datasetLeaves(Dataset dataset) {
        if (dataset == null) throw new IllegalArgumentException("dataset: null");
        return namedLeaves(dataset.tensors());
    }

    public static byte[] datasetRoot(Dataset dataset) {
        return Merkle.root(datasetLeaves(dataset));
    }

    public static LeafProof datasetProof(Dataset dataset, String name) {
        List<byte[]> leaves = datasetLeaves(dataset);
        int index = indexOf(dataset.tensors(), name, "dataset");
        return new LeafProof(index, leaves.size(), Merkle.proof(leaves, index));
    }

    /**
     * H(0x08 ‖ u32 programIndex ‖ u32 row0 ‖ u32 rows ‖ u32 col0 ‖ u32 cols ‖ u32 k0 ‖ u32 kLen ‖ u32 opSetVersion ‖
     * outputRoot): one tile of the program's matmul {@code programIndex}, recorded in place of the whole operator
     * when its inputs exceed max_referee_bytes ({@link MatmulTiles}). Binding the operator and the tile lets the
     * referee check that the disputed leaf is the tile it re-executes.
     */
    public static byte[] tileLeaf(int programIndex, MatmulTiles.Tile tile, int opSetVersion, byte[] outputRoot) {
        if (outputRoot == null || outputRoot.length != Hashes.LENGTH) {
            throw new IllegalArgumentException("outputRoot: must be " + Hashes.LENGTH + " bytes");
        }
        if (programIndex < 0) throw new IllegalArgumentException("programIndex: must be non-negative, got " + programIndex);
        return Hashes.sha256(new CanonicalWriter().u8(TILE_TAG).u32(programIndex).u32(tile.row0()).u32(tile.rows())
                .u32(tile.col0()).u32(tile.cols()).u32(tile.k0()).u32(tile.kLen()).u32(opSetVersion).raw(outputRoot)
                .toByteArray());
    }

    /** H(0x02 ‖ name ‖ shape ‖ tensorRoot) from a tensor root already known, as a referee holding only chunks has it. */
    public static byte[] tensorLeaf(String name, int[] shape, byte[] tensorRoot) {
        CanonicalWriter out = new CanonicalWriter().u8(TENSOR_TAG).string(checkName(name));
        writeShape(out, shape);
        return Hashes.sha256(out.raw(tensorRoot).toByteArray());
    }

    /** Chunk leaf i of a tensor: H(0x00 ‖ name ‖ u32 i ‖ chunk bytes). */
    public static byte[] chunkLeaf(String name, int index, byte[] chunk) {
        return Hashes.sha256(new CanonicalWriter().u8(CHUNK_TAG).string(checkName(name)).u32(index).toByteArray(), chunk);
    }

    /** How many chunks a tensor of {@code elements} float32 values is committed in (at least one). */
    public static int chunkCount(long elements) {
        return (int) Math.max(1, (4 * elements + CHUNK_BYTES - 1) / CHUNK_BYTES);
    }

    /** Proof that chunk {@code index} of {@code tensor} (committed under {@code name}) is in its tensor root. */
    public static LeafProof chunkProof(String name, Tensor tensor, int index) {
        List<byte[]> leaves = chunkLeaves(name, tensor);
        return new LeafProof(index, leaves.size(), Merkle.proof(leaves, index));
    }

    /** H(0x03 ‖ u32 index ‖ kind ‖ u32 opSetVersion ‖ outputRoot). */
    public static byte[] traceLeaf(int index, String kind, int opSetVersion, byte[] outputRoot) {
        if (outputRoot == null || outputRoot.length != Hashes.LENGTH) {
            throw new IllegalArgumentException("outputRoot: must be a " + Hashes.LENGTH + "-byte hash");
        }
        if (kind == null || kind.isEmpty()) throw new IllegalArgumentException("kind: empty");
        return Hashes.sha256(new CanonicalWriter().u8(TRACE_TAG).u32(index).string(kind)
                .u32(opSetVersion).raw(outputRoot).toByteArray());
    }

    /** One leaf per recorded operator, under the engine's current {@link OpSet#VERSION}. */
    public static List<byte[]> traceLeaves(StepTrace trace) {
        if (trace == null) throw new IllegalArgumentException("trace: null");
        List<byte[]> leaves = new ArrayList<>(trace.ops().size());
        for (OpRecord op : trace.ops()) {
            leaves.add(op.isTile()
                    ? tileLeaf(op.programIndex(), MatmulTiles.Tile.ofAttrs(op.spec().attrs()), OpSet.VERSION, outputRoot(op.output()))
                    : traceLeaf(op.programIndex(), op.spec().kind(), OpSet.VERSION, outputRoot(op.output())));
        }
        return leaves;
    }

    public static byte[] traceRoot(StepTrace trace) {
        return Merkle.root(traceLeaves(trace));
    }

    public static LeafProof traceProof(StepTrace trace, int index) {
        List<byte[]> leaves = traceLeaves(trace);
        if (index < 0 || index >= leaves.size()) {
            throw new IllegalArgumentException("index: " + index + " outside the trace's 0.." + (leaves.size() - 1));
        }
        return new LeafProof(index, leaves.size(), Merkle.proof(leaves, index));
    }

    static void writeShape(CanonicalWriter out, int[] shape) {
        out.u32(shape.length);
        for (int dim : shape) out.u32(dim);
    }

    static List<byte[]> chunkLeaves(String name, Tensor tensor) {
        checkName(name);
        if (tensor == null) throw new IllegalArgumentException("tensor: null");
        byte[] bytes = tensor.toBytes();
        int chunks = Math.max(1, (bytes.length + CHUNK_BYTES - 1) / CHUNK_BYTES);
        List<byte[]> leaves = new ArrayList<>(chunks);
        for (int i = 0; i < chunks; i++) {
            byte[] chunk = Arrays.copyOfRange(bytes, i * CHUNK_BYTES, Math.min(bytes.length, (i + 1) * CHUNK_BYTES));
            leaves.add(chunkLeaf(name, i, chunk));
        }
        return leaves;
    }

    private static List<byte[]> namedLeaves(SortedMap<String, Tensor> tensors) {
        List<byte[]> leaves = new ArrayList<>(tensors.size() + 1);
        for (Map.Entry<String, Tensor> entry : tensors.entrySet()) leaves.add(tensorLeaf(entry.getKey(), entry.getValue()));
        return leaves;
    }

    private static int indexOf(SortedMap<String, Tensor> tensors, String name, String what) {
        if (!tensors.containsKey(name)) {
            throw new IllegalArgumentException("name: " + what + " has no tensor " + name + "; it has " + tensors.keySet());
        }
        return tensors.headMap(name).size();
    }

    private static String checkName(String name) {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("name: empty");
        return name;
    }
}
