package io.verigrid.engine.data;

import io.verigrid.engine.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adds {@code sigma · z} to every image element, z standard normal by Box–Muller in double precision with
 * {@link StrictMath} (fdlibm: the same bits on every JVM): for element pair q,
 * u1 = {@code openUnit(seed, STREAM, origin, 2q)}, u2 = {@code openUnit(seed, STREAM, origin, 2q+1)},
 * r = √(−2 ln u1), z_{2q} = r cos 2πu2, z_{2q+1} = r sin 2πu2. Each z is rounded to float and added as
 * {@code fma(sigma, z, x)} in float32. The label is unchanged.
 */
public record GaussianNoise(long seed, float sigma) implements MapStep {
    public static final String NAME = "gaussian_noise";
    static final long STREAM = 5;

    public GaussianNoise {
        if (!(sigma >= 0f) || Float.isInfinite(sigma)) {
            throw new IllegalArgumentException("sigma: must be finite and >= 0, got " + sigma);
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

    @Override
    public DataRecord apply(DataRecord record, Resources resources) {
        ImageRecord in = (ImageRecord) record;
        float[] src = in.image().data();
        float[] out = new float[src.length];
        for (int q = 0; 2 * q < src.length; q++) {
            double u1 = KeyedRng.openUnit(seed, STREAM, in.origin(), 2L * q);
            double u2 = KeyedRng.openUnit(seed, STREAM, in.origin(), 2L * q + 1);
            double r = StrictMath.sqrt(-2.0 * StrictMath.log(u1));
            double angle = 2.0 * StrictMath.PI * u2;
            out[2 * q] = Math.fma(sigma, (float) (r * StrictMath.cos(angle)), src[2 * q]);
            if (2 * q + 1 < src.length) {
                out[2 * q + 1] = Math.fma(sigma, (float) (r * StrictMath.sin(angle)), src[2 * q + 1]);
            }
        }
        return new ImageRecord(in.origin(), Tensor.of(in.image().shape(), out), in.label());
    }

    @Override
    public void writeParams(DataWriter out) {
        out.i64(seed).f32(sigma);
    }

    static GaussianNoise read(DataReader in) {
        return new GaussianNoise(in.i64(), in.f32());
    }

    static GaussianNoise fromJson(JsonFields f) {
        return new GaussianNoise(f.int64("seed"), f.float32("sigma"));
    }

    @Override
    public Map<String, Object> jsonParams() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("seed", seed);
        params.put("sigma", sigma);
        return params;
    }
}
