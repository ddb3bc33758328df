package io.verigrid.engine.data;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Seeded Fisher–Yates shuffle: for i = n−1 down to 1, swap positions i and
 * {@code j = KeyedRng.below(seed, STREAM, 0, i, i + 1)}. The permutation is a function of (seed, n) alone, so a
 * plan needs no record values for it and a referee recomputes it from the count.
 */
public record Shuffle(long seed) implements SelectStep {
    public static final String NAME = "shuffle";
    static final long STREAM = 1;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public RecordType inputType() {
        return null;
    }

    @Override
    public boolean readsRecords() {
        return false;
    }

    @Override
    public int[] select(List<DataRecord> records) {
        return order(records.size());
    }

    /** This shuffle's order over n records: output position p takes input position {@code order(n)[p]}. */
    public int[] order(int n) {
        return permutation(seed, STREAM, n);
    }

    /** Output position p takes input position {@code permutation[p]}. */
    public static int[] permutation(long seed, long stream, int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = KeyedRng.below(seed, stream, 0, i, i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }

    @Override
    public void writeParams(DataWriter out) {
        out.i64(seed);
    }

    static Shuffle read(DataReader in) {
        return new Shuffle(in.i64());
    }

    static Shuffle fromJson(JsonFields f) {
        return new Shuffle(f.int64("seed"));
    }

    @Override
    public Map<String, Object> jsonParams() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("seed", seed);
        return params;
    }
}
