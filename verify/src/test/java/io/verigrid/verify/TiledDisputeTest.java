package io.verigrid.verify;

import io.verigrid.engine.Dataset;
import io.verigrid.engine.Fault;
import io.verigrid.engine.MatmulTiles;
import io.verigrid.engine.MlpJob;
import io.verigrid.engine.MlpTrainer;
import io.verigrid.engine.ModelState;
import io.verigrid.engine.OpRecord;
import io.verigrid.engine.OpSpec;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.StepTrace;
import io.verigrid.engine.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Spec §2 end to end: with a tiny max_referee_bytes the demo MLP's large matmuls are traced as tiles; a provider that
 * corrupts one matmul is bisected down to one tile, and the referee settles it by re-executing that tile alone from
 * proven chunks of its inputs — never more than the bound of operator input.
 */
class TiledDisputeTest {
    private static final long MAX = 4 * 1024;
    private static final MlpJob JOB = MlpJob.demo();
    private static final Dataset DATA = JOB.dataset();
    private static final ModelState START = JOB.initialState();
    private static final List<OpSpec> PROGRAM = MlpTrainer.program(JOB, 1);

    /** The game reached a tile: where, and what each side claims. */
    private record Reached(DisputeGame game, int position, StepTrace provider, StepTrace challenger) {}

    private static int matmul(int which) {
        int seen = 0;
        for (int i = 0; i < PROGRAM.size(); i++) {
            if (PROGRAM.get(i).kind().equals("matmul") && seen++ == which) return i;
        }
        throw new AssertionError("no matmul " + which);
    }

    private static StepTrace trace(Fault fault) {
        return MlpTrainer.step(JOB, DATA, START, Parallelism.single(), fault, MAX).trace();
    }

    /** Plays the trace bisection of step 1 between the two traces, as the spec's moves. */
    private static Reached play(StepTrace provider, StepTrace challenger) {
        byte[] rootLo = Commitments.stateRoot(START);
        byte[] wrong = Hashes.sha256("another root".getBytes());
        DisputeGame game = DisputeGame.open(1, 1, 0, 1, rootLo, Hashes.sha256("provider R_1".getBytes()), wrong, 16, 10, 0);
        List<byte[]> theirs = Commitments.traceLeaves(provider);
        List<List<byte[]>> theirLevels = Merkle.levels(theirs);
        List<List<byte[]>> mine = Merkle.levels(Commitments.traceLeaves(challenger));
        long height = 0;
        game = game.postTraceRoot(Merkle.root(theirs), theirs.size(), theirs.size(), ++height);
        while (game.phase() == DisputeGame.Phase.TRACE) {
            if (game.turn() == DisputeGame.Party.PROVIDER) {
                int from = game.childStart();
                game = game.postTraceNodes(theirLevels.get(game.childLevel()).subList(from, from + game.childCount()), ++height);
            }
            int level = game.childLevel();
            List<byte[]> posted = game.postedNodes();
            int k = 0;
            while (Arrays.equals(posted.get(k), mine.get(level).get(game.childStart() + k))) k++;
            byte[] claim = level == 0 ? Commitments.outputRoot(challenger.ops().get(game.childStart() + k).output()) : null;
            game = game.pickTraceNode(k, claim, ++height);
        }
        return new Reached(game, game.operator(), provider, challenger);
    }

    private static Verdict settle(Reached r, TileEvidence evidence) {
        return TileReferee.decide(PROGRAM, r.position(), r.game().nodeHash(), evidence, Commitments.stateRoot(START),
                Commitments.traceRoot(r.provider()), r.provider().ops().size(), Commitments.datasetRoot(DATA), MAX,
                Commitments.outputRoot(r.provider().ops().get(r.position()).output()), r.game().challengerOutputRoot());
    }

    @Test
    void aCorruptedLargeMatmulIsBisectedToOneTileAndRefereedFromItsBlocksAlone() {
        int target = matmul(1); // h·w2: 64×64·64×4, 17 KiB of inputs, traced as K-chains under 4 KiB
        StepTrace honest = trace(null);
        StepTrace cheat = trace(new Fault(1, target, 3 * 4 + 1, 1 << 20));
        assertTrue(honest.ops().size() > PROGRAM.size(), "the bound splits the demo's matmuls");
        Reached r = play(cheat, honest);
        OpRecord reached = cheat.ops().get(r.position());
        assertTrue(reached.isTile(), "the game ends on a tile, not the whole matmul");
        assertEquals(target, reached.programIndex());
        MatmulTiles.Tile tile = MatmulTiles.Tile.ofAttrs(reached.spec().attrs());
        assertFalse(tile.first(), "the corrupted tile carries the partial sums of the K-block before it");
        assertTrue(tile.inputBytes() <= MAX, "the re-executed tile reads " + tile.inputBytes() + " bytes");
        assertTrue(r.game().rounds() + 1 <= Math.max(1, Bisection.ceilLog(2, honest.ops().size())) + 1);

        TileEvidence evidence = TileEvidence.forTile(PROGRAM, cheat, r.position(), START, DATA);
        // The proof reads whole 64 KiB chunks: the demo's tensors are one chunk each, so here that is every tensor.
        assertEquals(TileEvidence.chunksOf(evidence.a().shape(), false, true, tile).size(), evidence.a().chunks().size());
        assertEquals(Verdict.CHALLENGER_WINS, settle(r, evidence), "the tile re-executed from honest inputs convicts the provider");
    }

    @Test
    void anHonestProviderWinsAgainstAChallengerWhoCorruptedATile() {
        int target = matmul(3); // a backward matmul: xᵀ·dh, 16×64·64×64
        StepTrace honest = trace(null);
        StepTrace lying = trace(new Fault(1, target, 70, 1 << 4));
        Reached r = play(honest, lying);
        assertTrue(honest.ops().get(r.position()).isTile());
        TileEvidence evidence = TileEvidence.forTile(PROGRAM, honest, r.position(), START, DATA);
        assertEquals(Verdict.PROVIDER_WINS, settle(r, evidence));

        // Tampered evidence loses the game for the provider, whoever is right about the output.
        TileEvidence.BlockEvidence a = evidence.a();
        List<TileEvidence.Chunk> chunks = new ArrayList<>(a.chunks());
        byte[] flipped = chunks.get(0).bytes().clone();
        flipped[0] ^= 1;
        chunks.set(0, new TileEvidence.Chunk(chunks.get(0).index(), flipped, chunks.get(0).proof()));
        TileEvidence tampered = new TileEvidence(evidence.programIndex(), evidence.tile(),
                new TileEvidence.BlockEvidence(a.shape(), a.tensorRoot(), a.sourceProof(), chunks), evidence.b(),
                evidence.acc(), evidence.accProof());
        assertEquals(Verdict.CHALLENGER_WINS, settle(r, tampered));
        TileEvidence otherTile = new TileEvidence(evidence.programIndex(), new MatmulTiles.Tile(0, 1, 0, 1, 0, 1),
                evidence.a(), evidence.b(), evidence.acc(), evidence.accProof());
        assertEquals(Verdict.CHALLENGER_WINS, settle(r, otherTile), "the evidence must name the tile the game reached");
        if (evidence.acc() != null) {
            TileEvidence wrongAcc = new TileEvidence(evidence.programIndex(), evidence.tile(), evidence.a(), evidence.b(),
                    Tensor.zeros(evidence.acc().shape()), evidence.accProof());
            assertEquals(Verdict.CHALLENGER_WINS, settle(r, wrongAcc));
        }
    }
}
