package io.verigrid.engine.data;

import java.text.Normalizer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Text normalisation that gives the same bytes on every JDK, whatever Unicode version its tables carry.
 * <ul>
 *   <li>{@code nfc}: Unicode NFC via {@link Normalizer}, applied only to texts whose every code point lies in
 *       U+0000–U+036F or U+1E00–U+1EFF (Latin, IPA, spacing modifiers, combining diacritics, Latin Extended
 *       Additional). Those ranges were fully assigned by Unicode 5.1, and Unicode's normalization stability policy
 *       freezes the NFC of assigned characters, so JDK 17 (Unicode 13) and JDK 25 (Unicode 16) agree on them. Other
 *       texts are left unchanged: a newer JDK may normalise characters an older one sees as unassigned.</li>
 *   <li>{@code collapseWhitespace}: line breaks (CR LF, CR, LF, U+0085, U+2028, U+2029) become LF; inside a line
 *       every run of the fixed whitespace set below becomes one space; lines are trimmed and empty lines dropped.</li>
 *   <li>{@code lowercase}: ASCII A–Z only (Unicode case mapping also moves between versions).</li>
 * </ul>
 */
public record Normalize(boolean nfc, boolean collapseWhitespace, boolean lowercase) implements MapStep {
    public static final String NAME = "normalize";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public RecordType inputType() {
        return RecordType.TEXT;
    }

    @Override
    public DataRecord apply(DataRecord record, Resources resources) {
        return new TextRecord(record.origin(), normalize(((TextRecord) record).text()));
    }

    public String normalize(String text) {
        String out = text;
        if (nfc && inStableRanges(out)) {
            out = Normalizer.normalize(out, Normalizer.Form.NFC);
        }
        if (collapseWhitespace) {
            out = collapse(out);
        }
        if (lowercase) {
            out = asciiLower(out);
        }
        return out;
    }

    static boolean inStableRanges(String text) {
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            if (!(cp <= 0x036F || (cp >= 0x1E00 && cp <= 0x1EFF))) {
                return false;
            }
            i += Character.charCount(cp);
        }
        return true;
    }

    /** The whitespace set: TAB, VT, FF, SPACE, NBSP, U+1680, U+2000–U+200A, U+202F, U+205F, U+3000. */
    static boolean isSpace(int c) {
        return c == 0x09 || c == 0x0B || c == 0x0C || c == 0x20 || c == 0xA0 || c == 0x1680
                || (c >= 0x2000 && c <= 0x200A) || c == 0x202F || c == 0x205F || c == 0x3000;
    }

    static boolean isLineBreak(int c) {
        return c == '\n' || c == '\r' || c == 0x85 || c == 0x2028 || c == 0x2029;
    }

    private static String collapse(String text) {
        StringBuilder out = new StringBuilder(text.length());
        boolean pendingSpace = false;
        boolean pendingBreak = false;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (isLineBreak(cp)) {
                pendingBreak = out.length() > 0;
                pendingSpace = false;
            } else if (isSpace(cp)) {
                pendingSpace = out.length() > 0 && !pendingBreak;
            } else {
                if (pendingBreak) {
                    out.append('\n');
                } else if (pendingSpace) {
                    out.append(' ');
                }
                pendingBreak = false;
                pendingSpace = false;
                out.appendCodePoint(cp);
            }
        }
        return out.toString();
    }

    private static String asciiLower(String text) {
        char[] chars = text.toCharArray();
        for (int i = 0; i < chars.length; i++) {
            if (chars[i] >= 'A' && chars[i] <= 'Z') {
                chars[i] = (char) (chars[i] + ('a' - 'A'));
            }
        }
        return new String(chars);
    }

    @Override
    public void writeParams(DataWriter out) {
        out.bool(nfc).bool(collapseWhitespace).bool(lowercase);
    }

    static Normalize read(DataReader in) {
        return new Normalize(in.bool(), in.bool(), in.bool());
    }

    static Normalize fromJson(JsonFields f) {
        return new Normalize(f.bool("nfc"), f.bool("collapse_whitespace"), f.bool("lowercase"));
    }

    @Override
    public Map<String, Object> jsonParams() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("nfc", nfc);
        params.put("collapse_whitespace", collapseWhitespace);
        params.put("lowercase", lowercase);
        return params;
    }
}
