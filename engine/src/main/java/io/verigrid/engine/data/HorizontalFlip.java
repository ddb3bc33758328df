package io.verigrid.engine.data;

import io.verigrid.engine.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/** Mirrors an image left–right iff {@code below(seed, STREAM, origin, 0, 1 000 000) < probabilityPpm}. */
public record HorizontalFlip(long seed, int probabilityPpm) implements MapStep {
    public static final String NAME = "hflip";
    static final long STREAM = 4;

    public HorizontalFlip {
        if (probabilityPpm < 0 || probabilityPpm > 1_000_000) {
            throw new IllegalArgumentException("probability_ppm: must be in 0..1000000, got " + probabilityPpm);
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
        if (KeyedRng.below(seed, STREAM, in.origin(), 0, 1_000_000) >= probabilityPpm) {
            return in;
        }
        int rows = in.channels() * in.height();
        int w = in.width();
        float[] src = in.image().data();
        float[] out = new float[src.length];
        for (int row = 0; row < rows; row++) {
            for (int x = 0; x < w; x++) {
                out[row * w + x] = src[row * w + w - 1 - x];
            }
        }
        return new ImageRecord(in.origin(), Tensor.of(in.image().shape(), out), in.label());
    }

    @Override
    public void writeParams(DataWriter out) {
        out.i64(seed).u32(probabilityPpm);
    }

    static HorizontalFlip read(DataReader in) {
        return new HorizontalFlip(in.i64(), in.u32());
    }

    static HorizontalFlip fromJson(JsonFields f) {
        return new HorizontalFlip(f.int64("seed"), f.integer("probability_ppm", 0, 1_000_000));
    }

    @Override
    public Map<String, Object> jsonParams() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("seed", seed);
        params.put("probability_ppm", probabilityPpm);
        return params;
    }
}
