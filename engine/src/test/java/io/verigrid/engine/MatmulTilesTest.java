package io.verigrid.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Spec §2: a large matmul recorded as output tiles and K-block chains carrying the partial sums gives the untiled
 * bits, each tile reads at most max_referee_bytes, and operators within the bound are recorded whole.
 */
class MatmulTilesTest {
    private static final MlpJob JOB = MlpJob.demo();
    private static final Dataset DATA = JOB.dataset();

    private static Tensor random(SplittableRandom random, int rows, int cols) {
        float[] values = new float[rows * cols];
        for (int i = 0; i < values.length; i++) values[i] = (float) (random.nextDouble() * 2 - 1);
        return Tensor.of(new int[] {rows, cols}, values);
    }

    @Test
    void chainingTheTilesGivesTheUntiledProductBitForBit() {
        SplittableRandom random = new SplittableRandom(41);
        int[][] shapes = {{37, 150, 29}, {64, 300, 64}, {5, 1000, 3}, {70, 8, 90}};
        long[] bounds = {256, 1_000, 4_096, 20_000};
        try (Parallelism par = Parallelism.of(2)) {
            for (int[] s : shapes) {
                int m = s[0], k = s[1], n = s[2];
                for (int flags = 0; flags < 4; flags++) {
                    boolean transA = (flags & 1) != 0, transB = (flags & 2) != 0;
                    Tensor a = transA ? random(random, k, m) : random(random, m, k);
                    Tensor b = transB ? random(random, n, k) : random(random, k, n);
                    Tensor whole = Ops.execute("matmul", new long[] {transA ? 1 : 0, transB ? 1 : 0}, List.of(a, b), par);
                    for (long bound : bounds) {
                        float[] assembled = new float[m * n];
                        Tensor acc = null;
                        for (MatmulTiles.Tile t : MatmulTiles.plan(m, k, n, bound)) {
                            assertTrue(t.inputBytes() <= bound || !MatmulTiles.needsTiling(m, k, n, bound),
                                    t + " reads " + t.inputBytes() + " > " + bound);
                            acc = MatmulTiles.multiplyAccumulate(MatmulTiles.aBlock(a, transA, t),
                                    MatmulTiles.bBlock(b, transB, t), t.first() ? null : acc, par);
                            if (t.k0() + t.kLen() == k) {
                                for (int i = 0; i < t.rows(); i++) {
                                    System.arraycopy(acc.data(), i * t.cols(), assembled, (t.row0() + i) * n + t.col0(), t.cols());
                                }
                            }
                        }
                        assertArrayEquals(whole.toBytes(), Tensor.of(new int[] {m, n}, assembled).toBytes(),
                                m + "x" + k + "x" + n + " flags " + flags + " bound " + bound);
                    }
                }
            }
        }
    }

    @Test
    void thePlanCoversEveryOutputOnceWithConsecutiveKBlocks() {
        List<MatmulTiles.Tile> tiles = MatmulTiles.plan(100, 500, 70, 8_192);
        int[] covered = new int[100 * 70];
        int expectedK = 0;
        for (MatmulTiles.Tile t : tiles) {
            assertEquals(expectedK, t.k0(), "K-blocks of a tile follow each other in the trace");
            expectedK = t.k0() + t.kLen() == 500 ? 0 : t.k0() + t.kLen();
            if (t.first()) {
                for (int i = 0; i < t.rows(); i++) for (int j = 0; j < t.cols(); j++) covered[(t.row0() + i) * 70 + t.col0() + j]++;
            }
            assertTrue(t.inputBytes() <= 8_192);
        }
        for (int c : covered) assertEquals(1, c);
        assertEquals(List.of(new MatmulTiles.Tile(0, 10, 0, 20, 0, 30)), MatmulTiles.plan(10, 30, 20, 4_096),
                "an operator within the bound is one tile: recorded whole");
        assertThrows(IllegalArgumentException.class, () -> MatmulTiles.plan(10, 30, 20, 8));
        assertEquals(new MatmulTiles.Tile(1, 2, 3, 4, 5, 6), MatmulTiles.Tile.ofAttrs(new MatmulTiles.Tile(1, 2, 3, 4, 5, 6).attrs(true, false)));
    }

