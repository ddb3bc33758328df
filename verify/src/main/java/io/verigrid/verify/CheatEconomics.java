package io.verigrid.verify;

/**
 * Whether cheating one unit loses money in expectation (spec §5): with sampling probability p, slash S, reward R
 * per unit, gain C from cheating and colluding share r, cheating loses when p·(1 − r)·(S + R) &gt; C.
 * For reports and genesis checks only: it uses doubles and is never part of consensus.
 *
 * @param p         sampling probability in [0, 1]
 * @param slash     S, base units taken from a caught provider
 * @param reward    R, base units per unit of work the cheat forfeits
 * @param gain      C, base units the cheat saves
 * @param collusion r in [0, 1], the share of verifiers colluding with the provider
 */
public record CheatEconomics(double p, long slash, long reward, long gain, double collusion) {
    public CheatEconomics {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("p: must be in [0, 1], got " + p);
        if (!(collusion >= 0 && collusion <= 1)) {
            throw new IllegalArgumentException("collusion: must be in [0, 1], got " + collusion);
        }
        if (slash < 0) throw new IllegalArgumentException("slash: must be non-negative, got " + slash);
        if (reward < 0) throw new IllegalArgumentException("reward: must be non-negative, got " + reward);
        if (gain < 0) throw new IllegalArgumentException("gain: must be non-negative, got " + gain);
    }

    /**
     * The chance that at least one of {@code verifiers} independent verifiers, each sampling units with
     * probability {@code p}, re-executes a given unit: 1 − (1 − p)^v. With one verifier it is p.
     */
    public static double catchProbability(double p, int verifiers) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("p: must be in [0, 1], got " + p);
        if (verifiers < 0) throw new IllegalArgumentException("verifiers: must be non-negative, got " + verifiers);
        return 1 - StrictMath.pow(1 - p, verifiers);
    }

    /** p·(1 − r)·(S + R): what a cheat expects to lose per unit. */
    public double expectedLoss() {
        return p * (1 - collusion) * ((double) slash + (double) reward);
    }

    /** expectedLoss() − C; positive means cheating loses money. */
    public double margin() {
        return expectedLoss() - gain;
    }

    public boolean cheatingLoses() {
        return margin() > 0;
    }

    /**
     * The smallest sampling rate, in parts per million, at which cheating loses.
     *
     * @throws IllegalArgumentException when even sampling every unit cannot make cheating lose
     */
    public static int minimumPpm(long slash, long reward, long gain, double collusion) {
        if (!new CheatEconomics(1, slash, reward, gain, collusion).cheatingLoses()) {
            throw new IllegalArgumentException("no sampling rate makes cheating lose: (1 − r)·(S + R) ≤ C for S="
                    + slash + " R=" + reward + " C=" + gain + " r=" + collusion);
        }
        double perUnit = (1 - collusion) * ((double) slash + (double) reward);
        int ppm = (int) Math.min(Sampling.PPM, Math.floor(gain * (double) Sampling.PPM / perUnit));
        // The estimate can be off by one either way through rounding; settle it with the exact test.
        while (ppm > 0 && loses(ppm - 1, slash, reward, gain, collusion)) ppm--;
        while (!loses(ppm, slash, reward, gain, collusion)) ppm++;
        return ppm;
    }

    private static boolean loses(int ppm, long slash, long reward, long gain, double collusion) {
        return new CheatEconomics(ppm / (double) Sampling.PPM, slash, reward, gain, collusion).cheatingLoses();
    }
}
