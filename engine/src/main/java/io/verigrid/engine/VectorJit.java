package io.verigrid.engine;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Warns once when C2 may compile the vector kernels badly. Before JDK 24 it can try a vector intrinsic while an
 * argument's type is still imprecise (no cleanup between late inlines) and leave a call to the Java fallback
 * in its place: that kernel then runs ~25 times slower for the life of the process, in about half of all runs.
 * {@code -XX:+IncrementalInlineForceCleanup}, which the {@code verigrid} launcher and the test runner set,
 * prevents it. Speed only: no bit depends on it.
 */
public final class VectorJit {
    private static final AtomicBoolean CHECKED = new AtomicBoolean();

    private VectorJit() {
    }

    /** Logs the advice the first time a vector kernel loads on a JVM that needs the flag and lacks it. */
    public static void checkOnce() {
        if (!CHECKED.compareAndSet(false, true) || Runtime.version().feature() >= 24 || cleanupForced()) {
            return;
        }
        System.getLogger("io.verigrid.engine").log(System.Logger.Level.WARNING,
                "JDK " + Runtime.version().feature() + " without -XX:+UnlockDiagnosticVMOptions"
                        + " -XX:+IncrementalInlineForceCleanup: C2 may leave a vector kernel un-intrinsified and"
                        + " ~25x slower (same results); the verigrid launcher sets this flag");
    }

    static boolean cleanupForced() {
        if (System.getProperty("java.vm.info", "").contains("interpreted")) {
            return true; // no JIT, nothing to advise
        }
        if (VmOptions.value("UnlockDiagnosticVMOptions") == null) {
            return true; // not HotSpot: nothing to advise
        }
        // Unknown while the diagnostic options are locked: then it is off.
        return Boolean.parseBoolean(VmOptions.value("IncrementalInlineForceCleanup"));
    }
}
