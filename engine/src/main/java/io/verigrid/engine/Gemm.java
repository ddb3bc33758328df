package io.verigrid.engine;

import java.util.concurrent.atomic.AtomicInteger;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vectorised kernel behind {@link Matmul}: C = op(A)·op(B) in Matmul's canonical order, every output
 * {@code acc = 0; for p in 0..k−1: acc = fma(op(A)[i,p], op(B)[p,j], acc)}.
 *
 * <p>Why the bits equal the scalar loop's: vector lanes run across output COLUMNS, so each lane owns one output
 * element and performs exactly that scalar sequence (broadcast a, fma with a row of B, starting from +0).
 * Blocking only changes WHEN a partial sum is computed: register tiles of {@link #MR} rows × {@link #NR}
 * columns, K in blocks of about {@link #KC} ({@link #kBlock}) whose partial sums are stored and loaded back
 * unchanged, B packed into NR-column panels and A into MR-row panels (plain copies, zero-padded at the edges;
 * padded lanes are never stored). Threads split output tiles, never K. The width is chosen at run time and
 * changes no bit.
 *
 * <p>Loaded only when the {@code jdk.incubator.vector} module is present (see {@link Matmul}).
 */
final class Gemm {
    /** The widest species the JVM runs natively: 512 bits with AVX-512, 256 with AVX2, 128 with SSE/NEON. */
    static final VectorSpecies<Float> SPECIES = pickSpecies();
    private static final int L = SPECIES.length();
    /**
     * Rows of a register tile with 32 vector registers (AVX-512, AArch64): two vectors of columns make 28
     * accumulators, plus two B vectors and a broadcast: 31 (14 rows measured 3–10 % faster than 12 at n = 512…2048).
     */
    static final int WIDE_ROWS = 14;
    /** Rows with 16 registers (AVX2): 12 accumulators + 3 (6 rows measured 36 % faster than 12, which spill). */
    static final int NARROW_ROWS = 6;
    static final int MR = VectorRegisters.count() >= 32 ? WIDE_ROWS : NARROW_ROWS;
    /** Columns of a register tile: two vectors. */
    static final int NR = 2 * L;
    /**
     * K block: a B panel (KC × NR floats, 128 KiB at 512 bits) stays in L2 while A panels stream by, and a tile's
     * sums stay in registers for up to KC steps. Against 256, medians of side-by-side runs on a 32 KiB L1 and 1 MiB
     * L2: 1024³ +7 %, 2048³ +10 %, the 15M step's shapes ±1 % (a 48 KiB L1 and 2 MiB L2 read 1024³ −2 to +2 %).
     */
    private static final int KC = 1024;
    /** The longest K block: KC plus a quarter, taken only to fold a short last block into the others. */
    private static final int KC_MAX = KC + KC / 4;
    /**
     * Rows per packed block of a transposed A (MC × KC_MAX floats, ≤ 720 KiB); a multiple of MR: only A's
     * edge is ragged. Packing it reads one row of A (a page apart when m is large) per K step, so fewer, taller
     * blocks (42 rows measured 0–6 % slower on the 15M step's 768×256×288 weight gradient).
     */
    private static final int MC = 144 / MR * MR;
    /**
     * Rows per packed block of a plain A: with {@link #NC} and K blocks of 256 this kept a block's A, its B block
     * and the C rows they write together in a 2 MiB L2 (against 140 rows and 4 096 columns, seven runs: the 15M
     * classifier's forward 256×288×32000 +8 to +24 %, 128×288×32000 +0 to +21 %, 1024³ −5 to +3 %; either change
     * alone gained nothing).
     */
    private static final int MC_PLAIN = 42 / MR * MR;
    /** Columns per packed B block: a K block's B block, KC_MAX × NC floats (5 MiB). */
    private static final int NC = 1024;
    /**
     * A thread's rows of A packed whole, all of K, up to this many floats (640 KiB, a third of a 2 MiB L2) take
     * {@link #panelsThroughK}.
     */
    private static final int SMALL_A = 160 * 1024;
    /**
     * The same bound with a transposed B (1.25 MiB). Such a B is packed by gathers on either path, while a plain B
     * packed a panel at a time reads short pieces of many rows instead of whole rows. At 128×2048×768 (the 110M
     * forward's down projection) it measured +2 to +10 % in four runs; plain B at this bound measured −10 to +4 %.
     */
    private static final int SMALL_A_TRANSPOSED_B = 320 * 1024;
    /** Below this many rows B is read unpacked: packing would cost as much as the product itself. */
    static final int SMALL_M = 4;
    /**
     * B of at least this many floats (k·n) is packed once for all threads in a row split ({@link #rowsSharingB});
     * below it the extra fork costs more than the packing saved (256³ −3 %, 512³ +1 %, 1 024³ +3 % on two threads).
     */
    private static final long SHARED_B_MIN = 1 << 18;

    private static final ThreadLocal<float[]> PACKED_A = ThreadLocal.withInitial(() -> new float[MC * KC_MAX + L]);
    private static final ThreadLocal<float[]> PACKED_B = new ThreadLocal<>();
    /** The calling thread's B block and running sums for a product whose threads share them ({@link #rowsSharingB}). */
    private static final ThreadLocal<float[]> SHARED_B = new ThreadLocal<>();
    private static final ThreadLocal<float[]> SHARED_SUMS = new ThreadLocal<>();
    /** A thread's rows of A packed for all of K ({@link #panelsThroughK}). */
    private static final ThreadLocal<float[]> WHOLE_A = new ThreadLocal<>();
    /** Gather offsets {0, k, 2k, …} of one packed row from a transposed B ({@link #rowOffsets}). */
    private static final ThreadLocal<int[]> ROW_OFFSETS = ThreadLocal.withInitial(() -> new int[Math.max(L, 2)]);
    /** A transposed B with rows this long or longer (4 KiB), or with this many floats (16 MiB), is staged. */
    private static final int STAGED_B_MIN_K = 1024;
    private static final long STAGED_B_MIN_SIZE = 1 << 22;
    /** Steps of a transposed B staged at a time for {@link #packB}'s gathers. */
    private static final int B_STAGE_STEPS = 256;
    /** NR rows of a transposed B, {@link #B_STAGE_STEPS} steps each, that many + L floats apart. */
    private static final ThreadLocal<float[]> B_STAGE =
            ThreadLocal.withInitial(() -> new float[NR * (B_STAGE_STEPS + L)]);
    /** Gather offsets {0, s, 2s, …} of one packed row from {@link #B_STAGE}, s = B_STAGE_STEPS + L. */
    private static final int[] B_STAGE_ROWS = new int[L];
    /** Gather offsets {0, k, …, (MR−1)·k, (MR−1)·k, …} of one packed A row ({@link #rowOffsets}). */
    private static final ThreadLocal<int[]> A_ROW_OFFSETS = ThreadLocal.withInitial(() -> new int[Math.max(L, 2)]);
    /**
     * A thread's running sums between K blocks ({@link Block#compute}); a thread whose share of C is larger than
     * {@link #RUNNING_SUMS_MAX} keeps them in C.
     */
    private static final ThreadLocal<float[]> RUNNING_SUMS = new ThreadLocal<>();
    /** 4 MiB: a thread's share of a 2 048-square output on two threads; larger shares keep their sums in C. */
    private static final int RUNNING_SUMS_MAX = 1 << 20;
    /** MR rows of a plain A's K block, kc + L floats apart, for {@link #packA}'s gathers. */
    private static final ThreadLocal<float[]> A_STAGE = ThreadLocal.withInitial(() -> new float[MR * (KC_MAX + L)]);
    private static final ThreadLocal<float[]> EDGE_TILE = ThreadLocal.withInitial(() -> new float[MR * NR]);

    static {
        for (int lane = 0; lane < L; lane++) {
            B_STAGE_ROWS[lane] = lane * (B_STAGE_STEPS + L);
        }
        VectorJit.checkOnce();
    }

    private Gemm() {
    }

    private static VectorSpecies<Float> pickSpecies() {
        int bits = FloatVector.SPECIES_MAX.vectorBitSize();
        if (bits >= 512) {
            return FloatVector.SPECIES_512;
        }
        if (bits >= 256) {
            return FloatVector.SPECIES_256;
        }
        return FloatVector.SPECIES_128;
    }

    /**
     * Writes op(A)·op(B) into {@code c} (m×n row-major, every element overwritten). A is m×k row-major, or
     * k×m when {@code transA}; B is k×n, or n×k when {@code transB}. Sizes are the caller's to validate.
     */
    static void multiply(float[] a, boolean transA, float[] b, boolean transB, float[] c, int m, int k, int n,
            Parallelism par) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            java.util.Arrays.fill(c, 0, m * n, 0f);
            return;
        }
        if ((long) m * n * k < Parallelism.PARALLEL_MIN_WORK * 8) {
            // Under ~256 K multiply-adds the product takes less time than a fork (the same bits on any thread).
            par = Parallelism.single();
        }
        if (m < SMALL_M) {
            if (transB) {
                par.forRange(n, (from, to) -> dotColumns(a, transA, b, c, m, k, n, from, to));
            } else {
                streamRows(a, transA, b, c, m, k, n, par);
            }
            return;
        }
        int rowPanels = ceilDiv(m, MR);
        int colPanels = ceilDiv(n, NR);
        // Each thread owns whole output tiles, split along whichever dimension has more of them. Split by columns,
        // a thread packs the B blocks of its own columns; split by rows, every thread needs all of B, so a large B
        // is packed once, by all threads together, before they compute.
        if (rowPanels >= colPanels) {
            int threadRows = ceilDiv(rowPanels, par.threads()) * MR;
            if (par.threads() > 1 && (long) k * n >= SHARED_B_MIN
                    && !throughK(kBlock(k), k, threadRows, transB)) {
                rowsSharingB(a, transA, b, transB, c, m, k, n, par);
                return;
            }
            par.forRange(rowPanels, (from, to) ->
                    computeTiles(a, transA, b, transB, c, m, k, n, from * MR, Math.min(to * MR, m), 0, n));
        } else {
            par.forRange(colPanels, (from, to) ->
                    computeTiles(a, transA, b, transB, c, m, k, n, 0, m, from * NR, Math.min(to * NR, n)));
        }
    }

    /**
     * A row split in which each B block is packed once for all threads, each packing a share of its panels, before
     * they all compute their rows against it: two forks per block instead of one for the whole product. With every
     * thread packing all of B itself, a 1 024-square product on two threads spent 5 % of its time packing B; shared,
     * 2.4 %, and the product ran 2–3 % faster (calls of the two alternating, medians of 450; 2 048³ +1 %). Threads
     * then draw row panels one at a time instead of taking fixed halves, so a thread slowed by the machine's other
     * work leaves its rows to the others (1 024³ with a busy loop taking a quarter of one core: 148 → 172 GF/s,
     * medians of 368 alternating calls; unloaded ±1 %). Running sums between K blocks wait in slots numbered over
     * all rows, so they do not depend on which thread computes which rows.
     */
    private static void rowsSharingB(float[] a, boolean transA, float[] b, boolean transB, float[] c, int m, int k,
            int n, Parallelism par) {
        int kc = kBlock(k);
        int rowPanels = ceilDiv(m, MR);
        int blockColumns = Math.min(NC, ceilDiv(n, NR) * NR);
        float[] packedB = buffer(SHARED_B, kc * blockColumns);
        int sumsSize = rowPanels * MR * blockColumns;
        float[] sums = kc < k && sumsSize <= RUNNING_SUMS_MAX * par.threads() ? buffer(SHARED_SUMS, sumsSize) : null;
        // A transposed A is packed a row of A per K step, so it is drawn a whole block of rows at a time.
        int grab = transA ? MC / MR : 1;
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += kc) {
                Block block = new Block(a, transA, c, m, k, n, jc, nc, pc, Math.min(kc, k - pc), packedB, sums, 0,
                        rowPanels);
                par.forRange(ceilDiv(nc, NR), (from, to) -> packB(b, transB, block, from, to));
                AtomicInteger drawn = new AtomicInteger();
                par.forRange(par.threads(), (from, to) -> block.computeDrawn(drawn, rowPanels, grab));
            }
        }
    }

    /** Whether a thread's rows {@code rows} of A through all of K take {@link #panelsThroughK}. */
    private static boolean throughK(int kc, int k, int rows, boolean transB) {
        return kc < k && (long) ceilDiv(rows, MR) * MR * k <= (transB ? SMALL_A_TRANSPOSED_B : SMALL_A);
    }

    /** Computes the output rows {@code [i0, i1)} × columns {@code [j0, j1)}; j0 is a multiple of NR. */
    private static void computeTiles(float[] a, boolean transA, float[] b, boolean transB, float[] c, int m, int k,
            int n, int i0, int i1, int j0, int j1) {
        int kc = kBlock(k);
        if (throughK(kc, k, i1 - i0, transB)) {
            panelsThroughK(a, transA, b, transB, c, m, k, n, i0, i1, j0, j1, kc);
            return;
        }
        int blockColumns = Math.min(NC, ceilDiv(j1 - j0, NR) * NR);
        float[] packedB = buffer(PACKED_B, kc * blockColumns);
        int sumsSize = ceilDiv(i1 - i0, MR) * MR * blockColumns;
        float[] sums = kc < k && sumsSize <= RUNNING_SUMS_MAX ? buffer(RUNNING_SUMS, sumsSize) : null;
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            for (int pc = 0; pc < k; pc += kc) {
                Block block = new Block(a, transA, c, m, k, n, jc, nc, pc, Math.min(kc, k - pc), packedB, sums, i0,
                        ceilDiv(i1 - i0, MR));
                packB(b, transB, block, 0, ceilDiv(nc, NR));
                block.compute(i0, i1);
            }
        }
    }

    /**
     * Computes rows {@code [i0, i1)} × columns {@code [j0, j1)} one column panel at a time through all of K, for a
     * thread whose rows of A, packed whole, fit in {@link #SMALL_A} floats ({@link #SMALL_A_TRANSPOSED_B} with a
     * transposed B): the panel's C tiles then stay in L1 between K blocks instead of travelling to L3 and back once
     * per block, and B is packed a panel at a time into one buffer that stays in L2 (with 256-step K blocks, a
     * 128-token forward's 128×768×32000 classifier measured +12 to +16 %, its 768-wide layers +2 to +10 %).
     */
    private static void panelsThroughK(float[] a, boolean transA, float[] b, boolean transB, float[] c, int m, int k,
            int n, int i0, int i1, int j0, int j1, int kc) {
        int rows = i1 - i0;
        int paddedRows = ceilDiv(rows, MR) * MR;
        float[] packedA = buffer(WHOLE_A, paddedRows * k + L);
        float[] panel = buffer(PACKED_B, KC_MAX * NR);
        // K block pc's panels start at paddedRows·pc (the blocks before it hold paddedRows × pc floats). They are
        // packed in order, so what packA writes past a block's end lands in the next block before that is packed.
        for (int pc = 0; pc < k; pc += kc) {
            Block block = new Block(a, transA, c, m, k, n, 0, 0, pc, Math.min(kc, k - pc), panel, null, 0, 0);
            packA(block, i0, rows, packedA, paddedRows * pc);
        }
        for (int j = j0; j < j1; j += NR) {
            int cols = Math.min(NR, j1 - j);
            for (int pc = 0; pc < k; pc += kc) {
                int kcl = Math.min(kc, k - pc);
                packB(b, transB, new Block(a, transA, c, m, k, n, j, cols, pc, kcl, panel, null, 0, 0), 0, 1);
                tileColumn(packedA, paddedRows * pc, panel, 0, kcl, null, 0, pc == 0, pc + kcl == k, c, i0, rows, n, j,
                        cols);
            }
        }
    }

    /**
     * The K block length for inner dimension k: KC, except that a last block of at most KC / 4 is spread over the
     * others (k = 1 152 runs as one block, not 1 024 + 128, whose second pass would read and write all of its
     * sums for 128 steps).
     */
    static int kBlock(int k) {
        int blocks = ceilDiv(k, KC);
        if (blocks > 1 && k - (blocks - 1) * KC <= KC / 4) {
            blocks--;
        }
        return ceilDiv(k, blocks);
    }

    /** This thread's buffer in {@code cache}, grown to at least {@code size} floats. */
    private static float[] buffer(ThreadLocal<float[]> cache, int size) {
        float[] buffer = cache.get();
        if (buffer == null || buffer.length < size) {
            buffer = new float[size];
            cache.set(buffer);
        }
        return buffer;
    }

    /**
     * One (column block, K block) step of one thread: B's block is packed in {@code packedB} as panels
     * {@code [panel][p][NR]}; {@link #compute} packs A row blocks and runs the register tiles.
     */
    private record Block(float[] a, boolean transA, float[] c, int m, int k, int n, int jc, int nc, int pc, int kc,
            float[] packedB, float[] sums, int sumsRow, int sumsTileRows) {
        /** Computes row panels {@code grab} at a time, drawn from {@code drawn}, until all rowPanels are gone. */
        void computeDrawn(AtomicInteger drawn, int rowPanels, int grab) {
            for (int panel = drawn.getAndAdd(grab); panel < rowPanels; panel = drawn.getAndAdd(grab)) {
                compute(panel * MR, Math.min((panel + grab) * MR, m));
            }
        }

        /**
         * Computes output rows {@code [i0, i1)} (this thread's) × all panels of this block. Between K blocks each
         * tile's running sums wait in {@code sums}, when there is such a buffer, one MR × NR slot after another in
         * the order tiles run, {@code sumsTileRows} tile rows from row {@code sumsRow} per panel: C rows a power of
         * two apart fall into the same few L1 sets, and reloading them slowed the next block's tiles (one thread's
         * 14 × 2 tiles over a 2 MiB C with rows 1 024 floats apart: 103–108 GF/s, from slots 112–113, on a 32 KiB
         * 8-way L1).
         */
        void compute(int i0, int i1) {
            float[] packedA = PACKED_A.get();
            boolean first = pc == 0;
            boolean last = pc + kc == k;
            int panels = ceilDiv(nc, NR);
            int blockRows = transA ? MC : MC_PLAIN;
            for (int ic = i0; ic < i1; ic += blockRows) {
                int mc = Math.min(blockRows, i1 - ic);
                packA(this, ic, mc, packedA, 0);
                for (int q = 0; q < panels; q++) {
                    int j = jc + q * NR;
                    int cols = Math.min(NR, jc + nc - j);
                    int slot = (q * sumsTileRows + (ic - sumsRow) / MR) * MR * NR;
                    tileColumn(packedA, 0, packedB, q * kc * NR, kc, sums, slot, first, last, c, ic, mc, n, j, cols);
                }
            }
        }
    }

    /**
     * The tiles of output rows {@code [i, i + rows)} × columns {@code [j, j + cols)}: the A panels packed from
     * {@code pa[aBase]} (MR rows each, kc per row) against one packed B panel at {@code pb[bOff]}. Their running
     * sums start from zero on the first K block and are written to C on the last; in between they live in C, or,
     * when {@code sums} is given, in its MR × NR slots from {@code slot}.
     */
    private static void tileColumn(float[] pa, int aBase, float[] pb, int bOff, int kc, float[] sums, int slot,
            boolean first, boolean last, float[] c, int i, int rows, int n, int j, int cols) {
        for (int ir = 0; ir < rows; ir += MR) {
            int aOff = aBase + ir * kc;
            int cOff = (i + ir) * n + j;
            int tileRows = Math.min(MR, rows - ir);
            float[] from = first ? null : sums == null ? c : sums;
            int fromOff = sums == null ? cOff : slot + ir * NR;
            int fromLd = sums == null ? n : NR;
            if (sums != null && !last) {
                tile(tileRows, pa, aOff, pb, bOff, kc, from, fromOff, fromLd, sums, fromOff, NR);
            } else if (tileRows == MR && cols == NR) {
                tile(MR, pa, aOff, pb, bOff, kc, from, fromOff, fromLd, c, cOff, n);
            } else {
                edgeTile(pa, aOff, pb, bOff, kc, from, fromOff, fromLd, c, cOff, n, tileRows, cols);
            }
        }
    }

    /** Packs op(B)[pc..pc+kc, jc + NR·q ..] for panels q in [from, to), zero-padding columns past n. */
    private static void packB(float[] b, boolean transB, Block blk, int from, int to) {
        float[] dst = blk.packedB;
        int kc = blk.kc;
        // A transposed B is gathered from a stage when its rows are at least 4 KiB apart (NR rows in NR pages, a
        // power of two apart, share L1 sets) or B is too big for any cache: then gathers straight from B's rows
        // were slower (two threads: the 110M forward's down projection 128×2048×768 114 → 147 GF/s, 1 024³
        // 192 → 201, the 15M classifier's 256×288×32000 161 → 173); for a small B with short rows the copy cost
        // more than it saved (256×288×768, 128×768×768 −2 %).
        boolean staged = blk.k >= STAGED_B_MIN_K || (long) blk.n * blk.k >= STAGED_B_MIN_SIZE;
        for (int q = from; q < to; q++) {
            int j = blk.jc + q * NR;
            int cols = Math.min(NR, blk.jc + blk.nc - j);
            int base = q * kc * NR;
            if (transB && cols == NR) {
                // B is n×k: a packed row of the panel is one element from each of NR rows of B, fetched by two
                // gathers (a strided scalar copy measured up to 40 % of a classifier-sized product), straight
                // from B's rows or from a stage the rows' next B_STAGE_STEPS values are first copied into.
                int src = j * blk.k + blk.pc;
                if (staged) {
                    float[] stage = B_STAGE.get();
                    int stride = B_STAGE_STEPS + L;
                    for (int p0 = 0; p0 < kc; p0 += B_STAGE_STEPS) {
                        int steps = Math.min(B_STAGE_STEPS, kc - p0);
                        for (int r = 0; r < NR; r++) {
                            System.arraycopy(b, src + r * blk.k + p0, stage, r * stride, steps);
                        }
                        gatherRows(stage, 0, B_STAGE_ROWS, stride, steps, dst, base + p0 * NR);
                    }
                } else {
                    gatherRows(b, src, rowOffsets(ROW_OFFSETS, blk.k, L - 1), blk.k, kc, dst, base);
                }
            } else if (transB) {
                // B is n×k: each output column is a contiguous row of B.
                for (int jj = 0; jj < cols; jj++) {
                    int src = (j + jj) * blk.k + blk.pc;
                    for (int p = 0; p < kc; p++) {
                        dst[base + p * NR + jj] = b[src + p];
                    }
                }
                if (cols < NR) {
                    for (int p = 0; p < kc; p++) {
                        java.util.Arrays.fill(dst, base + p * NR + cols, base + (p + 1) * NR, 0f);
                    }
                }
            } else if (cols == NR) {
                for (int p = 0; p < kc; p++) {
                    int src = (blk.pc + p) * blk.n + j;
                    int at = base + p * NR;
                    FloatVector.fromArray(SPECIES, b, src).intoArray(dst, at);
                    FloatVector.fromArray(SPECIES, b, src + L).intoArray(dst, at + L);
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    int at = base + p * NR;
                    System.arraycopy(b, (blk.pc + p) * blk.n + j, dst, at, cols);
                    java.util.Arrays.fill(dst, at + cols, at + NR, 0f);
                }
            }
        }
    }

    /**
     * Packed rows {@code dst[at + p·NR]} for p in [0, steps): each one element from NR rows {@code rowStride} apart,
     * {@code from[off + p]} onwards, by two gathers with offsets {@code rows}.
     */
    private static void gatherRows(float[] from, int off, int[] rows, int rowStride, int steps, float[] dst, int at) {
        int secondHalf = off + L * rowStride;
        for (int p = 0; p < steps; p++) {
            FloatVector.fromArray(SPECIES, from, off + p, rows, 0).intoArray(dst, at + p * NR);
            FloatVector.fromArray(SPECIES, from, secondHalf + p, rows, 0).intoArray(dst, at + p * NR + L);
        }
    }

    /**
     * This thread's gather offsets {min(lane, last)·stride} for every lane, filled when the stride changes (lane 1's
     * offset is the stride itself, since last ≥ 1, and identifies them).
     */
    private static int[] rowOffsets(ThreadLocal<int[]> cache, int stride, int last) {
        int[] offsets = cache.get();
        if (offsets[1] != stride) {
            for (int lane = 0; lane < L; lane++) {
                offsets[lane] = Math.min(lane, last) * stride;
            }
        }
        return offsets;
    }

    /**
     * Packs op(A)[ic..ic+mc, pc..pc+kc] as MR-row panels {@code [panel][p][MR]} from {@code dst[off]}, zero-padding
     * rows past mc.
     */
    private static void packA(Block blk, int ic, int mc, float[] dst, int off) {
        float[] a = blk.a;
        int kc = blk.kc;
        for (int ir = 0; ir < mc; ir += MR) {
            int rows = Math.min(MR, mc - ir);
            int base = off + ir * kc;
            if (blk.transA && rows == MR && MR <= L) {
                // A is k×m: the MR rows of one p are contiguous, one vector load each (a 14-float arraycopy per p
                // cost a 32000×256×288 product a quarter of its time). Lanes past MR land on the next p's first
                // lanes, which that p's store overwrites; a vector that would read past A's end is copied instead.
                int src = blk.pc * blk.m + ic + ir;
                int p = 0;
                for (; p < kc && src + p * blk.m + L <= a.length; p++) {
                    FloatVector.fromArray(SPECIES, a, src + p * blk.m).intoArray(dst, base + p * MR);
                }
                for (; p < kc; p++) {
                    System.arraycopy(a, src + p * blk.m, dst, base + p * MR, MR);
                }
            } else if (blk.transA) {
                for (int p = 0; p < kc; p++) {
                    int src = (blk.pc + p) * blk.m + ic + ir;
                    int at = base + p * MR;
                    System.arraycopy(a, src, dst, at, rows);
                    if (rows < MR) {
                        java.util.Arrays.fill(dst, at + rows, at + MR, 0f);
                    }
                }
            } else if (rows == MR && MR <= L) {
                // One gather per p fetches its MR values from MR rows, copied first into a stage kc + L floats
                // apart: rows of A a power of two apart share a few L1 sets, and a gather from them cost a
                // 1 024-square product 1.5–3 % on a 32 KiB 8-way L1, against gathers from the stage (a scalar
                // copy matched the stage there, and measured 2–6 % slower overall with a 48 KiB L1). Lanes past
                // MR read row MR−1 again and land on the next p's first lanes, which that p's store overwrites;
                // the last p's spill lands in the next panel, or in the buffer's spare L.
                int stride = kc + L;
                float[] stage = A_STAGE.get();
                for (int r = 0; r < MR; r++) {
                    System.arraycopy(a, (ic + ir + r) * blk.k + blk.pc, stage, r * stride, kc);
                }
                int[] rowOffsets = rowOffsets(A_ROW_OFFSETS, stride, MR - 1);
                for (int p = 0; p < kc; p++) {
                    FloatVector.fromArray(SPECIES, stage, p, rowOffsets, 0).intoArray(dst, base + p * MR);
                }
            } else {
                for (int r = 0; r < MR; r++) {
                    if (r < rows) {
                        int src = (ic + ir + r) * blk.k + blk.pc;
                        for (int p = 0; p < kc; p++) {
                            dst[base + p * MR + r] = a[src + p];
                        }
                    } else {
                        for (int p = 0; p < kc; p++) {
                            dst[base + p * MR + r] = 0f;
                        }
                    }
                }
            }
        }
    }

    /**
     * A tile cut by the matrix edge runs on a scratch tile; only the valid part is written to C. Running sums
     * read from C itself are only its valid part, so they are copied in first.
     */
    private static void edgeTile(float[] pa, int aOff, float[] pb, int bOff, int kc, float[] from, int fromOff,
            int fromLd, float[] c, int cOff, int ldc, int rows, int cols) {
        float[] scratch = EDGE_TILE.get();
        if (from == c) {
            for (int r = 0; r < rows; r++) {
                System.arraycopy(c, fromOff + r * fromLd, scratch, r * NR, cols);
            }
            from = scratch;
            fromOff = 0;
            fromLd = NR;
        }
        tile(rows, pa, aOff, pb, bOff, kc, from, fromOff, fromLd, scratch, 0, NR);
        for (int r = 0; r < rows; r++) {
            System.arraycopy(scratch, r * NR, c, cOff + r * ldc, cols);
        }
    }

    /**
     * A register tile for {@code rows} ≤ MR rows of one panel: the one for this JVM's register file (MR is a
     * constant, so C2 keeps only one branch), or a 4-row tile for up to 4 rows (a 128-row product has a 2-row edge,
     * 128 = 9·14 + 2, and a full tile for it costs a tenth of the product's tiles; two 4-row tiles for an 8-row
     * edge measured 2 % slower than one full tile). The running sums start from {@code from} (zero when null) and
     * end in {@code c}.
     */
    private static void tile(int rows, float[] pa, int aOff, float[] pb, int bOff, int kc, float[] from,
            int fromOff, int fromLd, float[] c, int cOff, int ldc) {
        if (rows <= 4) {
            tile4(pa, aOff, pb, bOff, kc, from, fromOff, fromLd, c, cOff, ldc);
        } else if (MR == WIDE_ROWS) {
            tile14(pa, aOff, pb, bOff, kc, from, fromOff, fromLd, c, cOff, ldc);
        } else {
            tile6(pa, aOff, pb, bOff, kc, from, fromOff, fromLd, c, cOff, ldc);
        }
    }

    /**
     * The 14-row register tile: 14 rows × 2 vectors of C, each accumulator one lane per output column. Starts from
     * zero when {@code from} is null (the canonical {@code acc = 0}), otherwise from the running sums at
     * {@code from[fromOff]}, rows {@code fromLd} apart; ends in {@code c}. Indices are computed from p so that C2
     * proves them in range once per loop instead of once per load.
     */
    static void tile14(float[] pa, int aOff, float[] pb, int bOff, int kc, float[] from, int fromOff,
            int fromLd, float[] c, int cOff, int ldc) {
        FloatVector c00;
        FloatVector c01;
        FloatVector c10;
        FloatVector c11;
        FloatVector c20;
        FloatVector c21;
        FloatVector c30;
        FloatVector c31;
        FloatVector c40;
        FloatVector c41;
        FloatVector c50;
        FloatVector c51;
        FloatVector c60;
        FloatVector c61;
        FloatVector c70;
        FloatVector c71;
        FloatVector c80;
        FloatVector c81;
        FloatVector c90;
        FloatVector c91;
        FloatVector c100;
        FloatVector c101;
        FloatVector c110;
        FloatVector c111;
        FloatVector c120;
        FloatVector c121;
        FloatVector c130;
        FloatVector c131;
        if (from == null) {
            FloatVector zero = FloatVector.zero(SPECIES);
            c00 = zero;
            c01 = zero;
            c10 = zero;
            c11 = zero;
            c20 = zero;
            c21 = zero;
            c30 = zero;
            c31 = zero;
            c40 = zero;
            c41 = zero;
            c50 = zero;
            c51 = zero;
            c60 = zero;
            c61 = zero;
            c70 = zero;
            c71 = zero;
            c80 = zero;
            c81 = zero;
            c90 = zero;
            c91 = zero;
            c100 = zero;
            c101 = zero;
            c110 = zero;
            c111 = zero;
            c120 = zero;
            c121 = zero;
            c130 = zero;
            c131 = zero;
        } else {
            c00 = FloatVector.fromArray(SPECIES, from, fromOff);
            c01 = FloatVector.fromArray(SPECIES, from, fromOff + L);
            c10 = FloatVector.fromArray(SPECIES, from, fromOff + fromLd);
            c11 = FloatVector.fromArray(SPECIES, from, fromOff + fromLd + L);
            c20 = FloatVector.fromArray(SPECIES, from, fromOff + 2 * fromLd);
            c21 = FloatVector.fromArray(SPECIES, from, fromOff + 2 * fromLd + L);
            c30 = FloatVector.fromArray(SPECIES, from, fromOff + 3 * fromLd);
            c31 = FloatVector.fromArray(SPECIES, from, fromOff + 3 * fromLd + L);
            c40 = FloatVector.fromArray(SPECIES, from, fromOff + 4 * fromLd);
            c41 = FloatVector.fromArray(SPECIES, from, fromOff + 4 * fromLd + L);
            c50 = FloatVector.fromArray(SPECIES, from, fromOff + 5 * fromLd);
            c51 = FloatVector.fromArray(SPECIES, from, fromOff + 5 * fromLd + L);
            c60 = FloatVector.fromArray(SPECIES, from, fromOff + 6 * fromLd);
            c61 = FloatVector.fromArray(SPECIES, from, fromOff + 6 * fromLd + L);
            c70 = FloatVector.fromArray(SPECIES, from, fromOff + 7 * fromLd);
            c71 = FloatVector.fromArray(SPECIES, from, fromOff + 7 * fromLd + L);
            c80 = FloatVector.fromArray(SPECIES, from, fromOff + 8 * fromLd);
            c81 = FloatVector.fromArray(SPECIES, from, fromOff + 8 * fromLd + L);
            c90 = FloatVector.fromArray(SPECIES, from, fromOff + 9 * fromLd);
            c91 = FloatVector.fromArray(SPECIES, from, fromOff + 9 * fromLd + L);
            c100 = FloatVector.fromArray(SPECIES, from, fromOff + 10 * fromLd);
            c101 = FloatVector.fromArray(SPECIES, from, fromOff + 10 * fromLd + L);
            c110 = FloatVector.fromArray(SPECIES, from, fromOff + 11 * fromLd);
            c111 = FloatVector.fromArray(SPECIES, from, fromOff + 11 * fromLd + L);
            c120 = FloatVector.fromArray(SPECIES, from, fromOff + 12 * fromLd);
            c121 = FloatVector.fromArray(SPECIES, from, fromOff + 12 * fromLd + L);
            c130 = FloatVector.fromArray(SPECIES, from, fromOff + 13 * fromLd);
            c131 = FloatVector.fromArray(SPECIES, from, fromOff + 13 * fromLd + L);
        }
        for (int p = 0; p < kc; p++) {
            int b = bOff + p * NR;
            int a = aOff + p * 14;
            FloatVector b0 = FloatVector.fromArray(SPECIES, pb, b);
            FloatVector b1 = FloatVector.fromArray(SPECIES, pb, b + L);
            FloatVector x0 = FloatVector.broadcast(SPECIES, pa[a]);
            c00 = x0.fma(b0, c00);
            c01 = x0.fma(b1, c01);
            FloatVector x1 = FloatVector.broadcast(SPECIES, pa[a + 1]);
            c10 = x1.fma(b0, c10);
            c11 = x1.fma(b1, c11);
            FloatVector x2 = FloatVector.broadcast(SPECIES, pa[a + 2]);
            c20 = x2.fma(b0, c20);
            c21 = x2.fma(b1, c21);
            FloatVector x3 = FloatVector.broadcast(SPECIES, pa[a + 3]);
            c30 = x3.fma(b0, c30);
            c31 = x3.fma(b1, c31);
            FloatVector x4 = FloatVector.broadcast(SPECIES, pa[a + 4]);
            c40 = x4.fma(b0, c40);
            c41 = x4.fma(b1, c41);
            FloatVector x5 = FloatVector.broadcast(SPECIES, pa[a + 5]);
            c50 = x5.fma(b0, c50);
            c51 = x5.fma(b1, c51);
            FloatVector x6 = FloatVector.broadcast(SPECIES, pa[a + 6]);
            c60 = x6.fma(b0, c60);
            c61 = x6.fma(b1, c61);
            FloatVector x7 = FloatVector.broadcast(SPECIES, pa[a + 7]);
            c70 = x7.fma(b0, c70);
            c71 = x7.fma(b1, c71);
            FloatVector x8 = FloatVector.broadcast(SPECIES, pa[a + 8]);
            c80 = x8.fma(b0, c80);
            c81 = x8.fma(b1, c81);
            FloatVector x9 = FloatVector.broadcast(SPECIES, pa[a + 9]);
            c90 = x9.fma(b0, c90);
            c91 = x9.fma(b1, c91);
            FloatVector x10 = FloatVector.broadcast(SPECIES, pa[a + 10]);
            c100 = x10.fma(b0, c100);
            c101 = x10.fma(b1, c101);
            FloatVector x11 = FloatVector.broadcast(SPECIES, pa[a + 11]);
            c110 = x11.fma(b0, c110);
            c111 = x11.fma(b1, c111);
            FloatVector x12 = FloatVector.broadcast(SPECIES, pa[a + 12]);
            c120 = x12.fma(b0, c120);
            c121 = x12.fma(b1, c121);
            FloatVector x13 = FloatVector.broadcast(SPECIES, pa[a + 13]);
            c130 = x13.fma(b0, c130);
            c131 = x13.fma(b1, c131);
        }
        c00.intoArray(c, cOff);
        c01.intoArray(c, cOff + L);
        c10.intoArray(c, cOff + ldc);
        c11.intoArray(c, cOff + ldc + L);
        c20.intoArray(c, cOff + 2 * ldc);
        c21.intoArray(c, cOff + 2 * ldc + L);
        c30.intoArray(c, cOff + 3 * ldc);
        c31.intoArray(c, cOff + 3 * ldc + L);
        c40.intoArray(c, cOff + 4 * ldc);
        c41.intoArray(c, cOff + 4 * ldc + L);
        c50.intoArray(c, cOff + 5 * ldc);
        c51.intoArray(c, cOff + 5 * ldc + L);
        c60.intoArray(c, cOff + 6 * ldc);
        c61.intoArray(c, cOff + 6 * ldc + L);
        c70.intoArray(c, cOff + 7 * ldc);
        c71.intoArray(c, cOff + 7 * ldc + L);
        c80.intoArray(c, cOff + 8 * ldc);
        c81.intoArray(c, cOff + 8 * ldc + L);
        c90.intoArray(c, cOff + 9 * ldc);
        c91.intoArray(c, cOff + 9 * ldc + L);
        c100.intoArray(c, cOff + 10 * ldc);
        c101.intoArray(c, cOff + 10 * ldc + L);
        c110.intoArray(c, cOff + 11 * ldc);
        c111.intoArray(c, cOff + 11 * ldc + L);
        c120.intoArray(c, cOff + 12 * ldc);
        c121.intoArray(c, cOff + 12 * ldc + L);
        c130.intoArray(c, cOff + 13 * ldc);
        c131.intoArray(c, cOff + 13 * ldc + L);
    }

    /**
     * The 6-row register tile: 6 rows × 2 vectors of C, each accumulator one lane per output column. Starts from
     * zero when {@code from} is null (the canonical {@code acc = 0}), otherwise from the running sums at
     * {@code from[fromOff]}, rows {@code fromLd} apart; ends in {@code c}. Indices are computed from p so that C2
     * proves them in range once per loop instead of once per load.
     */
    static void tile6(float[] pa, int aOff, float[] pb, int bOff, int kc, float[] from, int fromOff,
            int fromLd, float[] c, int cOff, int ldc) {
        FloatVector c00;
        FloatVector c01;
        FloatVector c10;
        FloatVector c11;
        FloatVector c20;
        FloatVector c21;
        FloatVector c30;
        FloatVector c31;
        FloatVector c40;
        FloatVector c41;
        FloatVector c50;
        FloatVector c51;
        if (from == null) {
            FloatVector zero = FloatVector.zero(SPECIES);
            c00 = zero;
            c01 = zero;
            c10 = zero;
            c11 = zero;
            c20 = zero;
            c21 = zero;
            c30 = zero;
            c31 = zero;
            c40 = zero;
            c41 = zero;
            c50 = zero;
            c51 = zero;
        } else {
            c00 = FloatVector.fromArray(SPECIES, from, fromOff);
            c01 = FloatVector.fromArray(SPECIES, from, fromOff + L);
            c10 = FloatVector.fromArray(SPECIES, from, fromOff + fromLd);
            c11 = FloatVector.fromArray(SPECIES, from, fromOff + fromLd + L);
            c20 = FloatVector.fromArray(SPECIES, from, fromOff + 2 * fromLd);
            c21 = FloatVector.fromArray(SPECIES, from, fromOff + 2 * fromLd + L);
            c30 = FloatVector.fromArray(SPECIES, from, fromOff + 3 * fromLd);
            c31 = FloatVector.fromArray(SPECIES, from, fromOff + 3 * fromLd + L);
            c40 = FloatVector.fromArray(SPECIES, from, fromOff + 4 * fromLd);
            c41 = FloatVector.fromArray(SPECIES, from, fromOff + 4 * fromLd + L);
            c50 = FloatVector.fromArray(SPECIES, from, fromOff + 5 * fromLd);
            c51 = FloatVector.fromArray(SPECIES, from, fromOff + 5 * fromLd + L);
        }
        for (int p = 0; p < kc; p++) {
            int b = bOff + p * NR;
            int a = aOff + p * 6;
            FloatVector b0 = FloatVector.fromArray(SPECIES, pb, b);
            FloatVector b1 = FloatVector.fromArray(SPECIES, pb, b + L);
            FloatVector x0 = FloatVector.broadcast(SPECIES, pa[a]);
            c00 = x0.fma(b0, c00);
            c01 = x0.fma(b1, c01);
            FloatVector x1 = FloatVector.broadcast(SPECIES, pa[a + 1]);
            c10 = x1.fma(b0, c10);
            c11 = x1.fma(b1, c11);
            FloatVector x2 = FloatVector.broadcast(SPECIES, pa[a + 2]);
            c20 = x2.fma(b0, c20);
            c21 = x2.fma(b1, c21);
            FloatVector x3 = FloatVector.broadcast(SPECIES, pa[a + 3]);
            c30 = x3.fma(b0, c30);
            c31 = x3.fma(b1, c31);
            FloatVector x4 = FloatVector.broadcast(SPECIES, pa[a + 4]);
            c40 = x4.fma(b0, c40);
            c41 = x4.fma(b1, c41);
            FloatVector x5 = FloatVector.broadcast(SPECIES, pa[a + 5]);
            c50 = x5.fma(b0, c50);
            c51 = x5.fma(b1, c51);
        }
        c00.intoArray(c, cOff);
        c01.intoArray(c, cOff + L);
        c10.intoArray(c, cOff + ldc);
        c11.intoArray(c, cOff + ldc + L);
        c20.intoArray(c, cOff + 2 * ldc);
        c21.intoArray(c, cOff + 2 * ldc + L);
        c30.intoArray(c, cOff + 3 * ldc);
        c31.intoArray(c, cOff + 3 * ldc + L);
        c40.intoArray(c, cOff + 4 * ldc);
        c41.intoArray(c, cOff + 4 * ldc + L);
        c50.intoArray(c, cOff + 5 * ldc);
        c51.intoArray(c, cOff + 5 * ldc + L);
    }

    /**
     * The first 4 rows of a packed A panel (MR floats per p) × 2 vectors of C at {@code c[cOff]}, row stride ldc: the
     * edge tile of a panel with at most 4 valid rows, each lane the same sequence as in the full tiles.
     */
    static void tile4(float[] pa, int aOff, float[] pb, int bOff, int kc, float[] from, int fromOff,
            int fromLd, float[] c, int cOff, int ldc) {
        FloatVector c00;
        FloatVector c01;
        FloatVector c10;
        FloatVector c11;
        FloatVector c20;
        FloatVector c21;
        FloatVector c30;
        FloatVector c31;
        if (from == null) {
            FloatVector zero = FloatVector.zero(SPECIES);
            c00 = zero;
            c01 = zero;
            c10 = zero;
            c11 = zero;
            c20 = zero;
            c21 = zero;
            c30 = zero;
            c31 = zero;
        } else {
            c00 = FloatVector.fromArray(SPECIES, from, fromOff);
            c01 = FloatVector.fromArray(SPECIES, from, fromOff + L);
            c10 = FloatVector.fromArray(SPECIES, from, fromOff + fromLd);
            c11 = FloatVector.fromArray(SPECIES, from, fromOff + fromLd + L);
            c20 = FloatVector.fromArray(SPECIES, from, fromOff + 2 * fromLd);
            c21 = FloatVector.fromArray(SPECIES, from, fromOff + 2 * fromLd + L);
            c30 = FloatVector.fromArray(SPECIES, from, fromOff + 3 * fromLd);
            c31 = FloatVector.fromArray(SPECIES, from, fromOff + 3 * fromLd + L);
        }
        for (int p = 0; p < kc; p++) {
            int b = bOff + p * NR;
            int a = aOff + p * MR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, pb, b);
            FloatVector b1 = FloatVector.fromArray(SPECIES, pb, b + L);
            FloatVector x0 = FloatVector.broadcast(SPECIES, pa[a]);
            c00 = x0.fma(b0, c00);
            c01 = x0.fma(b1, c01);
            FloatVector x1 = FloatVector.broadcast(SPECIES, pa[a + 1]);
            c10 = x1.fma(b0, c10);
            c11 = x1.fma(b1, c11);
            FloatVector x2 = FloatVector.broadcast(SPECIES, pa[a + 2]);
            c20 = x2.fma(b0, c20);
            c21 = x2.fma(b1, c21);
            FloatVector x3 = FloatVector.broadcast(SPECIES, pa[a + 3]);
            c30 = x3.fma(b0, c30);
            c31 = x3.fma(b1, c31);
        }
        c00.intoArray(c, cOff);
        c01.intoArray(c, cOff + L);
        c10.intoArray(c, cOff + ldc);
        c11.intoArray(c, cOff + ldc + L);
        c20.intoArray(c, cOff + 2 * ldc);
        c21.intoArray(c, cOff + 2 * ldc + L);
        c30.intoArray(c, cOff + 3 * ldc);
        c31.intoArray(c, cOff + 3 * ldc + L);
    }

    /**
     * Few rows, B untransposed (GEMV-like, e.g. decoding): packing B would cost as much as the product, so each
     * thread takes a range of output columns and streams B row by row, C holding the running sums. For each
     * p every lane does acc = fma(a[i,p], b[p,j], acc): the canonical sequence, read straight from B.
     */
    private static void streamRows(float[] a, boolean transA, float[] b, float[] c, int m, int k, int n,
            Parallelism par) {
        par.forRange(ceilDiv(n, L), (from, to) -> streamColumns(a, transA, b, c, m, k, n, from * L, Math.min(to * L, n)));
    }

    private static void streamColumns(float[] a, boolean transA, float[] b, float[] c, int m, int k, int n, int j0,
            int j1) {
        int width = j1 - j0;
        int vectorWidth = width / L * L;
        for (int i = 0; i < m; i++) {
            int row = i * n + j0;
            java.util.Arrays.fill(c, row, row + width, 0f);
            int p = 0;
            // Four rows of B per pass: each lane still adds p, p+1, p+2, p+3 in order, but C is loaded and
            // stored once per four rows instead of once per row.
            for (; p + 4 <= k; p += 4) {
                float a0 = transA ? a[p * m + i] : a[i * k + p];
                float a1 = transA ? a[(p + 1) * m + i] : a[i * k + p + 1];
                float a2 = transA ? a[(p + 2) * m + i] : a[i * k + p + 2];
                float a3 = transA ? a[(p + 3) * m + i] : a[i * k + p + 3];
                int bRow = p * n + j0;
                axpy4(a0, a1, a2, a3, b, bRow, n, c, row, vectorWidth);
                for (int j = vectorWidth; j < width; j++) {
                    float acc = c[row + j];
                    acc = Math.fma(a0, b[bRow + j], acc);
                    acc = Math.fma(a1, b[bRow + n + j], acc);
                    acc = Math.fma(a2, b[bRow + 2 * n + j], acc);
                    c[row + j] = Math.fma(a3, b[bRow + 3 * n + j], acc);
                }
            }
            for (; p < k; p++) {
                float aip = transA ? a[p * m + i] : a[i * k + p];
                int bRow = p * n + j0;
                axpy(aip, b, bRow, c, row, vectorWidth);
                for (int j = vectorWidth; j < width; j++) {
                    c[row + j] = Math.fma(aip, b[bRow + j], c[row + j]);
                }
            }
        }
    }

    /** Four consecutive rows of B (stride ldb) into c, in row order per lane; len a multiple of the vector length. */
    private static void axpy4(float s0, float s1, float s2, float s3, float[] b, int bOff, int ldb, float[] c, int cOff,
            int len) {
        FloatVector x0 = FloatVector.broadcast(SPECIES, s0);
        FloatVector x1 = FloatVector.broadcast(SPECIES, s1);
        FloatVector x2 = FloatVector.broadcast(SPECIES, s2);
        FloatVector x3 = FloatVector.broadcast(SPECIES, s3);
        int shift = bOff - cOff;
        for (int j = cOff; j < cOff + len; j += L) {
            FloatVector acc = FloatVector.fromArray(SPECIES, c, j);
            acc = x0.fma(FloatVector.fromArray(SPECIES, b, shift + j), acc);
            acc = x1.fma(FloatVector.fromArray(SPECIES, b, shift + ldb + j), acc);
            acc = x2.fma(FloatVector.fromArray(SPECIES, b, shift + 2 * ldb + j), acc);
            x3.fma(FloatVector.fromArray(SPECIES, b, shift + 3 * ldb + j), acc).intoArray(c, j);
        }
    }

    /** c[cOff + j] = fma(s, b[bOff + j], c[cOff + j]) for j in [0, len), len a multiple of the vector length. */
    private static void axpy(float s, float[] b, int bOff, float[] c, int cOff, int len) {
        FloatVector x = FloatVector.broadcast(SPECIES, s);
        int shift = bOff - cOff;
        // One induction variable for both arrays keeps C2's loop tight (twice the bandwidth of two offsets).
        for (int j = cOff; j < cOff + len; j += L) {
            x.fma(FloatVector.fromArray(SPECIES, b, shift + j), FloatVector.fromArray(SPECIES, c, j)).intoArray(c, j);
        }
    }

    /**
     * Few rows, B transposed (n×k, the layout of stored linear weights): each output is a dot product over a
     * contiguous row of B, in order of p. Four outputs run side by side so four independent FMA chains hide the
     * latency; each chain is still the canonical scalar sequence. Packing B here would cost more than the product.
     */
    private static void dotColumns(float[] a, boolean transA, float[] b, float[] c, int m, int k, int n, int j0,
            int j1) {
        for (int i = 0; i < m; i++) {
            int j = j0;
            for (; j + 4 <= j1; j += 4) {
                int b0 = j * k;
                int b1 = b0 + k;
                int b2 = b1 + k;
                int b3 = b2 + k;
                float acc0 = 0f;
                float acc1 = 0f;
                float acc2 = 0f;
                float acc3 = 0f;
                for (int p = 0; p < k; p++) {
                    float aip = transA ? a[p * m + i] : a[i * k + p];
                    acc0 = Math.fma(aip, b[b0 + p], acc0);
                    acc1 = Math.fma(aip, b[b1 + p], acc1);
                    acc2 = Math.fma(aip, b[b2 + p], acc2);
                    acc3 = Math.fma(aip, b[b3 + p], acc3);
                }
                c[i * n + j] = acc0;
                c[i * n + j + 1] = acc1;
                c[i * n + j + 2] = acc2;
                c[i * n + j + 3] = acc3;
            }
            for (; j < j1; j++) {
                float acc = 0f;
                for (int p = 0; p < k; p++) {
                    acc = Math.fma(transA ? a[p * m + i] : a[i * k + p], b[j * k + p], acc);
                }
                c[i * n + j] = acc;
            }
        }
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }
}
