package io.verigrid.engine.generate;

import io.verigrid.engine.Tensor;

/**
 * One or more Hugging Face linear weights (out, in), stacked along out and packed once for decoding:
 * {@code y = x · Wᵀ} for every row of x, as the engine's {@code matmul} computes it.
 *
 * <p>Canonical order (that of {@code matmul}): every output is {@code acc = 0; for p in 0..k−1:
 * acc = fma(x[i,p], W[j,p], acc)}, strictly in order of p, computed whole by one thread. The packed layout is
 * column panels {@code [panel][p][lane]} (a plain copy, zero-padded past the last column), so a panel streams
 * from memory in one pass while each lane keeps its output's running sum in a register. Rows are independent:
 * a stream's outputs are the same bits alone or in a batch of sixteen. Threads split panels, never K.
 */
final class PackedMatrix {
    /** Whether the Vector API kernel may run: module loaded and the JIT on (interpreted vector code is slow). */
    static final boolean VECTOR_API = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
            && !System.getProperty("java.vm.info", "").contains("interpreted");
    /** Panel width of the scalar path's layout (any width gives the same bits). */
    private static final int SCALAR_LANES = 8;
    /** Below this many multiply-adds handing chunks to the team costs more than it saves. */
    private static final long PARALLEL_MIN_WORK = 1 << 14;
    /** Chunks per thread handed out dynamically, at least. */
    private static final int CHUNKS_PER_THREAD = 8;
    /** Multiply-adds per chunk of a large product (64 Ki weights, 256 KiB: a few microseconds of streaming). */
    private static final long CHUNK_WORK = 1 << 16;

    private final int k;
    private final int n;
    private final int lanes;
    private final int panels;
    private final float[] packed; // (panels, k, lanes)

    private PackedMatrix(int k, int n, int lanes, float[] packed) {
        this.k = k;
        this.n = n;
        this.lanes = lanes;
        this.panels = (n + lanes - 1) / lanes;
        this.packed = packed;
    }

    /** Packs the (out_t, in) weights one after another along the output axis; every in must be equal. */
    static PackedMatrix stack(Tensor... weights) {
        int k = weights[0].dim(1);
        int n = 0;
        for (Tensor weight : weights) {
            if (weight.rank() != 2 || weight.dim(1) != k) {
                throw new IllegalArgumentException("stacked weights must all be (out, " + k + ")");
            }
            n += weight.dim(0);
        }
        int lanes = VECTOR_API ? PanelKernel.LANES : SCALAR_LANES;
        int panels = (n + lanes - 1) / lanes;
        float[] packed = new float[Math.multiplyExact(panels * lanes, k)];
        int column = 0;
        for (Tensor weight : weights) {
            float[] w = weight.data();
            for (int row = 0; row < weight.dim(0); row++, column++) {
                int base = (column / lanes) * k * lanes + column % lanes;
                for (int p = 0; p < k; p++) {
                    packed[base + p * lanes] = w[row * k + p];
                }
            }
        }
        return new PackedMatrix(k, n, lanes, packed);
    }

    int inputs() {
        return k;
    }

    int outputs() {
        return n;
    }

    /**
     * Writes y = x · Wᵀ for the m rows of x (m×k row-major) into {@code y} row i at {@code yOff + i·ldy}
     * (n columns each), the team splitting the panels.
     */
    void multiply(float[] x, int m, float[] y, int yOff, int ldy, StepTeam team) {
        // Chunks are whole four-panel groups; a ragged last group joins the last chunk, so that no chunk is
        // left with fewer than four panels (one latency-bound FMA chain each).
        int groups = panels / 4;
        int chunks = chunks(groups, (long) m * k * n, team.threads());
        if (chunks <= 1) {
            panels(x, m, y, yOff, ldy, 0, panels);
            return;
        }
        // Many more chunks than threads, taken from a shared counter: a thread that starts late finds the work
        // already done instead of holding up the step, and the last chunk anyone waits for is short.
        team.split(chunks, chunk -> {
            int g0 = (int) ((long) groups * chunk / chunks);
            int g1 = (int) ((long) groups * (chunk + 1) / chunks);
            panels(x, m, y, yOff, ldy, g0 * 4, chunk == chunks - 1 ? panels : g1 * 4);
        });
    }

    /**
     * How many chunks a product of {@code work} multiply-adds over {@code groups} whole four-panel groups is
     * split into: at least {@link #CHUNKS_PER_THREAD} per thread, more for large weights, so that a chunk
     * streams about {@link #CHUNK_WORK} weights.
     */
    private static int chunks(int groups, long work, int threads) {
        if (threads <= 1 || groups < 2 || work < PARALLEL_MIN_WORK) {
            return 1;
        }
        long wanted = Math.max((long) threads * CHUNKS_PER_THREAD, work / CHUNK_WORK);
        return (int) Math.min(groups, wanted);
    }

    private void panels(float[] x, int m, float[] y, int yOff, int ldy, int q0, int q1) {
        if (VECTOR_API) {
            PanelKernel.multiply(x, m, k, packed, n, y, yOff, ldy, q0, q1);
            return;
        }
        for (int i = 0; i < m; i++) {
            for (int q = q0; q < q1; q++) {
                int base = q * k * lanes;
                for (int lane = 0; lane < lanes && q * lanes + lane < n; lane++) {
                    float acc = 0f;
                    for (int p = 0; p < k; p++) {
                        acc = Math.fma(x[i * k + p], packed[base + p * lanes + lane], acc);
                    }
                    y[yOff + i * ldy + q * lanes + lane] = acc;
                }
            }
        }
    }
}
