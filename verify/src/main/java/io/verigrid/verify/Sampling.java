package io.verigrid.verify;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Proof of sampling: which checkpoint units a verifier re-executes. The seed is a block hash the provider could not
 * know when it committed (spec §5). Consensus arithmetic only: integers, parts per million, no floats.
 */
public final class Sampling {
    public static final int PPM = 1_000_000;
    private static final int MAX_FIELD = 0xFFFF;

    private Sampling() {}

    /**
     * Unit {@code unit} is sampled iff u64(first 8 bytes, little-endian, of
     * H(u16 |seed| ‖ seed ‖ i64 jobId ‖ u16 |verifier| ‖ verifier ‖ u32 unit)) mod 1 000 000 &lt; pPpm.
     */
    public static boolean sampled(byte[] seed, long jobId, byte[] verifier, int unit, int pPpm) {
        checkField("seed", seed);
        checkField("verifier", verifier);
        if (unit < 0) throw new IllegalArgumentException("unit: must be non-negative, got " + unit);
        checkPpm(pPpm);
        byte[] draw = Hashes.sha256(new CanonicalWriter()
                .u16(seed.length).raw(seed).i64(jobId)
                .u16(verifier.length).raw(verifier).u32(unit).toByteArray());
        long value = 0;
        for (int i = 0; i < 8; i++) value |= (long) (draw[i] & 0xFF) << (8 * i);
        return Long.remainderUnsigned(value, PPM) < pPpm;
    }

    /** The sampled units among 1..units (checkpoint units are 1-based), in increasing order. */
    public static List<Integer> sample(byte[] seed, long jobId, byte[] verifier, int units, int pPpm) {
        if (units < 0) throw new IllegalArgumentException("units: must be non-negative, got " + units);
        List<Integer> chosen = new ArrayList<>();
        for (int unit = 1; unit <= units; unit++) {
            if (sampled(seed, jobId, verifier, unit, pPpm)) chosen.add(unit);
        }
        return chosen;
    }

    /**
     * The smallest sampling rate, in parts per million, at which skipping one unit priced {@code unitPrice} loses
     * money against a slash of {@code slash}: the least ppm with ppm · (S + R) &gt; C · 10^6, taking the forfeited
     * reward R and the saved cost C both as the unit price and no collusion (spec §5). Exact integer arithmetic, so
     * every peer computes the same floor. {@code PPM + 1} when no rate secures the unit (S = 0 and C &gt; 0).
     */
    public static int securingPpm(long slash, long unitPrice) {
        if (slash < 0) throw new IllegalArgumentException("slash: must be non-negative, got " + slash);
        if (unitPrice < 0) throw new IllegalArgumentException("unitPrice: must be non-negative, got " + unitPrice);
        BigInteger atStake = BigInteger.valueOf(slash).add(BigInteger.valueOf(unitPrice));
        if (atStake.signum() == 0) return 0; // nothing to gain and nothing to lose
        BigInteger floor = BigInteger.valueOf(unitPrice).multiply(BigInteger.valueOf(PPM)).divide(atStake);
        return floor.intValueExact() + 1;
    }

    static void checkPpm(int pPpm) {
        if (pPpm < 0 || pPpm > PPM) throw new IllegalArgumentException("pPpm: must be in 0.." + PPM + ", got " + pPpm);
    }

    private static void checkField(String name, byte[] value) {
        if (value == null) throw new IllegalArgumentException(name + ": null");
        if (value.length > MAX_FIELD) throw new IllegalArgumentException(name + ": longer than " + MAX_FIELD + " bytes");
    }
}
