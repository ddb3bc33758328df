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
 * Spec §2 end to end: under a 512 KiB max_referee_bytes an MLP's large matmuls are traced as tiles; a provider that
 * corrupts one matmul is bisected down to one tile, and the referee settles it by re-executing that tile alone from
 * proven chunks of its inputs — never reading more than the bound.
 */
class TiledDisputeTest {
    private static final long MAX = 512 * 1024;
    /** First-layer matmuls of 0.6–1.1 MiB of inputs. */
    private static final MlpJob JOB = new MlpJob(3, 256, 1024, 4, 256, 128, 0.05f, 0.9f, 2, 1);
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
        int target = matmul(0); // x·w1: 128×256·256×1024
        StepTrace honest = trace(null);
        StepTrace cheat = trace(new Fault(1, target, 3 * 1024 + 77, 1 << 20));
        assertTrue(honest.ops().size() > PROGRAM.size(), "the bound splits the first layer's matmuls");
        Reached r = play(cheat, honest);
        OpRecord reached = cheat.ops().get(r.position());
        assertTrue(reached.isTile(), "the game ends on a tile, not the whole matmul");
        assertEquals(target, reached.programIndex());
        assertTrue(r.game().rounds() + 1 <= Math.max(1, Bisection.ceilLog(2, honest.ops().size())) + 1);

        TileEvidence evidence = TileEvidence.forTile(PROGRAM, cheat, r.position(), START, DATA);
        assertTrue(evidence.inputBytes() <= MAX, "the referee reads " + evidence.inputBytes() + " bytes");
        assertEquals(Verdict.CHALLENGER_WINS, settle(r, evidence), "the tile re-executed from honest inputs convicts the provider");
    }

    @Test
    void theTilesOfEveryTiledMatmulAreProvenWithinTheBound() {
        assertEquals(Commitments.CHUNK_BYTES, MatmulTiles.COMMIT_CHUNK_BYTES, "the plan counts the chunks the referee reads");
        StepTrace trace = trace(null);
        // Per tiled operator: its first tile, its first chained tile and its last (an edge): the plan bounds them all alike.
        java.util.Map<Integer, java.util.TreeSet<Integer>> checked = new java.util.TreeMap<>();
        for (OpRecord r : trace.ops()) {
            if (!r.isTile()) continue;
            java.util.TreeSet<Integer> positions = checked.computeIfAbsent(r.programIndex(), p -> new java.util.TreeSet<>());
            boolean chained = !MatmulTiles.Tile.ofAttrs(r.spec().attrs()).first();
            if (positions.isEmpty() || chained && positions.size() == 1) positions.add(r.index());
            int last = r.index() + 1 == trace.ops().size() || trace.ops().get(r.index() + 1).programIndex() != r.programIndex()
                    ? r.index() : -1;
            if (last >= 0) positions.add(last);
        }
        assertTrue(checked.size() >= 2, "tiled operators: " + checked.keySet());
        boolean anyChain = false;
        for (java.util.TreeSet<Integer> positions : checked.values()) {
            for (int position : positions) {
                TileEvidence evidence = TileEvidence.forTile(PROGRAM, trace, position, START, DATA);
                assertTrue(evidence.inputBytes() <= MAX, position + ": " + evidence.inputBytes() + " bytes");
                anyChain |= evidence.acc() != null;
            }
        }
        assertTrue(anyChain, "some tile carries a K-chain's partial sums");
    }

    @Test
    void anHonestProviderWinsAgainstAChallengerWhoCorruptedATile() {
        StepTrace honest = trace(null);
        int target = -1; // the last tiled matmul: a backward one
        for (OpRecord r : honest.ops()) if (r.isTile()) target = r.programIndex();
        assertTrue(target > matmul(1), "a backward matmul is tiled");
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
