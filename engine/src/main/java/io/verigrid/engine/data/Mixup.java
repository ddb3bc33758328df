package io.verigrid.engine.data;

import io.verigrid.engine.Tensor;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Mixup: the record at position p becomes {@code λ·x_p + (1−λ)·x_partner} (image and label alike), where
 * partner = {@code Shuffle.permutation(seed, PARTNER_STREAM, n)[p]} over the n records at this step, and λ depends on
 * the record's origin only: λ ~ Beta(α, α) by Jöhnk's method — for attempt a = 0, 1, … 63,
 * X = U^{1/α}, Y = V^{1/α} with U = {@code openUnit(seed, LAMBDA_STREAM, origin, 2a)},
 * V = {@code openUnit(seed, LAMBDA_STREAM, origin, 2a+1)} and {@link StrictMath#pow}; the first attempt with
 * 0 &lt; X + Y ≤ 1 gives λ = X / (X + Y) (double, then rounded to float); if none is accepted λ = 0.5.
 * Each element is {@code fma(λ, x, (1−λ)·y)} in float32. Partners must have the same image and label shapes.
 * α is limited to (0, 2], where Jöhnk accepts each attempt with probability at least 1/6.
 */
public record Mixup(long seed, float alpha) implements Step {
    public static final String NAME = "mixup";
    static final long PARTNER_STREAM = 6;
    static final long LAMBDA_STREAM = 7;
    static final int ATTEMPTS = 64;

    public Mixup {
        if (!(alpha > 0f && alpha <= 2f)) {
            throw new IllegalArgumentException("alpha: must be in (0, 2], got " + alpha);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public RecordType inputType() {
        return RecordType.IMAGE;
    }

    /** Position p is mixed with position {@code partners(n)[p]}. */
    public int[] partners(int n) {
        return Shuffle.permutation(seed, PARTNER_STREAM, n);
    }

    public float lambda(int origin) {
        double inverseAlpha = 1.0 / alpha;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            double x = StrictMath.pow(KeyedRng.openUnit(seed, LAMBDA_STREAM, origin, 2L * attempt), inverseAlpha);
            double y = StrictMath.pow(KeyedRng.openUnit(seed, LAMBDA_STREAM, origin, 2L * attempt + 1), inverseAlpha);
            double sum = x + y;
            if (sum > 0 && sum <= 1) {
                return (float) (x / sum);
            }
        }
        return 0.5f;
    }

    public ImageRecord mix(DataRecord self, DataRecord partner) {
        ImageRecord a = (ImageRecord) self;
        ImageRecord b = (ImageRecord) partner;
        if (!Arrays.equals(a.image().shape(), b.image().shape()) || !Arrays.equals(a.label().shape(), b.label().shape())) {
            throw new IllegalArgumentException("mixup: record " + a.origin() + " " + Arrays.toString(a.image().shape())
                    + " and its partner " + b.origin() + " " + Arrays.toString(b.image().shape())
                    + " differ in image or label shape");
        }
        float lambda = lambda(a.origin());
        return new ImageRecord(a.origin(), blend(lambda, a.image(), b.image()), blend(lambda, a.label(), b.label()));
    }

    private static Tensor blend(float lambda, Tensor x, Tensor y) {
        float rest = 1f - lambda;
        float[] xs = x.data();
        float[] ys = y.data();
        float[] out = new float[xs.length];
        for (int i = 0; i < xs.length; i++) {
            out[i] = Math.fma(lambda, xs[i], rest * ys[i]);
        }
        return Tensor.of(x.shape(), out);
    }

    @Override
    public void writeParams(DataWriter out) {
        out.i64(seed).f32(alpha);
    }

    static Mixup read(DataReader in) {
        return new Mixup(in.i64(), in.f32());
    }

    static Mixup fromJson(JsonFields f) {
        return new Mixup(f.int64("seed"), f.float32("alpha"));
    }

    @Override
    public Map<String, Object> jsonParams() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("seed", seed);
        params.put("alpha", alpha);
        return params;
    }
}
