package io.verigrid.engine;

/**
 * How many vector registers the JIT allocates from, which sets how tall a register tile can be without spilling.
 * It follows the instruction set the JVM uses, not the vector width: AVX-512 has 32 registers even when vectors
 * are capped at 256 bits, AVX2 has 16, AArch64 (NEON, SVE) has 32. Speed only: no bit depends on it.
 */
public final class VectorRegisters {
    private VectorRegisters() {
    }

    public static int count() {
        String arch = System.getProperty("os.arch", "");
        if (!arch.equals("amd64") && !arch.equals("x86_64")) {
            return 32;
        }
        String avx = VmOptions.value("UseAVX");
        // Not HotSpot, or no such option: the smaller register file is the safe guess.
        return avx != null && Integer.parseInt(avx) >= 3 ? 32 : 16;
    }
}
