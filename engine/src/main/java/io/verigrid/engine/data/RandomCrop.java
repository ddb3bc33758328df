package io.verigrid.engine.data;

import io.verigrid.engine.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@code height × width} window of each C×H×W image, at top {@code below(seed, STREAM, origin, 0, H−height+1)} and
 * left {@code below(seed, STREAM, origin, 1, W−width+1)}. An image smaller than the window is an error naming the
 * record.
 */
public record RandomCrop(long seed, int height, int width) implements MapStep {
    public static final String NAME = "random_crop";
    static final long STREAM = 3;

    public RandomCrop {
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("height, width: must be >= 1, got " + height + "×" + width);
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
        int c = in.channels();
        int h = in.height();
        int w = in.width();
        if (h < height || w < width) {
            throw new IllegalArgumentException("random_crop: record " + in.origin() + " is " + h + "×" + w
                    + ", smaller than the " + height + "×" + width + " crop");
        }
        int top = KeyedRng.below(seed, STREAM, in.origin(), 0, h - height + 1);
        int left = KeyedRng.below(seed, STREAM, in.origin(), 1, w - width + 1);
        float[] src = in.image().data();
        float[] out = new float[c * height * width];
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < height; y++) {
                System.arraycopy(src, (ch * h + top + y) * w + left, out, (ch * height + y) * width, width);
            }
        }
        return new ImageRecord(in.origin(), Tensor.of(new int[] {c, height, width}, out), in.label());
    }

    @Override
    public void writeParams(DataWriter out) {
        out.i64(seed).u32(height).u32(width);
    }

    static RandomCrop read(DataReader in) {
        return new RandomCrop(in.i64(), in.u32(), in.u32());
    }

    static RandomCrop fromJson(JsonFields f) {
        return new RandomCrop(f.int64("seed"), f.integer("height", 1, 1 << 16), f.integer("width", 1, 1 << 16));
    }

    @Override
    public Map<String, Object> jsonParams() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("seed", seed);
        params.put("height", height);
        params.put("width", width);
        return params;
    }
}
