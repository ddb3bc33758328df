package io.verigrid.engine.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TextStepsTest {
    private static final Normalize ALL = new Normalize(true, true, true);

    private static List<DataRecord> records(List<String> texts) {
        return InputDataset.texts(texts).records();
    }

    @Test
    void nfcComposesLatinAndLeavesOtherScriptsAsTheyAre() {
        assertEquals("caf\u00e9", new Normalize(true, false, false).normalize("cafe\u0301"));
        // Hangul jamo would compose under NFC, but lie outside the ranges every JDK's tables agree on.
        assertEquals("\u1100\u1161", new Normalize(true, false, false).normalize("\u1100\u1161"));
        assertEquals("cafe\u0301", new Normalize(false, false, false).normalize("cafe\u0301"));
    }

    @Test
    void nfcOverTheStableRangesIsPinned() throws Exception {
        // Every stable code point with combining marks after it, and random strings over the ranges. The digest
        // is the same on JDK 17 (Unicode 13) and JDK 25 (Unicode 16), compiled and under -Xint.
        java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
        Normalize nfc = new Normalize(true, false, false);
        for (int cp = 0; cp <= 0x036F; cp++) {
            digest.update(nfc.normalize(new String(Character.toChars(cp)) + "a\u0301").getBytes(StandardCharsets.UTF_8));
        }
        for (int cp = 0x1E00; cp <= 0x1EFF; cp++) {
            digest.update(nfc.normalize(new String(Character.toChars(cp)) + "\u0323\u0302").getBytes(StandardCharsets.UTF_8));
        }
        for (int i = 0; i < 20000; i++) {
            StringBuilder text = new StringBuilder();
            for (int k = 0; k < 6; k++) {
                long bits = KeyedRng.bits(1, 9, i, k);
                text.appendCodePoint((bits & 1) == 0 ? (int) ((bits >>> 1) % 0x370) : 0x1E00 + (int) ((bits >>> 1) % 0x100));
            }
            digest.update(nfc.normalize(text.toString()).getBytes(StandardCharsets.UTF_8));
        }
        assertEquals("e919b7ce0347a57dc84e813a6e6dd1914a59d2a17a8a39ab782cd94f805416f1", Sha256.hex(digest.digest()));
    }

    @Test
    void whitespaceCollapsesWithinLinesAndLineBreaksAreUnified() {
        Normalize collapse = new Normalize(false, true, false);
        assertEquals("a b\nc d", collapse.normalize("  a \t\u00a0 b  \r\n\r\n \u2028 c\u3000d \n"));
        assertEquals("", collapse.normalize(" \n\t "));
    }

    @Test
    void lowercaseFoldsAsciiOnly() {
        assertEquals("abc \u00c9\u0130", new Normalize(false, false, true).normalize("AbC \u00c9\u0130"));
    }

    @Test
    void plantedExactDuplicatesAreEqualAfterNormalisationAndRemoved() {
        SyntheticCorpus.Corpus corpus = SyntheticCorpus.texts(PipelineFixtures.SEED, 200);
        List<DataRecord> normalised = Pipeline.applyStep(ALL, records(corpus.texts()), Resources.none());
        Set<Integer> kept = new HashSet<>();
        for (int position : new ExactDedup().select(normalised)) {
            kept.add(normalised.get(position).origin());
        }
        assertFalse(corpus.exactDuplicates().isEmpty());
        for (int duplicate : corpus.exactDuplicates()) {
            assertFalse(kept.contains(duplicate), "planted duplicate " + duplicate + " survived");
        }
        // First occurrence kept: every original document survives.
        for (int i = 0; i < corpus.texts().size(); i++) {
            if (!corpus.exactDuplicates().contains(i) && !corpus.junk().contains(i)) {
                assertTrue(kept.contains(i), "document " + i + " was dropped");
            }
        }
    }

    @Test
    void minHashEstimateStaysWithinItsErrorBoundOfTheExactJaccard() {
        MinHash minHash = new MinHash(5, 256, 11L);
        SyntheticCorpus.Corpus corpus = SyntheticCorpus.texts(PipelineFixtures.SEED, 120);
        int pairs = 0;
        for (int i = 1; i < corpus.texts().size(); i++) {
            String a = corpus.texts().get(i - 1);
            String b = corpus.texts().get(i);
            long[] exact = MinHash.jaccard(minHash.shingles(a), minHash.shingles(b));
            double jaccard = (double) exact[0] / exact[1];
            double estimate = MinHash.matches(minHash.signature(a), minHash.signature(b)) / 256.0;
            // One estimate's standard deviation is sqrt(J(1-J)/256) <= 1/32; 0.16 is five of them.
            assertTrue(Math.abs(estimate - jaccard) <= 0.16, "pair " + i + ": estimate " + estimate + " vs " + jaccard);
            pairs++;
        }
        assertEquals(119, pairs);
    }

    @Test
    void bandsCatchPairsAtTheRateLshPromises() {
        // Sets with Jaccard exactly 0.5 and 0.7; with 8 bands of 4 rows a pair shares a band with probability
        // 1 - (1 - J^4)^8: 0.403 and 0.889. 400 pairs each, tolerance four standard deviations.
        MinHashDedup dedup = new MinHashDedup(5, 32, 8, 3L, 0);
        MinHash minHash = dedup.minHash();
        int[][] shapes = {{100, 50}, {140, 30}};
        double[] expected = {1 - Math.pow(1 - Math.pow(0.5, 4), 8), 1 - Math.pow(1 - Math.pow(0.7, 4), 8)};
        for (int s = 0; s < shapes.length; s++) {
            int shared = 0;
            for (int pair = 0; pair < 400; pair++) {
                long[] a = new long[shapes[s][0] + shapes[s][1]];
                long[] b = new long[shapes[s][0] + shapes[s][1]];
                for (int i = 0; i < a.length; i++) {
                    a[i] = KeyedRng.bits(s, 120, pair, i);
                    b[i] = i < shapes[s][0] ? a[i] : KeyedRng.bits(s, 121, pair, i);
                }
                shared += dedup.sharesBand(minHash.signature(a), minHash.signature(b)) ? 1 : 0;
            }
            double rate = shared / 400.0;
            double sigma = Math.sqrt(expected[s] * (1 - expected[s]) / 400);
            assertTrue(Math.abs(rate - expected[s]) <= 4 * sigma, "J case " + s + ": rate " + rate + " vs " + expected[s]);
        }
    }

    @Test
    void minHashDedupDropsPlantedNearDuplicatesAndKeepsDistinctDocuments() {
        SyntheticCorpus.Corpus corpus = SyntheticCorpus.texts(PipelineFixtures.SEED, 200);
        MinHashDedup dedup = new MinHashDedup(5, 128, 32, 11L, 700_000);
        MinHash minHash = dedup.minHash();
        List<DataRecord> normalised = Pipeline.applyStep(ALL, records(corpus.texts()), Resources.none());
        Set<Integer> kept = new HashSet<>();
        for (int position : dedup.select(normalised)) {
            kept.add(normalised.get(position).origin());
        }
        for (int near : corpus.nearDuplicates()) {
            assertFalse(kept.contains(near), "planted near duplicate " + near + " survived");
        }
        // LSH guarantee: a pair with Jaccard >= 0.9 shares a band of 4 rows except with probability
        // (1 - 0.9^4)^32 < 1e-15, and documents built independently share almost no 5-shingles.
        List<Integer> originals = new ArrayList<>();
        for (int i = 0; i < corpus.texts().size(); i++) {
            if (!corpus.exactDuplicates().contains(i) && !corpus.nearDuplicates().contains(i) && !corpus.junk().contains(i)) {
                originals.add(i);
            }
        }
        for (int original : originals) {
            assertTrue(kept.contains(original), "distinct document " + original + " was dropped");
        }
        for (int near : corpus.nearDuplicates()) {
            String text = ((TextRecord) normalised.get(near)).text();
            boolean hasSimilarEarlier = false;
            for (int j = 0; j < near; j++) {
                long[] exact = MinHash.jaccard(minHash.shingles(text), minHash.shingles(((TextRecord) normalised.get(j)).text()));
                hasSimilarEarlier |= exact[0] * 10 >= exact[1] * 7;
            }
            assertTrue(hasSimilarEarlier, "near duplicate " + near + " has an earlier document with Jaccard >= 0.7");
        }
    }

    @Test
    void nearDuplicateRuleNeedsASharedBandAndTheThreshold() {
        MinHashDedup dedup = new MinHashDedup(3, 8, 2, 1L, 500_000);
        long[] a = {1, 2, 3, 4, 5, 6, 7, 8};
        assertTrue(dedup.nearDuplicate(a, new long[] {1, 2, 3, 4, 0, 0, 0, 0}));
        assertFalse(dedup.nearDuplicate(a, new long[] {1, 2, 3, 0, 5, 6, 7, 0}), "6 of 8 agree but no band matches");
        assertFalse(new MinHashDedup(3, 8, 2, 1L, 600_000).nearDuplicate(a, new long[] {1, 2, 3, 4, 0, 0, 0, 0}));
    }

    @Test
    void qualityFilterAppliesEachRule() {
        QualityFilter filter = new QualityFilter(5, 40, 600_000, 250_000);
        assertTrue(filter.keeps("kalo mire sati.\nvo ze pa."));
        assertFalse(filter.keeps("ka"), "too short");
        assertFalse(filter.keeps("x".repeat(41)), "too long");
        assertFalse(filter.keeps("ab !!! ### $$$"), "mostly symbols");
        assertTrue(filter.keeps("\u00e9\u00e9 \u4e00\u4e8c !"), "non-ASCII counts as alphanumeric");
        assertFalse(filter.keeps("kalo mi\nkalo mi\nkalo mi\nze"), "half the lines repeat");
        assertFalse(new QualityFilter(0, 10, 1, 1_000_000).keeps("   "), "blank text has ratio 0");
    }

    @Test
    void shuffleIsASeededPermutation() {
        int[] order = Shuffle.permutation(42L, Shuffle.STREAM, 1000);
        int[] sorted = order.clone();
        java.util.Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            assertEquals(i, sorted[i]);
        }
        assertArrayEquals(order, Shuffle.permutation(42L, Shuffle.STREAM, 1000));
        assertFalse(java.util.Arrays.equals(order, Shuffle.permutation(43L, Shuffle.STREAM, 1000)));
        assertArrayEquals(new int[] {0}, Shuffle.permutation(42L, Shuffle.STREAM, 1));
        assertEquals(0, Shuffle.permutation(42L, Shuffle.STREAM, 0).length);
    }

    @Test
    void keyedGeneratorAndShuffleArePinned() {
        // Golden values: any change to the generator is a protocol change.
        assertEquals(0x16c828db35ac784cL, KeyedRng.bits(1, 2, 3, 4));
        assertEquals(0xbd6591e4bf9c5fccL, KeyedRng.bits(0, 0, 0, 0));
        assertArrayEquals(new int[] {8, 4, 3, 1, 0, 7, 6, 2, 5, 9}, Shuffle.permutation(42L, Shuffle.STREAM, 10));
    }
}
