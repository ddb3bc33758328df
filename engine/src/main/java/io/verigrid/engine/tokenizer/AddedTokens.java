package io.verigrid.engine.tokenizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The tokenizer's added tokens (special tokens such as {@code <|endoftext|>}). They are cut out of the text
 * before pre-tokenization by exact match, the longest one winning where several start at the same place,
 * and map straight to their ids.
 */
final class AddedTokens {
    /** A stretch of input: either plain text ({@code id < 0}) or one added token. */
    record Segment(String text, int id) {
    }

    private final Map<String, Integer> ids;
    /** Contents by first character, longest first, so the first hit is the longest match. */
    private final Map<Character, List<String>> byFirstChar = new HashMap<>();

    AddedTokens(Map<String, Integer> ids) {
        this.ids = Map.copyOf(ids);
        for (String content : ids.keySet()) {
            byFirstChar.computeIfAbsent(content.charAt(0), c -> new ArrayList<>()).add(content);
        }
        byFirstChar.values().forEach(list -> list.sort(Comparator.comparingInt(String::length).reversed()));
    }

    Map<String, Integer> ids() {
        return ids;
    }

    /** {@code text} cut into plain stretches and added tokens, in order. */
    List<Segment> split(String text) {
        List<Segment> segments = new ArrayList<>();
        int plainStart = 0;
        int i = 0;
        while (i < text.length()) {
            String match = longestMatchAt(text, i);
            if (match == null) {
                i++;
                continue;
            }
            if (i > plainStart) {
                segments.add(new Segment(text.substring(plainStart, i), -1));
            }
            segments.add(new Segment(match, ids.get(match)));
            i += match.length();
            plainStart = i;
        }
        if (plainStart < text.length()) {
            segments.add(new Segment(text.substring(plainStart), -1));
        }
        return segments;
    }

    private String longestMatchAt(String text, int at) {
        List<String> candidates = byFirstChar.get(text.charAt(at));
        if (candidates != null) {
            for (String candidate : candidates) {
                if (text.startsWith(candidate, at)) {
                    return candidate;
                }
            }
        }
        return null;
    }
}
