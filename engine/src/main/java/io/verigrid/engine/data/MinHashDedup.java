package io.verigrid.engine.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Near-duplicate removal with MinHash and LSH. Signatures of {@code hashes} values (see {@link MinHash}) are cut
 * into {@code bands} bands of {@code hashes / bands} rows. Records are visited in list order; record r is dropped
 * iff some earlier <em>kept</em> record s
 * (a) has all rows of at least one band equal to r's, and
 * (b) agrees with r on {@code matches} positions with {@code matches · 1 000 000 ≥ thresholdPpm · hashes}.
 * Everything is integer arithmetic; (a) is an exact comparison, the band hash only finds candidates. A global step.
 */
public record MinHashDedup(int shingle, int hashes, int bands, long seed, int thresholdPpm) implements SelectStep {
    public static final String NAME = "dedup_minhash";

    public MinHashDedup {
        if (shingle < 1 || shingle > 64) {
            throw new IllegalArgumentException("shingle: must be in 1..64, got " + shingle);
        }
        if (hashes < 1 || hashes > 1024) {
            throw new IllegalArgumentException("hashes: must be in 1..1024, got " + hashes);
        }
        if (bands < 1 || hashes % bands != 0) {
            throw new IllegalArgumentException("bands: must divide hashes (" + hashes + "), got " + bands);
        }
        if (thresholdPpm < 0 || thresholdPpm > 1_000_000) {
            throw new IllegalArgumentException("threshold_ppm: must be in 0..1000000, got " + thresholdPpm);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public RecordType inputType() {
        return RecordType.TEXT;
    }

    @Override
    public boolean readsRecords() {
        return true;
    }

    public int rows() {
        return hashes / bands;
    }

    public MinHash minHash() {
        return new MinHash(shingle, hashes, seed);
    }

    @Override
    public int[] select(List<DataRecord> records) {
        MinHash minHash = minHash();
        List<long[]> keptSignatures = new ArrayList<>();
        List<Map<Long, List<Integer>>> buckets = new ArrayList<>();
        for (int b = 0; b < bands; b++) {
            buckets.add(new HashMap<>());
        }
        int[] kept = new int[records.size()];
        int count = 0;
        for (int i = 0; i < records.size(); i++) {
            long[] signature = minHash.signature(((TextRecord) records.get(i)).text());
            if (!hasNearDuplicate(signature, keptSignatures, buckets)) {
                int id = keptSignatures.size();
                keptSignatures.add(signature);
                for (int b = 0; b < bands; b++) {
                    buckets.get(b).computeIfAbsent(bandHash(signature, b), key -> new ArrayList<>()).add(id);
                }
                kept[count++] = i;
            }
        }
        return Arrays.copyOf(kept, count);
    }

    private boolean hasNearDuplicate(long[] signature, List<long[]> kept, List<Map<Long, List<Integer>>> buckets) {
        for (int b = 0; b < bands; b++) {
            for (int candidate : buckets.get(b).getOrDefault(bandHash(signature, b), List.of())) {
                if (nearDuplicate(signature, kept.get(candidate))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Rule (a) and (b) above for two signatures: true when either would drop the later one. */
    public boolean nearDuplicate(long[] later, long[] earlier) {
        return sharesBand(later, earlier)
                && (long) MinHash.matches(later, earlier) * 1_000_000L >= (long) thresholdPpm * hashes;
    }

    boolean sharesBand(long[] a, long[] b) {
        int rows = rows();
        for (int band = 0; band < bands; band++) {
            if (Arrays.equals(a, band * rows, (band + 1) * rows, b, band * rows, (band + 1) * rows)) {
                return true;
            }
        }
        return false;
    }

    private long bandHash(long[] signature, int band) {
        long h = KeyedRng.mix(band + 1L);
        for (int r = band * rows(); r < (band + 1) * rows(); r++) {
            h = KeyedRng.mix(h ^ signature[r]);
        }
        return h;
    }

    @Override
    public void writeParams(DataWriter out) {
        out.u32(shingle).u32(hashes).u32(bands).i64(seed).u32(thresholdPpm);
    }

    static MinHashDedup read(DataReader in) {
        return new MinHashDedup(in.u32(), in.u32(), in.u32(), in.i64(), in.u32());
    }

    static MinHashDedup fromJson(JsonFields f) {
        return new MinHashDedup(f.integer("shingle", 1, 64), f.integer("hashes", 1, 1024),
                f.integer("bands", 1, 1024), f.int64("seed"), f.integer("threshold_ppm", 0, 1_000_000));
    }

    @Override
    public Map<String, Object> jsonParams() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("shingle", shingle);
        params.put("hashes", hashes);
        params.put("bands", bands);
        params.put("seed", seed);
        params.put("threshold_ppm", thresholdPpm);
        return params;
    }
}
