package io.verigrid.verify;

import static io.verigrid.verify.TiledTraceGames.*;
import static org.junit.jupiter.api.Assertions.*;

import io.verigrid.engine.Dataset;
import io.verigrid.engine.Fault;
import io.verigrid.engine.InputRef;
import io.verigrid.engine.MatmulTiles;
import io.verigrid.engine.ModelState;
import io.verigrid.engine.OpRecord;
import io.verigrid.engine.OpSpec;
import io.verigrid.engine.Ops;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.StepTrace;
import io.verigrid.engine.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Spec §2, reading a tiled output: a tiled matmul's assembly leaf records its whole output, so a later operator (or a
 * tile of a later matmul, in chunks) proves its input against it, and a dispute that lands on the assembly leaf is
 * settled from the assembled bytes checked against the agreed final tiles.
 */
class TiledOutputTest {
    private static final int ASSEMBLY = 4;   // x·w1 [2], two tiles then this
    private static final int ADD_BIAS = 5;   // reads it

    /** The honest trace with entry {@code j}'s output's first element replaced. */
    private static StepTrace corruptedAt(int j) {
        List<OpRecord> ops = new ArrayList<>(honestTrace().ops());
        OpRecord r = ops.get(j);
        float[] values = r.output().data().clone();
        values[0] += 1f;
        ops.set(j, new OpRecord(j, r.spec(), Tensor.of(r.output().shape(), values), r.programIndex()));
        return new StepTrace(2, ops);
    }

    @Test
    void aWrongAssemblyAfterRightTilesLoses() {
        StepTrace cheat = corruptedAt(ASSEMBLY);
        DisputeGame game = descend(Commitments.traceLeaves(cheat), Commitments.traceLeaves(honestTrace()), honestOutputRoot(ASSEMBLY));
        assertEquals(ASSEMBLY, game.operator());
        assertEquals(Verdict.CHALLENGER_WINS, settleFrom(game, cheat), "its assembled bytes are not its tiles'");
        // With the right bytes as evidence, the referee's root is the challenger's, not the cheat's leaf.
        GameMoves.Settlement honest = GameMoves.settlement(JOB, honestTrace(), ASSEMBLY, HONEST.state(1), JOB.dataset());
        GameMoves.Settlement lie = new GameMoves.Settlement(null, honest.tiledOutput(), List.of(), null,
                Commitments.outputRoot(cheat.ops().get(ASSEMBLY).output()));
        DisputeGame settled = GameMoves.settle(game, JOB, DATASET_ROOT, BOUND, lie, game.deadline());
        assertEquals(Verdict.CHALLENGER_WINS, settled.verdict());
        assertEquals("matmul", settled.reachedKind(JOB.program(2)));
    }

    @Test
    void anHonestAssemblyWinsAndItsEvidenceStaysWithinTheBound() {
        for (int j : new int[] {ASSEMBLY, 20}) {
            DisputeGame game = descend(Commitments.traceLeaves(honestTrace()), lyingAt(j), Hashes.sha256("a wrong output".getBytes()));
            TiledOutputEvidence evidence = TiledOutputEvidence.forAssembly(JOB.program(2), honestTrace(), j, HONEST.state(1),
                    JOB.dataset());
            assertTrue(evidence.inputBytes() <= BOUND);
            TiledOutputEvidence back = TiledOutputEvidence.decode(evidence.encode());
            assertArrayEquals(evidence.encode(), back.encode(), "canonical: decode then encode gives the same bytes");
            assertEquals(Verdict.PROVIDER_WINS, game.settleTiledOutput(JOB, DATASET_ROOT, BOUND, back, honestOutputRoot(j),
                    game.deadline()).verdict(), "assembly leaf " + j);
            assertEquals(j == ASSEMBLY ? 2 : 1, back.finalTiles().size(), "only final K-blocks hold the output");
            // A proof left out, a tile proof at another index, or a bound the output exceeds: the provider loses.
            List<LeafProof> fewer = back.finalTiles().subList(0, back.finalTiles().size() - 1);
            assertEquals(Verdict.CHALLENGER_WINS, game.settleTiledOutput(JOB, DATASET_ROOT, BOUND,
                    new TiledOutputEvidence(back.programIndex(), back.a(), back.b(), back.output(), fewer), honestOutputRoot(j),
                    game.deadline()).verdict());
            assertEquals(Verdict.CHALLENGER_WINS, game.settleTiledOutput(JOB, DATASET_ROOT, 4L * back.output().size() - 4, back,
                    honestOutputRoot(j), game.deadline()).verdict());
        }
        byte[] bytes = TiledOutputEvidence.forAssembly(JOB.program(2), honestTrace(), ASSEMBLY, HONEST.state(1), JOB.dataset()).encode();
        assertThrows(IllegalArgumentException.class, () -> TiledOutputEvidence.decode(java.util.Arrays.copyOf(bytes, bytes.length - 1)));
    }

