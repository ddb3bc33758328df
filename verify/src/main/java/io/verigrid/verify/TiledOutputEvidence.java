package io.verigrid.verify;

import io.verigrid.engine.Dataset;
import io.verigrid.engine.MatmulTiles;
import io.verigrid.engine.ModelState;
import io.verigrid.engine.OpRecord;
import io.verigrid.engine.OpSpec;
import io.verigrid.engine.StepTrace;
import io.verigrid.engine.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * What a provider posts when a dispute lands on the assembly leaf of a tiled matmul (spec §2): the leaf that records
 * the operator whole after its tiles, so later operators can prove their input against it. The referee
 * ({@link TiledOutputReferee}) reads the assembled output — it must fit max_referee_bytes — and checks each final
 * K-block tile's slice of it against that tile's agreed leaf; the operands' tensor leaves (no chunks) fix the shapes,
 * hence the plan and where each tile sits.
 *
 * @param programIndex the tiled matmul
 * @param a            op(A)'s source tensor leaf (shape, root, proof), without chunks
 * @param b            op(B)'s source tensor leaf, without chunks
 * @param output       the assembled output, m×n
 * @param finalTiles   per final K-block tile of the plan, in plan order, the proof of its leaf in the provider's trace
 */
public record TiledOutputEvidence(int programIndex, TileEvidence.BlockEvidence a, TileEvidence.BlockEvidence b, Tensor output,
                                  List<LeafProof> finalTiles) {
    public TiledOutputEvidence {
        if (a == null || b == null || output == null || finalTiles == null) {
            throw new IllegalArgumentException("a, b, output, finalTiles: null");
        }
        if (finalTiles.size() > MatmulTiles.MAX_TILES) {
            throw new IllegalArgumentException("finalTiles: more than " + MatmulTiles.MAX_TILES);
        }
        finalTiles = List.copyOf(finalTiles);
    }

    /** The bytes the referee reads: the assembled output. */
    public long inputBytes() {
        return 4L * output.size();
    }

    /** Whether trace entry {@code position} is a tiled matmul's assembly entry: a whole entry right after its own tiles. */
    public static boolean isAssembly(StepTrace trace, int position) {
        List<OpRecord> ops = trace.ops();
        OpRecord r = ops.get(position);
        return !r.isTile() && position > 0 && ops.get(position - 1).isTile()
                && ops.get(position - 1).programIndex() == r.programIndex();
    }

    /** The evidence an honest provider posts for the assembly entry at {@code position} of {@code trace}. */
    public static TiledOutputEvidence forAssembly(List<OpSpec> program, StepTrace trace, int position, ModelState stateLo,
                                                  Dataset dataset) {
        if (program == null || trace == null || stateLo == null || dataset == null) {
            throw new IllegalArgumentException("program, trace, stateLo, dataset: null");
        }
        if (!isAssembly(trace, position)) {
            throw new IllegalArgumentException("position: trace entry " + position + " is not a tiled matmul's assembly entry");
        }
        OpRecord record = trace.ops().get(position);
        OpSpec matmul = program.get(record.programIndex());
        long[] attrs = matmul.attrs();
        TileEvidence.BlockEvidence a = TileEvidence.block(matmul.inputs().get(0), attrs[0] == 1, true, null, trace, stateLo, dataset);
        TileEvidence.BlockEvidence b = TileEvidence.block(matmul.inputs().get(1), attrs[1] == 1, false, null, trace, stateLo, dataset);
        int[] sa = a.shape();
        int k = attrs[0] == 1 ? sa[0] : sa[1];
        List<LeafProof> finals = new ArrayList<>();
        for (int i = position - 1; i >= 0 && trace.ops().get(i).isTile() && trace.ops().get(i).programIndex() == record.programIndex(); i--) {
            MatmulTiles.Tile t = MatmulTiles.Tile.ofAttrs(trace.ops().get(i).spec().attrs());
            if (t.k0() + t.kLen() == k) finals.add(0, Commitments.traceProof(trace, i));
        }
        return new TiledOutputEvidence(record.programIndex(), a, b, record.output(), finals);
    }

    /**
     * Canonical bytes (docs/protocol.md, "Tiled output evidence"): u32 programIndex ‖ block A ‖ block B (as in
     * {@link TileEvidence}, no chunks) ‖ shape ‖ bytes output ‖ u32 count ‖ leaf proofs.
     */
    public byte[] encode() {
        CanonicalWriter out = new CanonicalWriter().u32(programIndex);
        TileEvidence.writeBlock(out, a);
        TileEvidence.writeBlock(out, b);
        Commitments.writeShape(out, output.shape());
        out.bytes(output.toBytes());
        out.u32(finalTiles.size());
        for (LeafProof proof : finalTiles) proof.write(out);
        return out.toByteArray();
    }

    /** Inverse of {@link #encode()}; IllegalArgumentException on malformed bytes. */
    public static TiledOutputEvidence decode(byte[] bytes) {
        CanonicalReader in = new CanonicalReader(bytes);
        int programIndex = in.u32();
        TileEvidence.BlockEvidence a = TileEvidence.readBlock(in);
        TileEvidence.BlockEvidence b = TileEvidence.readBlock(in);
        Tensor output = Tensor.fromBytes(TileEvidence.readShape(in), in.bytes());
        int count = in.u32();
        if (count < 0 || count > MatmulTiles.MAX_TILES) {
            throw new IllegalArgumentException("tiled output evidence: " + count + " tile proofs > " + MatmulTiles.MAX_TILES);
        }
        List<LeafProof> finals = new ArrayList<>(Math.min(count, 1024));
        for (int i = 0; i < count; i++) finals.add(LeafProof.read(in));
        in.expectEnd();
        return new TiledOutputEvidence(programIndex, a, b, output, finals);
    }
}
