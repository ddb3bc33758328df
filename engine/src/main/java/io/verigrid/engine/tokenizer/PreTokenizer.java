package io.verigrid.engine.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits text into the words BPE runs on, as a chain of stages applied to every piece in turn: regex splits
 * (each match and each gap between matches becomes a piece, Hugging Face's "Isolated" behaviour) and the
 * byte-level prefix space. Patterns are compiled with Unicode character classes, so {@code \s} is Unicode
 * White_Space as in the Oniguruma engine Hugging Face uses, and {@code (?i:…)} folds case by Unicode rules.
 */
final class PreTokenizer {
    /** The GPT-2 split, which the ByteLevel pre-tokenizer applies when {@code use_regex} is true. */
    static final String GPT2_PATTERN =
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    /** One step of the chain: a regex split, or prefixing a space to pieces that lack one. */
    sealed interface Stage permits Split, PrefixSpace {
    }

    record Split(Pattern pattern) implements Stage {
    }

    record PrefixSpace() implements Stage {
    }

    private final List<Stage> stages;

    PreTokenizer(List<Stage> stages) {
        this.stages = List.copyOf(stages);
    }

    static Pattern compile(String regex) {
        return Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
    }

    /** The words of {@code text}, in order; empty pieces are dropped. */
    List<String> split(String text) {
        List<String> pieces = new ArrayList<>(List.of(text));
        for (Stage stage : stages) {
            List<String> next = new ArrayList<>();
            for (String piece : pieces) {
                if (piece.isEmpty()) {
                    continue;
                }
                if (stage instanceof Split split) {
                    splitIsolated(piece, split.pattern(), next);
                } else {
                    next.add(piece.startsWith(" ") ? piece : " " + piece);
                }
            }
            pieces = next;
        }
        pieces.removeIf(String::isEmpty);
        return pieces;
    }

    private static void splitIsolated(String piece, Pattern pattern, List<String> out) {
        Matcher matcher = pattern.matcher(piece);
        int done = 0;
        while (matcher.find()) {
            if (matcher.end() == matcher.start()) {
                continue; // an empty match splits nothing
            }
            if (matcher.start() > done) {
                out.add(piece.substring(done, matcher.start()));
            }
            out.add(matcher.group());
            done = matcher.end();
        }
        if (done < piece.length()) {
            out.add(piece.substring(done));
        }
    }
}
