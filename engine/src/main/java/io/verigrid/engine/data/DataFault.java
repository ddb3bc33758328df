package io.verigrid.engine.data;

import io.verigrid.engine.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The fault switch of a cheating provider in drills: right after step {@code step} (1-based), the record with
 * {@code origin} is altered (text gains a trailing "!", the first token id or image element has its low bit
 * flipped) or dropped from the list. Later steps consume the faulty result, as a real cheat's would.
 */
public record DataFault(int step, int origin, Action action) {
    public enum Action { ALTER, DROP }

    public DataFault {
        if (step < 1) {
            throw new IllegalArgumentException("step must be >= 1, got " + step);
        }
        if (origin < 0) {
            throw new IllegalArgumentException("origin must be >= 0, got " + origin);
        }
        if (action == null) {
            throw new IllegalArgumentException("action: null");
        }
    }

    /** {@code records} after step {@code currentStep}, with the fault applied when it targets that step. */
    List<DataRecord> apply(int currentStep, List<DataRecord> records) {
        if (currentStep != step) {
            return records;
        }
        List<DataRecord> out = new ArrayList<>(records.size());
        for (DataRecord record : records) {
            if (record.origin() != origin) {
                out.add(record);
            } else if (action == Action.ALTER) {
                out.add(alter(record));
            }
        }
        return out;
    }

    boolean drops(int currentStep) {
        return currentStep == step && action == Action.DROP;
    }

    static DataRecord alter(DataRecord record) {
        if (record instanceof TextRecord text) {
            return new TextRecord(text.origin(), text.text() + "!");
        }
        if (record instanceof TokenRecord tokens) {
            int[] ids = tokens.ids();
            if (ids.length > 0) {
                ids[0] ^= 1;
            }
            return new TokenRecord(tokens.origin(), ids);
        }
        ImageRecord image = (ImageRecord) record;
        float[] data = image.image().data().clone();
        data[0] = Float.intBitsToFloat(Float.floatToRawIntBits(data[0]) ^ 1);
        return new ImageRecord(image.origin(), Tensor.of(image.image().shape(), data), image.label());
    }
}
