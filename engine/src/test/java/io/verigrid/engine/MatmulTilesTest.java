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
    /** An MLP whose first-layer matmuls read 0.6–1.5 MiB, traced under a 512 KiB bound. */
    static final MlpJob BIG = new MlpJob(3, 256, 1024, 4, 256, 128, 0.05f, 0.9f, 2, 1);
    private static final long BIG_BOUND = 512 * 1024;

    private static Tensor random(SplittableRandom random, int rows, int cols) {
        float[] values = new float[rows * cols];
        for (int i = 0; i < values.length; i++) values[i] = (float) (random.nextDouble() * 2 - 1);
        return Tensor.of(new int[] {rows, cols}, values);
    }

    @Test
    void chainingTheTilesGivesTheUntiledProductBitForBit() {
        SplittableRandom random = new SplittableRandom(41);
        int[][] shapes = {{300, 700, 200}, {129, 2000, 65}, {400, 300, 500}};
        long[] bounds = {512 * 1024, 1 << 20};
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
                        for (MatmulTiles.Tile t : MatmulTiles.plan(m, k, n, transA, transB, bound)) {
                            assertTrue(MatmulTiles.readBytes(m, k, n, transA, transB, t.rows(), t.kLen(), t.cols()) <= bound
                                    || !MatmulTiles.needsTiling(m, k, n, bound), t + " reads more than " + bound);
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
        long bound = 512 * 1024;
        List<MatmulTiles.Tile> tiles = MatmulTiles.plan(100, 5000, 70, false, false, bound);
        int[] covered = new int[100 * 70];
        int expectedK = 0;
        for (MatmulTiles.Tile t : tiles) {
            assertEquals(expectedK, t.k0(), "K-blocks of a tile follow each other in the trace");
            expectedK = t.k0() + t.kLen() == 5000 ? 0 : t.k0() + t.kLen();
            if (t.first()) {
                for (int i = 0; i < t.rows(); i++) for (int j = 0; j < t.cols(); j++) covered[(t.row0() + i) * 70 + t.col0() + j]++;
            }
            assertTrue(MatmulTiles.readBytes(100, 5000, 70, false, false, t.rows(), t.kLen(), t.cols()) <= bound);
        }
        for (int c : covered) assertEquals(1, c);
        assertTrue(tiles.stream().anyMatch(t -> !t.first()), "K = 5000 is split into a chain");
        assertEquals(List.of(new MatmulTiles.Tile(0, 10, 0, 20, 0, 30)), MatmulTiles.plan(10, 30, 20, false, false, 4_096),
                "an operator within the bound is one tile: recorded whole");
        IllegalArgumentException tooSmall = assertThrows(IllegalArgumentException.class,
                () -> MatmulTiles.plan(1000, 1000, 1000, false, false, 200_000));
        assertTrue(tooSmall.getMessage().contains("maxRefereeBytes"), tooSmall.getMessage());
        assertEquals(new MatmulTiles.Tile(1, 2, 3, 4, 5, 6), MatmulTiles.Tile.ofAttrs(new MatmulTiles.Tile(1, 2, 3, 4, 5, 6).attrs(true, false)));
    }

    @Test
    void theChunkBoundCountsTheWorstPlacementOfARun() {
        int c = MatmulTiles.COMMIT_CHUNK_BYTES;
        assertEquals(c, MatmulTiles.chunkedBytes(1, 1, 1, 1 << 20), "one float lies in one chunk");
        assertEquals(2L * c, MatmulTiles.chunkedBytes(1, c / 4, 1, 1 << 20), "a chunk-long run may straddle two");
        assertEquals(8L * c, MatmulTiles.chunkedBytes(4, 2, 1 << 20, 1L << 24), "far-apart runs may each straddle two chunks...");
        assertEquals(2L * c, MatmulTiles.chunkedBytes(4, 2, 8, 1L << 24), "...close ones share their one or two");
        assertEquals(c, MatmulTiles.chunkedBytes(100, 100, 100, 100), "never more than the whole tensor");
    }

    @Test
    void aTiledTraceLeavesTheStepsBitsUnchangedAndItsTilesAssembleTheOutput() {
        ModelState start = BIG.initialState();
        try (Parallelism par = Parallelism.of(2)) {
            MlpTrainer.StepResult whole = MlpTrainer.step(BIG, BIG.dataset(), start, par, null);
            MlpTrainer.StepResult tiled = MlpTrainer.step(BIG, BIG.dataset(), start, par, null, BIG_BOUND);
            assertArrayEquals(whole.next().digest(), tiled.next().digest(), "tiling changes what is recorded, not the step");
            assertEquals(whole.loss(), tiled.loss());
            List<OpRecord> wholeOps = whole.trace().ops();
            List<OpRecord> tiledOps = tiled.trace().ops();
            assertTrue(tiledOps.size() > wholeOps.size(), "the 128×256·256×1024… matmuls exceed 512 KiB");
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
                assertTrue(t.inputBytes() <= BIG_BOUND, r + " reads " + t.inputBytes());
                assertEquals(original.spec().inputs(), r.spec().inputs());
                boolean lastK = r.index() + 1 == tiledOps.size() || !tiledOps.get(r.index() + 1).isTile()
                        || MatmulTiles.Tile.ofAttrs(tiledOps.get(r.index() + 1).spec().attrs()).first();
                if (lastK) assertTrue(MatmulTiles.slice(original.output(), t).bitEquals(r.output()), "last K-block = the output's tile");
            }
            assertTrue(tiles > 0);
            // Every operator has exactly one whole entry; a tiled matmul's comes right after its last tile.
            for (int p = 0; p < wholeOps.size(); p++) {
                int program = p;
                assertEquals(1, tiledOps.stream().filter(r -> r.programIndex() == program && !r.isTile()).count());
            }
            for (OpRecord r : tiledOps) {
                boolean lastTile = r.isTile() && (r.index() + 1 == tiledOps.size() || !tiledOps.get(r.index() + 1).isTile()
                        || tiledOps.get(r.index() + 1).programIndex() != r.programIndex());
                if (lastTile) {
                    OpRecord assembly = tiledOps.get(r.index() + 1);
                    assertFalse(assembly.isTile(), "the tiles are followed by the assembly entry");
                    assertEquals(r.programIndex(), assembly.programIndex());
                }
            }
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
        ModelState start = BIG.initialState();
        List<OpSpec> program = MlpTrainer.program(BIG, 1);
        int matmul = 0;
        while (!program.get(matmul).kind().equals("matmul")) matmul++;
        Fault fault = new Fault(1, matmul, 5, 1 << 3);
        MlpTrainer.StepResult honest = MlpTrainer.step(BIG, BIG.dataset(), start, Parallelism.single(), null, BIG_BOUND);
        MlpTrainer.StepResult cheat = MlpTrainer.step(BIG, BIG.dataset(), start, Parallelism.single(), fault, BIG_BOUND);
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
        GptModel gpt = new GptModel(new GptConfig(4096, 16, 64, 1, 2, 1e-5f, true)); // a 4096×64 classifier: 1 MiB
        LmJob job = new LmJob(gpt, 5, 64, 4, 8, 2, 1, new LearningRate(1e-2f, 1e-3f, 1, 2), 0.9f, 0.95f, 1e-8f, 0.01f, 1f);
        Dataset data = LmJob.windows(CharCorpus.tokens(11, job.sequences() * job.seqLen() + 1), job.seqLen(), 4096);
        ModelState start = job.initialState();
        MlpTrainer.StepResult whole = LmTrainer.step(job, data, start, Parallelism.single(), null);
        MlpTrainer.StepResult tiled = LmTrainer.step(job, data, start, Parallelism.single(), null, BIG_BOUND);
        assertArrayEquals(whole.next().digest(), tiled.next().digest());
        assertEquals(whole.loss(), tiled.loss());
        assertTrue(tiled.trace().ops().stream().anyMatch(OpRecord::isTile), "the classifier's matmuls exceed 512 KiB");
    }
}
