package io.verigrid.engine.data;

import io.verigrid.engine.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Seeded synthetic data for pipeline tests, drills and demos: made-up words from a syllable table (no real text), with planted exact
 * duplicates (a copy of an earlier document under different spacing and ASCII case, equal after normalisation),
 * near duplicates (an earlier document with one word replaced), and junk (too short, mostly symbols, repeated lines).
 */
public final class SyntheticCorpus {
    private static final String[] SYLLABLES = {
        "ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "pa", "qui", "dor", "fen", "gal", "hux", "jor",
        "bel", "cra", "e\u0301", "ny", "wa", "xo", "yel", "tho"};

    /** The texts and which of their indices were planted as exact duplicates, near duplicates and junk. */
    public record Corpus(List<String> texts, Set<Integer> exactDuplicates, Set<Integer> nearDuplicates, Set<Integer> junk) {
    }

    private SyntheticCorpus() {
    }

    public static Corpus texts(long seed, int count) {
        List<String> texts = new ArrayList<>();
        Set<Integer> exact = new TreeSet<>();
        Set<Integer> near = new TreeSet<>();
        Set<Integer> junk = new TreeSet<>();
        Set<Integer> originals = new TreeSet<>();
        for (int i = 0; i < count; i++) {
            int kind = KeyedRng.below(seed, 100, i, 0, 10);
            if (kind == 0 && !originals.isEmpty()) {
                int source = pick(seed, i, originals);
                texts.add(respace(texts.get(source), seed, i));
                exact.add(i);
            } else if (kind == 1 && !originals.isEmpty()) {
                int source = pick(seed, i, originals);
                texts.add(replaceOneWord(texts.get(source), seed, i));
                near.add(i);
            } else if (kind == 2) {
                texts.add(junk(seed, i));
                junk.add(i);
            } else {
                texts.add(document(seed, i));
                originals.add(i);
            }
        }
        return new Corpus(texts, exact, near, junk);
    }

    static String document(long seed, int index) {
        int lines = 2 + KeyedRng.below(seed, 101, index, 0, 4);
        StringBuilder out = new StringBuilder();
        int counter = 1;
        for (int line = 0; line < lines; line++) {
            if (line > 0) {
                out.append('\n');
            }
            int words = 8 + KeyedRng.below(seed, 102, index, line, 10);
            for (int w = 0; w < words; w++) {
                if (w > 0) {
                    out.append(' ');
                }
                out.append(word(seed, index, counter++));
            }
            out.append('.');
        }
        return out.toString();
    }

    static String word(long seed, int index, int position) {
        int syllables = 1 + KeyedRng.below(seed, 103, index, position, 3);
        StringBuilder word = new StringBuilder();
        for (int s = 0; s < syllables; s++) {
            word.append(SYLLABLES[KeyedRng.below(seed, 104, index, position * 8L + s, SYLLABLES.length)]);
        }
        return word.toString();
    }

    private static int pick(long seed, int index, Set<Integer> originals) {
        List<Integer> list = new ArrayList<>(originals);
        return list.get(KeyedRng.below(seed, 105, index, 0, list.size()));
    }

    /** The same document with doubled spaces, a tab, CRLF line ends and one capitalised word. */
    private static String respace(String text, long seed, int index) {
        String spaced = text.replace(" ", "  ").replace("\n", " \r\n\t");
        int at = KeyedRng.below(seed, 106, index, 0, spaced.length());
        // An ASCII letter not followed by a combining mark, so that ASCII lower-casing undoes the change.
        while (at < spaced.length() && !(spaced.charAt(at) >= 'a' && spaced.charAt(at) <= 'z'
                && (at + 1 == spaced.length() || spaced.charAt(at + 1) != '\u0301'))) {
            at++;
        }
        if (at == spaced.length()) {
            return "  " + spaced;
        }
        return "  " + spaced.substring(0, at) + Character.toUpperCase(spaced.charAt(at)) + spaced.substring(at + 1);
    }

    private static String replaceOneWord(String text, long seed, int index) {
        String[] words = text.split(" ");
        int at = KeyedRng.below(seed, 107, index, 0, words.length);
        words[at] = "zzqx" + index;
        return String.join(" ", words);
    }

    private static String junk(long seed, int index) {
        return switch (KeyedRng.below(seed, 108, index, 0, 3)) {
            case 0 -> "ka";
            case 1 -> "#$%& *** !!! ??? ### ... " + index + " @@@ +++ === ~~~ ^^^";
            default -> {
                String line = word(seed, index, 1) + " " + word(seed, index, 2) + " " + word(seed, index, 3);
                yield String.join("\n", line, line, line, line, word(seed, index, 4) + " lo mi");
            }
        };
    }

    /** {@code count} random images C×H×W with one-hot labels over {@code classes}. */
    public static List<DataRecord> images(long seed, int count, int channels, int height, int width, int classes) {
        List<DataRecord> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            float[] pixels = new float[channels * height * width];
            for (int e = 0; e < pixels.length; e++) {
                pixels[e] = KeyedRng.below(seed, 110, i, e, 256) / 255f;
            }
            float[] label = new float[classes];
            label[KeyedRng.below(seed, 111, i, 0, classes)] = 1f;
            records.add(new ImageRecord(i, Tensor.of(new int[] {channels, height, width}, pixels),
                    Tensor.of(new int[] {classes}, label)));
        }
        return records;
    }
}