    @Test
    void anAssemblyLeafCannotBeSettledAsAWholeOperator() {
        DisputeGame game = descend(Commitments.traceLeaves(honestTrace()), lyingAt(ASSEMBLY), Hashes.sha256("a wrong output".getBytes()));
        List<InputEvidence> inputs = InputEvidence.forOperator(JOB, HONEST.state(1), JOB.dataset(), honestTrace(), ASSEMBLY);
        assertEquals(Verdict.CHALLENGER_WINS, game.settleOperator(JOB, DATASET_ROOT, inputs,
                PrecedingLeaf.before(honestTrace(), ASSEMBLY), honestOutputRoot(ASSEMBLY), BOUND, game.deadline()).verdict(),
                "its inputs exceed the bound: the referee checks the tiles instead");
    }

    @Test
    void anOperatorReadingATiledOutputIsSettledBothWays() {
        // A cheat that corrupts add_bias, which reads x·w1's assembled output: the honest challenger convicts it.
        LocalRun cheat = LocalRun.execute(JOB, JOB.dataset(), JOB.initialState(), 2, Parallelism.single(),
                new Fault(2, 3, 7, 1 << 21), BOUND);
        DisputeGame game = descend(Commitments.traceLeaves(cheat.trace(2)), Commitments.traceLeaves(honestTrace()),
                honestOutputRoot(ADD_BIAS));
        assertEquals(ADD_BIAS, game.operator());
        assertEquals(Verdict.CHALLENGER_WINS, GameMoves.provider(game, cheat, game.deadline()).verdict());
        // An honest provider whose add_bias a challenger disputes proves its input against the assembly leaf and wins.
        DisputeGame lied = descend(Commitments.traceLeaves(honestTrace()), lyingAt(ADD_BIAS), Hashes.sha256("a wrong output".getBytes()));
        DisputeGame settled = GameMoves.provider(lied, HONEST, lied.deadline());
        assertEquals(Verdict.PROVIDER_WINS, settled.verdict());
        assertEquals("add_bias", settled.reachedKind(JOB.program(2)));
    }

