package io.verigrid.engine;

/**
 * Linear warmup then cosine decay: step s (1-based) of {@code total} gets peak·s/warmup while s ≤ warmup,
 * then min + (peak − min)·(1 + cos(π·progress))/2 with progress = (s − warmup)/(total − warmup). Computed in
 * double with {@link StrictMath#cos} and rounded to float once, so every party gets the same bits.
 */
public record LearningRate(float peak, float min, int warmup, int total) {
    public LearningRate {
        if (!Float.isFinite(peak) || peak <= 0f) {
            throw new IllegalArgumentException("peak learning rate must be finite and > 0, got " + peak);
        }
        if (!Float.isFinite(min) || min < 0f || min > peak) {
            throw new IllegalArgumentException("min learning rate must be in [0, peak], got " + min);
        }
        if (total < 1 || warmup < 0 || warmup > total) {
            throw new IllegalArgumentException("need 0 <= warmup <= total and total >= 1, got warmup " + warmup
                    + ", total " + total);
        }
    }

    /** A constant rate. */
    public static LearningRate constant(float rate, int total) {
        return new LearningRate(rate, rate, 0, total);
    }

    public float at(long step) {
        if (step < 1 || step > total) {
            throw new IllegalArgumentException("step must be in [1, " + total + "], got " + step);
        }
        if (step <= warmup) {
            return (float) ((double) peak * step / warmup);
        }
        if (total == warmup) {
            return peak;
        }
        double progress = (double) (step - warmup) / (total - warmup);
        return (float) (min + (peak - (double) min) * 0.5 * (1.0 + StrictMath.cos(StrictMath.PI * progress)));
    }
}
