package io.verigrid.engine.generate;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A byte-level BPE vocabulary learned by seeded code: a made-up corpus of syllable words (plus the words a
 * chat template uses) and the classic trainer — merge the most frequent adjacent pair, ties to the smallest
 * pair. The same seed writes the same vocabulary.
 */
final class TinyBpe {
    /** GPT-2's byte ↔ printable character mapping: the 256 base tokens. */
    static final char[] BYTE_CHARS = byteChars();

    /** The learned vocabulary (token → id, base bytes first) and merges in order. */
    record Trained(Map<String, Integer> vocab, List<String[]> merges) {
    }

    private TinyBpe() {
    }

    static Trained train(long seed, int mergeCount) {
        Map<List<String>, Integer> words = new HashMap<>();
        for (String word : corpus(seed)) {
            List<String> symbols = new ArrayList<>();
            for (byte b : word.getBytes(StandardCharsets.UTF_8)) {
                symbols.add(String.valueOf(BYTE_CHARS[b & 0xFF]));
            }
            words.merge(symbols, 1, Integer::sum);
        }
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int b = 0; b < 256; b++) {
            vocab.put(String.valueOf(BYTE_CHARS[b]), b);
        }
        List<String[]> merges = new ArrayList<>();
        for (int m = 0; m < mergeCount; m++) {
            Map<List<String>, Integer> pairs = new HashMap<>();
            words.forEach((symbols, count) -> {
                for (int i = 0; i + 1 < symbols.size(); i++) {
                    pairs.merge(List.of(symbols.get(i), symbols.get(i + 1)), count, Integer::sum);
                }
            });
            List<String> best = null;
            for (Map.Entry<List<String>, Integer> entry : pairs.entrySet()) {
                if (best == null || entry.getValue() > pairs.get(best)
                        || (entry.getValue().equals(pairs.get(best)) && comparePairs(entry.getKey(), best) < 0)) {
                    best = entry.getKey();
                }
            }
            if (best == null) {
                break;
            }
            String merged = best.get(0) + best.get(1);
            merges.add(new String[] {best.get(0), best.get(1)});
            vocab.putIfAbsent(merged, vocab.size());
            Map<List<String>, Integer> rewritten = new HashMap<>();
            for (Map.Entry<List<String>, Integer> entry : words.entrySet()) {
                rewritten.merge(applyMerge(entry.getKey(), best, merged), entry.getValue(), Integer::sum);
            }
            words = rewritten;
        }
        return new Trained(vocab, merges);
    }

    private static int comparePairs(List<String> a, List<String> b) {
        int first = a.get(0).compareTo(b.get(0));
        return first != 0 ? first : a.get(1).compareTo(b.get(1));
    }

    private static List<String> applyMerge(List<String> symbols, List<String> pair, String merged) {
        List<String> out = new ArrayList<>(symbols.size());
        for (int i = 0; i < symbols.size(); i++) {
            if (i + 1 < symbols.size() && symbols.get(i).equals(pair.get(0)) && symbols.get(i + 1).equals(pair.get(1))) {
                out.add(merged);
                i++;
            } else {
                out.add(symbols.get(i));
            }
        }
        return out;
    }

    /** Pre-tokenized words as the GPT-2 split gives them: a leading space joins the word after it. */
    private static List<String> corpus(long seed) {
        String consonants = "bcdfghjklmnprstvwz";
        String vowels = "aeiou";
        List<String> lexicon = new ArrayList<>(List.of("system", "user", "assistant", "the", "hello", "verigrid",
                "model", "token", "hash", "tool"));
        int draw = 0;
        for (int w = 0; w < 120; w++) {
            StringBuilder word = new StringBuilder();
            int syllables = 1 + (int) (bitsBelow(seed, draw++, 3));
            for (int s = 0; s < syllables; s++) {
                word.append(consonants.charAt((int) bitsBelow(seed, draw++, consonants.length())));
                word.append(vowels.charAt((int) bitsBelow(seed, draw++, vowels.length())));
            }
            lexicon.add(word.toString());
        }
        List<String> words = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            // Zipf-like: low ranks much more often, so merges build whole words.
            int rank = (int) bitsBelow(seed, draw++, 1 + (int) bitsBelow(seed, draw++, lexicon.size()));
            words.add((bitsBelow(seed, draw++, 5) == 0 ? "" : " ") + lexicon.get(rank));
        }
        return words;
    }

    private static long bitsBelow(long seed, int draw, int bound) {
        return ((SamplingRng.bits(seed, -1, draw) >>> 33) * bound) >>> 31;
    }

    private static char[] byteChars() {
        char[] chars = new char[256];
        int shifted = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
            chars[b] = printable ? (char) b : (char) (0x100 + shifted++);
        }
        return chars;
    }
}