    @Test
    void aTileReadsATiledOutputInChunks() {
        // Under 512 KiB, C = A·B (256 + 512 KiB of inputs) is tiled, and so is D = C·E (32 + 512 KiB), whose tiles read
        // C in chunks proven against C's assembly leaf; both outputs fit the bound.
        long bound = 512 * 1024;
        SplittableRandom random = new SplittableRandom(17);
        TreeMap<String, Tensor> tensors = new TreeMap<>();
        tensors.put("a", randomTensor(random, 64, 1024));
        tensors.put("b", randomTensor(random, 1024, 128));
        tensors.put("e", randomTensor(random, 128, 1024));
        ModelState state = new ModelState(tensors, 0);
        Dataset data = new Dataset(new TreeMap<>());
        List<OpSpec> program = List.of(
                new OpSpec("matmul", new long[] {0, 0}, List.of(InputRef.state("a"), InputRef.state("b"))),
                new OpSpec("matmul", new long[] {0, 0}, List.of(InputRef.op(0), InputRef.state("e"))));
        StepTrace trace = traced(program, state, bound);
        int assembly0 = indexOfWhole(trace, 0);
        int assembly1 = indexOfWhole(trace, 1);
        assertTrue(assembly0 >= 2 && assembly1 > assembly0 + 2, "both matmuls are tiled: " + trace.ops().size() + " entries");
        List<byte[]> leaves = Commitments.traceLeaves(trace);
        byte[] root = Merkle.root(leaves);
        byte[] rootLo = Commitments.stateRoot(state);
        byte[] lie = Hashes.sha256("a wrong output".getBytes());
        for (int j = assembly0 + 1; j < assembly1; j++) {
            TileEvidence evidence = TileEvidence.decode(TileEvidence.forTile(program, trace, j, state, data).encode());
            assertEquals(InputRef.Source.OP, program.get(1).inputs().get(0).source());
            assertTrue(evidence.inputBytes() <= bound);
            byte[] output = Commitments.outputRoot(trace.ops().get(j).output());
            assertEquals(Verdict.PROVIDER_WINS, TileReferee.decide(program, j, leaves.get(j), evidence, rootLo, root, leaves.size(),
                    Commitments.datasetRoot(data), bound, output, lie), "tile " + j + " of C·E");
            assertEquals(Verdict.CHALLENGER_WINS, TileReferee.decide(program, j, leaves.get(j), evidence, rootLo, root, leaves.size(),
                    Commitments.datasetRoot(data), bound, lie, output), "a leaf that is not the provider's");
        }
        TiledOutputEvidence d = TiledOutputEvidence.forAssembly(program, trace, assembly1, state, data);
        byte[] output = Commitments.outputRoot(trace.ops().get(assembly1).output());
        assertEquals(Verdict.PROVIDER_WINS, TiledOutputReferee.decide(program, assembly1, leaves.get(assembly1), d, rootLo, root,
                leaves.size(), Commitments.datasetRoot(data), bound, output, lie));
    }

    private static Tensor randomTensor(SplittableRandom random, int rows, int cols) {
        float[] values = new float[rows * cols];
        for (int i = 0; i < values.length; i++) values[i] = (float) (random.nextDouble() * 2 - 1);
        return Tensor.of(new int[] {rows, cols}, values);
    }

    private static int indexOfWhole(StepTrace trace, int programIndex) {
        return trace.ops().stream().filter(r -> !r.isTile() && r.programIndex() == programIndex).findFirst().orElseThrow().index();
    }

    /** The trace the engine records for {@code program} under {@code bound}: each tiled matmul's tiles, then its assembly. */
    private static StepTrace traced(List<OpSpec> program, ModelState state, long bound) {
        List<OpRecord> records = new ArrayList<>();
        List<Tensor> outputs = new ArrayList<>();
        for (int p = 0; p < program.size(); p++) {
            OpSpec spec = program.get(p);
            List<Tensor> inputs = new ArrayList<>();
            for (InputRef ref : spec.inputs()) inputs.add(ref.source() == InputRef.Source.OP ? outputs.get(ref.op()) : state.tensor(ref.name()));
            Tensor product = Ops.execute("matmul", spec.attrs(), inputs, Parallelism.single());
            Tensor a = inputs.get(0), b = inputs.get(1);
            outputs.add(product);
            if (!MatmulTiles.needsTiling(a.dim(0), a.dim(1), b.dim(1), bound)) {
                records.add(new OpRecord(records.size(), spec, product, p));
                continue;
            }
            Tensor acc = null;
            for (MatmulTiles.Tile t : MatmulTiles.plan(a.dim(0), a.dim(1), b.dim(1), false, false, bound)) {
                if (t.first()) acc = null;
                acc = t.k0() + t.kLen() == a.dim(1) ? MatmulTiles.slice(product, t)
                        : MatmulTiles.multiplyAccumulate(MatmulTiles.aBlock(a, false, t), MatmulTiles.bBlock(b, false, t), acc,
                                Parallelism.single());
                records.add(new OpRecord(records.size(), new OpSpec(MatmulTiles.TILE_KIND, t.attrs(false, false), spec.inputs()), acc, p));
            }
            records.add(new OpRecord(records.size(), spec, product, p));
        }
        return new StepTrace(1, records);
    }
}
