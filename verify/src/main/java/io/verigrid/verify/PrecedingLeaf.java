package io.verigrid.verify;

import io.verigrid.engine.MatmulTiles;
import io.verigrid.engine.OpRecord;
import io.verigrid.engine.OpSet;
import io.verigrid.engine.StepTrace;

import java.util.Arrays;

/**
 * The agreed trace leaf just before the disputed one, opened: what it records (a program operator whole, or one tile
 * of a tiled matmul) and its Merkle proof against the provider's trace root. Both parties agreed on every leaf before
 * the disputed one, so the referee may take this leaf as canonical and check that the disputed leaf is its canonical
 * successor ({@link TraceLayout}) — that a correct leaf was not moved, repeated or skipped.
 *
 * @param programIndex the program operator the leaf belongs to
 * @param kind         the operator's kind for a whole leaf; {@link MatmulTiles#TILE_KIND} for a tile
 * @param tile         the tile, null for a whole leaf
 * @param outputRoot   the leaf's {@link Commitments#outputRoot}
 * @param proof        its proof in the provider's trace
 */
public record PrecedingLeaf(int programIndex, String kind, MatmulTiles.Tile tile, byte[] outputRoot, LeafProof proof) {
    public PrecedingLeaf {
        if (programIndex < 0) throw new IllegalArgumentException("programIndex: must be non-negative, got " + programIndex);
        if (kind == null || kind.isEmpty()) throw new IllegalArgumentException("kind: empty");
        if ((tile != null) != kind.equals(MatmulTiles.TILE_KIND)) {
            throw new IllegalArgumentException("tile: given exactly when the kind is " + MatmulTiles.TILE_KIND);
        }
        if (outputRoot == null || outputRoot.length != Hashes.LENGTH) throw new IllegalArgumentException("outputRoot: must be a 32-byte hash");
        if (proof == null) throw new IllegalArgumentException("proof: null");
        outputRoot = outputRoot.clone();
    }

    /** Trace entry {@code position − 1} of {@code trace}, as an honest provider opens it; null for position 0. */
    public static PrecedingLeaf before(StepTrace trace, int position) {
        if (trace == null) throw new IllegalArgumentException("trace: null");
        if (position < 0 || position >= trace.ops().size()) {
            throw new IllegalArgumentException("position: " + position + " outside the trace's 0.." + (trace.ops().size() - 1));
        }
        if (position == 0) return null;
        OpRecord r = trace.ops().get(position - 1);
        MatmulTiles.Tile tile = r.isTile() ? MatmulTiles.Tile.ofAttrs(r.spec().attrs()) : null;
        return new PrecedingLeaf(r.programIndex(), r.spec().kind(), tile, Commitments.outputRoot(r.output()),
                Commitments.traceProof(trace, position - 1));
    }

    @Override
    public byte[] outputRoot() {
        return outputRoot.clone();
    }

    /** The trace leaf this opens. */
    public byte[] leaf() {
        return tile == null ? Commitments.traceLeaf(programIndex, kind, OpSet.VERSION, outputRoot)
                : Commitments.tileLeaf(programIndex, tile, OpSet.VERSION, outputRoot);
    }

    /** Whether this is leaf {@code position − 1} of the trace of {@code traceLength} leaves under {@code traceRoot}. */
    public boolean provenBefore(int position, byte[] traceRoot, int traceLength) {
        return proof.index() == position - 1 && proof.leafCount() == traceLength && proof.verify(traceRoot, leaf());
    }

    /** Whether the leaf records program operator {@code p} whole (an untiled operator, or a tiled one's assembly). */
    public boolean isWhole(int p, String programKind) {
        return tile == null && programIndex == p && kind.equals(programKind);
    }

    /** Whether the leaf is tile {@code t} of program operator {@code p}. */
    public boolean isTile(int p, MatmulTiles.Tile t) {
        return tile != null && programIndex == p && tile.equals(t);
    }

    /** u32 programIndex ‖ u8 form (0 whole ‖ kind, 1 tile ‖ u32 row0, rows, col0, cols, k0, kLen) ‖ outputRoot ‖ proof. */
    void write(CanonicalWriter out) {
        out.u32(programIndex);
        if (tile == null) {
            out.u8(0).string(kind);
        } else {
            out.u8(1).u32(tile.row0()).u32(tile.rows()).u32(tile.col0()).u32(tile.cols()).u32(tile.k0()).u32(tile.kLen());
        }
        out.raw(outputRoot);
        proof.write(out);
    }

    static PrecedingLeaf read(CanonicalReader in) {
        int programIndex = in.u32();
        int form = in.u8();
        String kind;
        MatmulTiles.Tile tile = null;
        if (form == 0) {
            kind = in.string();
        } else if (form == 1) {
            kind = MatmulTiles.TILE_KIND;
            tile = new MatmulTiles.Tile(in.u32(), in.u32(), in.u32(), in.u32(), in.u32(), in.u32());
        } else {
            throw new IllegalArgumentException("preceding leaf: form " + form + " (0 whole, 1 tile)");
        }
        return new PrecedingLeaf(programIndex, kind, tile, in.raw(Hashes.LENGTH), LeafProof.read(in));
    }

    public byte[] encode() {
        CanonicalWriter out = new CanonicalWriter();
        write(out);
        return out.toByteArray();
    }

    /** Inverse of {@link #encode()}; IllegalArgumentException on malformed bytes. */
    public static PrecedingLeaf decode(byte[] bytes) {
        CanonicalReader in = new CanonicalReader(bytes);
        PrecedingLeaf leaf = read(in);
        in.expectEnd();
        return leaf;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PrecedingLeaf that && Arrays.equals(encode(), that.encode());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encode());
    }
}
