package io.verigrid.verify;

import io.verigrid.engine.MatmulTiles;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Over random matmul shapes, layouts and bounds, the tile plan covers every output exactly once with consecutive
 * K-blocks, and the bytes the referee actually reads for a tile — the exact chunks holding its blocks
 * ({@link TileEvidence#chunksOf}) plus the accumulator — never exceed max_referee_bytes, wherever the tile sits.
 */
class TilePlanPropertyTest {
    private static final long[] BOUNDS = {256 * 1024, 512 * 1024, 1 << 20, 4 << 20};

    @Property(tries = 200)
    void everyPlannedTileIsReadWithinTheBound(@ForAll @IntRange(min = 200, max = 1500) int m,
                                              @ForAll @IntRange(min = 200, max = 6000) int k,
                                              @ForAll @IntRange(min = 100, max = 1500) int n,
                                              @ForAll boolean transA, @ForAll boolean transB,
                                              @ForAll @IntRange(min = 0, max = 3) int boundIndex) {
        long bound = BOUNDS[boundIndex];
        List<MatmulTiles.Tile> tiles;
        try {
            tiles = MatmulTiles.plan(m, k, n, transA, transB, bound);
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage().contains("maxRefereeBytes"), e.getMessage());
            Statistics.collect("refused as too small");
            return;
        }
        Statistics.collect(tiles.size() == 1 ? "whole" : tiles.stream().anyMatch(t -> !t.first()) ? "tiles with K-chains" : "tiles");
        if (tiles.size() == 1) {
            assertFalse(MatmulTiles.needsTiling(m, k, n, bound), "one tile only when the whole operator fits");
            return;
        }
        int[] stored = transA ? new int[] {k, m} : new int[] {m, k};
        int[] storedB = transB ? new int[] {n, k} : new int[] {k, n};
        int[] covered = new int[m * n];
        int expectedK = 0;
        int step = Math.max(1, tiles.size() / 40); // the exact chunk count of a sample of tiles, edges included
        for (int i = 0; i < tiles.size(); i++) {
            MatmulTiles.Tile t = tiles.get(i);
            assertEquals(expectedK, t.k0(), "K-blocks of a tile follow each other");
            expectedK = t.k0() + t.kLen() == k ? 0 : t.k0() + t.kLen();
            if (t.first()) {
                for (int r = 0; r < t.rows(); r++) for (int c = 0; c < t.cols(); c++) covered[(t.row0() + r) * n + t.col0() + c]++;
            }
            if (i % step == 0 || i == tiles.size() - 1) {
                long read = chunkBytes(stored, TileEvidence.chunksOf(stored, transA, true, t))
                        + chunkBytes(storedB, TileEvidence.chunksOf(storedB, transB, false, t))
                        + (t.first() ? 0 : 4L * t.rows() * t.cols());
                assertTrue(read <= bound, t + " of " + m + "x" + k + "x" + n + " reads " + read + " > " + bound);
            }
        }
        for (int c : covered) assertEquals(1, c);
    }

    private static long chunkBytes(int[] shape, java.util.Set<Integer> chunks) {
        long tensorBytes = 4L * shape[0] * shape[1];
        long bytes = 0;
        for (int c : chunks) bytes += Math.min(Commitments.CHUNK_BYTES, tensorBytes - (long) c * Commitments.CHUNK_BYTES);
        return bytes;
    }
}
