package io.verigrid.node.market;

import io.verigrid.engine.Ops;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What a provider can do, measured on this machine: the engine's matmul throughput (the operator that dominates
 * training), the JVM's memory limit and the free disk under the node's data directory. This is the record a
 * provider registers on the ledger; the ledger holds it to the deadlines it implies.
 */
public record Capability(long mflops, long memoryBytes, long diskBytes) {
    private static final int N = 192;
    private static final int WARMUP = 2;
    private static final int RUNS = 6;

    /** Runs a short engine matmul benchmark (N×N by N×N, the best of a few runs) and reads memory and disk. */
    public static Capability measure(Parallelism par, Path dataDir) {
        float[] a = new float[N * N], b = new float[N * N];
        for (int i = 0; i < a.length; i++) {
            a[i] = (i % 17) * 0.01f;
            b[i] = (i % 13) * 0.02f;
        }
        List<Tensor> inputs = List.of(Tensor.of(new int[] {N, N}, a), Tensor.of(new int[] {N, N}, b));
        long best = Long.MAX_VALUE;
        for (int run = 0; run < WARMUP + RUNS; run++) {
            long start = System.nanoTime();
            Ops.execute("matmul", new long[] {0, 0}, inputs, par);
            long took = System.nanoTime() - start;
            if (run >= WARMUP) best = Math.min(best, took);
        }
        long flops = 2L * N * N * N;
        long mflops = Math.max(1, flops * 1_000L / Math.max(1, best));
        return new Capability(mflops, Runtime.getRuntime().maxMemory(), freeDisk(dataDir));
    }

    private static long freeDisk(Path dir) {
        try {
            Files.createDirectories(dir);
            return Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read free disk space under " + dir + ": " + e.getMessage(), e);
        }
    }
}