    @Test
    void aTiledTraceLeavesTheStepsBitsUnchangedAndItsTilesAssembleTheOutput() {
        ModelState start = JOB.initialState();
        try (Parallelism par = Parallelism.of(2)) {
            MlpTrainer.StepResult whole = MlpTrainer.step(JOB, DATA, start, par, null);
            MlpTrainer.StepResult tiled = MlpTrainer.step(JOB, DATA, start, par, null, 16 * 1024);
            assertArrayEquals(whole.next().digest(), tiled.next().digest(), "tiling changes what is recorded, not the step");
            assertEquals(whole.loss(), tiled.loss());
            List<OpRecord> wholeOps = whole.trace().ops();
            List<OpRecord> tiledOps = tiled.trace().ops();
            assertTrue(tiledOps.size() > wholeOps.size(), "the demo's 64×16·16×64… matmuls exceed 16 KiB");
            int tiles = 0;
            for (OpRecord r : tiledOps) {
                OpRecord original = wholeOps.get(r.programIndex());
                if (!r.isTile()) {
                    assertEquals(original.spec(), r.spec());
                    assertTrue(original.output().bitEquals(r.output()));
                    continue;
                }
                tiles++;
                MatmulTiles.Tile t = MatmulTiles.Tile.ofAttrs(r.spec().attrs());
                assertTrue(t.inputBytes() <= 16 * 1024, r + " reads " + t.inputBytes());
                assertEquals(original.spec().inputs(), r.spec().inputs());
                boolean lastK = r.index() + 1 == tiledOps.size() || !tiledOps.get(r.index() + 1).isTile()
                        || MatmulTiles.Tile.ofAttrs(tiledOps.get(r.index() + 1).spec().attrs()).first();
                if (lastK) assertTrue(MatmulTiles.slice(original.output(), t).bitEquals(r.output()), "last K-block = the output's tile");
            }
            assertTrue(tiles > 0);
        }
    }

    @Test
    void atTheDefaultBoundTheDemoJobsTraceIsRecordedWhole() {
        ModelState start = JOB.initialState();
        MlpTrainer.StepResult whole = MlpTrainer.step(JOB, DATA, start, Parallelism.single(), null);
        MlpTrainer.StepResult bounded = MlpTrainer.step(JOB, DATA, start, Parallelism.single(), null,
                MatmulTiles.DEFAULT_MAX_REFEREE_BYTES);
        assertEquals(whole.trace().ops().size(), bounded.trace().ops().size());
        for (int i = 0; i < whole.trace().ops().size(); i++) {
            OpRecord a = whole.trace().ops().get(i), b = bounded.trace().ops().get(i);
            assertEquals(a.spec(), b.spec());
            assertEquals(i, b.programIndex());
            assertTrue(a.output().bitEquals(b.output()));
        }
    }

    @Test
    void aCorruptedMatmulShowsInOneTileOnly() {
        ModelState start = JOB.initialState();
        List<OpSpec> program = MlpTrainer.program(JOB, 1);
        int matmul = 0;
        while (!program.get(matmul).kind().equals("matmul")) matmul++;
        Fault fault = new Fault(1, matmul, 5, 1 << 3);
        MlpTrainer.StepResult honest = MlpTrainer.step(JOB, DATA, start, Parallelism.single(), null, 4_096);
        MlpTrainer.StepResult cheat = MlpTrainer.step(JOB, DATA, start, Parallelism.single(), fault, 4_096);
        List<Integer> differing = new ArrayList<>();
        for (OpRecord r : honest.trace().ops()) {
            if (!r.output().bitEquals(cheat.trace().ops().get(r.index()).output())) differing.add(r.index());
        }
        assertFalse(differing.isEmpty());
        OpRecord first = honest.trace().ops().get(differing.get(0));
        assertTrue(first.isTile() && first.programIndex() == matmul, "the first difference is a tile of the faulted matmul");
    }

    @Test
    void aLanguageModelStepTracedInTilesReachesTheSameState() {
        LmJob job = LmTrainerTest.job(LmTrainerTest.GPT, 2);
        Dataset data = LmTrainerTest.data(job);
        ModelState start = job.initialState();
        MlpTrainer.StepResult whole = LmTrainer.step(job, data, start, Parallelism.single(), null);
        MlpTrainer.StepResult tiled = LmTrainer.step(job, data, start, Parallelism.single(), null, 2_048);
        assertArrayEquals(whole.next().digest(), tiled.next().digest());
        assertEquals(whole.loss(), tiled.loss());
        assertTrue(tiled.trace().ops().stream().anyMatch(OpRecord::isTile), "the GPT's projections exceed 2 KiB");
        for (OpRecord r : tiled.trace().ops()) {
            if (r.isTile()) assertTrue(MatmulTiles.Tile.ofAttrs(r.spec().attrs()).inputBytes() <= 2_048, r.toString());
        }
    }
}
