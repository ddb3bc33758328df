package io.verigrid.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * This machine's FMA peak as the JVM sees it: each thread runs a register-resident loop of independent vector
 * FMAs (twelve accumulators hide the FMA latency), all threads at once; GFLOP/s counts 2 per lane per FMA.
 */
final class FmaPeak {
    /** The widest native species, as the engine's kernel picks it. */
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_MAX.vectorBitSize() >= 512
            ? FloatVector.SPECIES_512
            : FloatVector.SPECIES_MAX.vectorBitSize() >= 256 ? FloatVector.SPECIES_256 : FloatVector.SPECIES_128;
    private static final int ACCUMULATORS = 12;

    private FmaPeak() {
    }

    /**
     * The best GFLOP/s of all {@code threads} together over {@code rounds} rounds of about {@code roundMillis} each:
     * a peak is what the machine can do, and on a shared machine a slower round only means someone else ran.
     */
    static double gflops(int threads, int rounds, long roundMillis) {
        // Until C2 compiles it the loop runs interpreted, a thousand times slower: warm it up before calibrating.
        Timing.medianSeconds(() -> loop(1 << 16), 500, 1);
        long iterations = calibrate(roundMillis);
        double[] results = new double[rounds];
        for (int round = 0; round < rounds; round++) {
            double seconds = timeTogether(threads, iterations);
            results[round] = threads * (double) iterations * ACCUMULATORS * SPECIES.length() * 2 / seconds / 1e9;
        }
        return java.util.Arrays.stream(results).max().orElseThrow();
    }

    /** Iterations one thread needs for about {@code millis}, measured after warming the loop up. */
    private static long calibrate(long millis) {
        long iterations = 1 << 16;
        while (true) {
            long start = System.nanoTime();
            loop(iterations);
            long elapsed = System.nanoTime() - start;
            if (elapsed > millis * 1_000_000L / 4) {
                return Math.max(1, (long) (iterations * (millis * 1e6 / elapsed)));
            }
            iterations *= 2;
        }
    }

    private static double timeTogether(int threads, long iterations) {
        CyclicBarrier start = new CyclicBarrier(threads + 1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                await(start);
                loop(iterations);
            }, "fma-peak-" + t);
            worker.start();
            workers.add(worker);
        }
        await(start);
        long begin = System.nanoTime();
        for (Thread worker : workers) {
            try {
                worker.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while measuring the FMA peak", e);
            }
        }
        return (System.nanoTime() - begin) / 1e9;
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new IllegalStateException("FMA peak threads could not start together", e);
        }
    }

    /**
     * Returns a lane of the result so the JIT cannot drop the loop. The FMAs run in an int-counted loop ({@link
     * #turns}): JDK 17 compiles a long-counted loop with a safepoint poll and a 64-bit compare per turn, which read
     * the peak 5–9 % low there (202–216 against 222–230 GF/s on one thread; JDK 25 reads 222 either way).
     */
    static float loop(long iterations) {
        float result = 0;
        for (long done = 0; done < iterations; done += Integer.MAX_VALUE) {
            result += turns((int) Math.min(iterations - done, Integer.MAX_VALUE));
        }
        return result;
    }

    /** {@code iterations} turns of twelve independent FMAs (vectors stay in registers: no loop outside this one). */
    private static float turns(int iterations) {
        FloatVector a = FloatVector.broadcast(SPECIES, 0.999999f);
        FloatVector b = FloatVector.broadcast(SPECIES, 1.000001f);
        FloatVector c0 = FloatVector.zero(SPECIES);
        FloatVector c1 = c0;
        FloatVector c2 = c0;
        FloatVector c3 = c0;
        FloatVector c4 = c0;
        FloatVector c5 = c0;
        FloatVector c6 = c0;
        FloatVector c7 = c0;
        FloatVector c8 = c0;
        FloatVector c9 = c0;
        FloatVector c10 = c0;
        FloatVector c11 = c0;
        for (int i = 0; i < iterations; i++) {
            c0 = a.fma(b, c0);
            c1 = a.fma(b, c1);
            c2 = a.fma(b, c2);
            c3 = a.fma(b, c3);
            c4 = a.fma(b, c4);
            c5 = a.fma(b, c5);
            c6 = a.fma(b, c6);
            c7 = a.fma(b, c7);
            c8 = a.fma(b, c8);
            c9 = a.fma(b, c9);
            c10 = a.fma(b, c10);
            c11 = a.fma(b, c11);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11).lane(0);
    }
}
