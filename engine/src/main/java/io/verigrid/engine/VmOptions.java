package io.verigrid.engine;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;

/** Reads this JVM's HotSpot flags, which tune the kernels' speed (never their bits). */
final class VmOptions {
    private VmOptions() {
    }

    /**
     * The flag's value, or null when this is not HotSpot or the flag is unknown here (a diagnostic flag reads as
     * unknown until {@code -XX:+UnlockDiagnosticVMOptions}).
     */
    static String value(String name) {
        try {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            return vm == null ? null : vm.getVMOption(name).getValue();
        } catch (RuntimeException e) {
            return null;
        }
    }
}
