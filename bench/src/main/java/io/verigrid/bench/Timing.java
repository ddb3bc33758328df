package io.verigrid.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;

/** Wall-clock timing the same way for every workload: warm up (JIT, caches), then the median of several runs. */
final class Timing {
    private Timing() {
    }

    /** Warm-up ends once three calls in a row agree within this fraction (the JIT has finished with the code). */
    private static final double STABLE = 0.15;
    /**
     * The JIT's accumulated compile time. Warm-up also waits until it stops growing for three calls: on a loaded
     * machine C2's threads get little CPU, and three calls of first-tier (C1) Vector API code — twenty times
     * slower, but steady — would otherwise pass for warm.
     */
    private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();
    /**
     * The JIT must also have been quiet this long: three calls of a fast workload take microseconds, while C2 may
     * still be compiling its code (the total grows only when a compilation ends).
     */
    private static final long JIT_QUIET_NANOS = 250_000_000L;
    /** ...or after this long, whatever the timings do. */
    private static final long WARMUP_CAP_MILLIS = 30_000;

    /**
     * Runs {@code work} for at least {@code warmupMillis} and until its timings settle (the Vector API code is
     * very slow until C2 compiles it), then returns the median seconds of {@code runs} timed calls.
     */
    static double medianSeconds(Runnable work, long warmupMillis, int runs) {
        if (runs < 1) {
            throw new IllegalArgumentException("runs must be >= 1, got " + runs);
        }
        warmUp(work, warmupMillis);
        double[] seconds = new double[runs];
        for (int run = 0; run < runs; run++) {
            long start = System.nanoTime();
            work.run();
            seconds[run] = (System.nanoTime() - start) / 1e9;
        }
        return median(seconds);
    }

    /**
     * Runs {@code work} for at least {@code warmupMillis}, until three calls in a row agree and the JIT has finished
     * no compilation during them nor for {@link #JIT_QUIET_NANOS} (or for {@link #WARMUP_CAP_MILLIS} at most).
     */
    static void warmUp(Runnable work, long warmupMillis) {
        long begin = System.nanoTime();
        double[] recent = new double[3];
        long compiled = compileMillis();
        long quietSince = begin;
        int quietCalls = 0;
        for (int calls = 0; ; calls++) {
            long start = System.nanoTime();
            work.run();
            long end = System.nanoTime();
            recent[calls % recent.length] = end - start;
            long compiledNow = compileMillis();
            if (compiledNow != compiled) {
                compiled = compiledNow;
                quietSince = end;
                quietCalls = 0;
            } else {
                quietCalls++;
            }
            boolean jitQuiet = quietCalls >= recent.length && end - quietSince >= JIT_QUIET_NANOS;
            long elapsedMillis = (end - begin) / 1_000_000L;
            if (calls >= recent.length && elapsedMillis >= warmupMillis && settled(recent) && jitQuiet
                    || elapsedMillis >= WARMUP_CAP_MILLIS) {
                return;
            }
        }
    }

    /** Milliseconds the JIT has spent compiling so far (0 where the JVM does not report it). */
    private static long compileMillis() {
        return JIT != null && JIT.isCompilationTimeMonitoringSupported() ? JIT.getTotalCompilationTime() : 0;
    }

    private static boolean settled(double[] times) {
        double min = Double.MAX_VALUE;
        double max = 0;
        for (double t : times) {
            min = Math.min(min, t);
            max = Math.max(max, t);
        }
        return max <= min * (1 + STABLE);
    }

    static double median(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("values must not be empty");
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
