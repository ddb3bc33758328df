package io.verigrid.engine;

import java.util.List;

/**
 * A training corpus Verigrid generates itself: short sentences from a small seeded probabilistic grammar
 * mixed with one-digit sums ("3+4=7."), as character ids over {@link #ALPHABET}. Every choice comes from
 * the counter RNG, so (seed, length) fixes the text everywhere.
 */
public final class CharCorpus {
    /** Token id = index in this string. */
    public static final String ALPHABET = " .,+=0123456789abcdefghijklmnopqrstuvwxyz";

    private static final List<String> DETERMINERS = List.of("the", "a", "every", "one");
    private static final List<String> ADJECTIVES = List.of("small", "red", "quiet", "old", "bright", "lazy");
    private static final List<String> NOUNS = List.of("cat", "dog", "bird", "robot", "farmer", "river", "tree");
    private static final List<String> VERBS = List.of("sees", "likes", "follows", "finds", "helps");
    private static final List<String> ADVERBS = List.of("slowly", "today", "again", "quickly");

    private final long seed;
    private long counter;

    private CharCorpus(long seed) {
        this.seed = seed;
    }

    /** The first {@code length} characters of the corpus of {@code seed}, as token ids. */
    public static int[] tokens(long seed, int length) {
        if (length < 1) {
            throw new IllegalArgumentException("length must be >= 1, got " + length);
        }
        CharCorpus corpus = new CharCorpus(seed);
        StringBuilder text = new StringBuilder();
        while (text.length() < length) {
            text.append(corpus.choose(4) == 0 ? corpus.sum() : corpus.sentence()).append(' ');
        }
        int[] ids = new int[length];
        for (int i = 0; i < length; i++) {
            ids[i] = ALPHABET.indexOf(text.charAt(i));
        }
        return ids;
    }

    /** The text of token ids. */
    public static String text(int[] ids) {
        StringBuilder out = new StringBuilder();
        for (int id : ids) {
            out.append(ALPHABET.charAt(id));
        }
        return out.toString();
    }

    private int choose(int bound) {
        return CounterRng.below(seed, 1, counter++, bound);
    }

    private String pick(List<String> words) {
        return words.get(choose(words.size()));
    }

    private String nounPhrase() {
        return pick(DETERMINERS) + (choose(2) == 0 ? " " + pick(ADJECTIVES) : "") + " " + pick(NOUNS);
    }

    private String sentence() {
        String subject = nounPhrase();
        String predicate = switch (choose(3)) {
            case 0 -> pick(VERBS) + " " + nounPhrase();
            case 1 -> pick(VERBS) + " " + nounPhrase() + " " + pick(ADVERBS);
            default -> "is " + pick(ADJECTIVES);
        };
        return subject + " " + predicate + (choose(3) == 0 ? ", and " + nounPhrase() + " is " + pick(ADJECTIVES) : "")
                + ".";
    }

    private String sum() {
        int a = choose(10);
        int b = choose(10);
        return a + "+" + b + "=" + (a + b) + ".";
    }
}
