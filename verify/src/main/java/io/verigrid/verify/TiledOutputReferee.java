package io.verigrid.verify;

import io.verigrid.engine.MatmulTiles;
import io.verigrid.engine.OpSet;
import io.verigrid.engine.OpSpec;
import io.verigrid.engine.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * The referee for a dispute that bisected to the assembly leaf of a tiled matmul (spec §2): the leaf that records the
 * operator whole after its tiles. Both parties agreed on every tile before it, so the output is fixed: the referee
 * reads the assembled output (at most max_referee_bytes), checks that every final K-block tile's slice of it has the
 * output root of that tile's leaf, proven at the index the plan gives it right before the assembly leaf, and judges
 * the assembled root against both claims. Nothing is re-multiplied.
 */
public final class TiledOutputReferee {
    private TiledOutputReferee() {}

    /**
     * Settles the disputed trace entry {@code position}.
     *
     * @param disputedLeaf       the provider's leaf at {@code position}, which the bisection reached
     * @param providerOutputRoot the provider's {@link Commitments#outputRoot} of the whole matmul
     */
    public static Verdict decide(List<OpSpec> program, int position, byte[] disputedLeaf, TiledOutputEvidence evidence,
                                 byte[] rootLo, byte[] providerTraceRoot, int traceLength, byte[] datasetRoot,
                                 long maxRefereeBytes, byte[] providerOutputRoot, byte[] challengerOutputRoot) {
        if (program == null || evidence == null) return Verdict.CHALLENGER_WINS;
        int p = evidence.programIndex();
        if (p < 0 || p >= program.size() || !program.get(p).kind().equals("matmul") || providerOutputRoot == null
                || providerOutputRoot.length != Hashes.LENGTH
                || !Arrays.equals(disputedLeaf, Commitments.traceLeaf(p, "matmul", OpSet.VERSION, providerOutputRoot))) {
            return Verdict.CHALLENGER_WINS; // the leaf the game reached is not this operator's whole leaf
        }
        OpSpec matmul = program.get(p);
        if (!evidence.a().chunks().isEmpty() || !evidence.b().chunks().isEmpty()
                || !TileReferee.sourceProven(evidence.a(), matmul.inputs().get(0), program, position, rootLo, providerTraceRoot,
                        traceLength, datasetRoot)
                || !TileReferee.sourceProven(evidence.b(), matmul.inputs().get(1), program, position, rootLo, providerTraceRoot,
                        traceLength, datasetRoot)) {
            return Verdict.CHALLENGER_WINS;
        }
        List<MatmulTiles.Tile> plan = TileReferee.planOf(matmul, evidence.a().shape(), evidence.b().shape(), maxRefereeBytes);
        if (plan == null || plan.size() == 1) return Verdict.CHALLENGER_WINS; // untiled: its whole leaf is settled as an operator
        MatmulTiles.Tile last = plan.get(plan.size() - 1);
        int m = last.row0() + last.rows();
        int n = last.col0() + last.cols();
        Tensor output = evidence.output();
        if (output.rank() != 2 || output.dim(0) != m || output.dim(1) != n || evidence.inputBytes() > maxRefereeBytes) {
            return Verdict.CHALLENGER_WINS; // not this operator's output, or more than the referee reads
        }
        // The plan's tiles sit right before the assembly leaf, in plan order; the final K-blocks hold the output.
        if (!finalTilesProven(p, plan, output, position - plan.size(), evidence.finalTiles(), providerTraceRoot, traceLength)) {
            return Verdict.CHALLENGER_WINS;
        }
        return Referee.judge(Commitments.outputRoot(output), providerOutputRoot, challengerOutputRoot);
    }

    /**
     * Whether {@code proofs} prove, one per final K-block tile of {@code plan} in plan order, the leaf of that tile's
     * slice of {@code output} at index {@code first} + its place in the plan: the check every assembly leaf (of a
     * training step or of an inference position) rests on.
     */
    static boolean finalTilesProven(int p, List<MatmulTiles.Tile> plan, Tensor output, int first, List<LeafProof> proofs,
                                    byte[] traceRoot, int traceLength) {
        List<Integer> finals = MatmulTiles.finalTiles(plan);
        if (first < 0 || proofs == null || proofs.size() != finals.size()) return false;
        for (int f = 0; f < finals.size(); f++) {
            MatmulTiles.Tile tile = plan.get(finals.get(f));
            LeafProof proof = proofs.get(f);
            byte[] leaf = Commitments.tileLeaf(p, tile, OpSet.VERSION, Commitments.outputRoot(MatmulTiles.slice(output, tile)));
            if (proof == null || proof.index() != first + finals.get(f) || proof.leafCount() != traceLength
                    || !proof.verify(traceRoot, leaf)) {
                return false;
            }
        }
        return true;
    }
}
