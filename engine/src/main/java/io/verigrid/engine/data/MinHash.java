package io.verigrid.engine.data;

import java.util.Arrays;

/**
 * MinHash signatures over character shingles, in integer arithmetic only.
 * <ul>
 *   <li>Shingles: every run of {@code k} consecutive code points, hashed with 64-bit FNV-1a over the code point
 *       values; a text shorter than {@code k} is one shingle (the whole text). The shingle set is the sorted,
 *       de-duplicated array of those hashes.</li>
 *   <li>Hash function i: {@code x ↦ mix64(x ^ key_i)}, {@code key_i = KeyedRng.bits(seed, STREAM, 0, i)};
 *       signature[i] is the unsigned minimum over the shingle set.</li>
 *   <li>The estimated Jaccard similarity of two texts is {@code matches / hashes}, matches = positions where the
 *       signatures agree.</li>
 * </ul>
 */
public final class MinHash {
    static final long STREAM = 2;
    private static final long FNV_OFFSET = 0xCBF29CE484222325L;
    private static final long FNV_PRIME = 0x100000001B3L;

    private final int shingle;
    private final long[] keys;

    public MinHash(int shingle, int hashes, long seed) {
        if (shingle < 1) {
            throw new IllegalArgumentException("shingle must be >= 1, got " + shingle);
        }
        if (hashes < 1) {
            throw new IllegalArgumentException("hashes must be >= 1, got " + hashes);
        }
        this.shingle = shingle;
        this.keys = new long[hashes];
        for (int i = 0; i < hashes; i++) {
            keys[i] = KeyedRng.bits(seed, STREAM, 0, i);
        }
    }

    /** The sorted, distinct shingle hashes of {@code text}. */
    public long[] shingles(String text) {
        int[] cps = text.codePoints().toArray();
        int count = Math.max(1, cps.length - shingle + 1);
        long[] hashes = new long[count];
        for (int start = 0; start < count; start++) {
            long h = FNV_OFFSET;
            for (int i = start; i < Math.min(cps.length, start + shingle); i++) {
                h = (h ^ cps[i]) * FNV_PRIME;
            }
            hashes[start] = h;
        }
        Arrays.sort(hashes);
        int distinct = 0;
        for (int i = 0; i < hashes.length; i++) {
            if (i == 0 || hashes[i] != hashes[i - 1]) {
                hashes[distinct++] = hashes[i];
            }
        }
        return Arrays.copyOf(hashes, distinct);
    }

    public long[] signature(String text) {
        return signature(shingles(text));
    }

    /** The signature of a shingle-hash set (any order; duplicates do not matter). */
    public long[] signature(long[] set) {
        long[] signature = new long[keys.length];
        for (int i = 0; i < keys.length; i++) {
            long min = -1L;
            for (long x : set) {
                long h = KeyedRng.mix(x ^ keys[i]);
                if (Long.compareUnsigned(h, min) < 0) {
                    min = h;
                }
            }
            signature[i] = min;
        }
        return signature;
    }

    /** The number of positions where two signatures agree. */
    public static int matches(long[] a, long[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("signatures differ in length: " + a.length + " vs " + b.length);
        }
        int matches = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] == b[i]) {
                matches++;
            }
        }
        return matches;
    }

    /** Exact Jaccard similarity of two sorted distinct shingle sets, as (intersection, union). */
    public static long[] jaccard(long[] a, long[] b) {
        int i = 0;
        int j = 0;
        long common = 0;
        while (i < a.length && j < b.length) {
            if (a[i] == b[j]) {
                common++;
                i++;
                j++;
            } else if (a[i] < b[j]) {
                i++;
            } else {
                j++;
            }
        }
        return new long[] {common, a.length + b.length - common};
    }
}
