package io.verigrid.engine.data;

import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Language-free quality filter on text. A record is kept iff all hold (lengths in code points, ratios as integer
 * cross-multiplications, no floats):
 * <ul>
 *   <li>{@code minChars ≤ length ≤ maxChars};</li>
 *   <li>{@code alnum · 1 000 000 ≥ minAlnumPpm · visible}, where visible counts code points that are not
 *       {@link Normalize} whitespace or line breaks, and alnum counts visible code points other than ASCII
 *       punctuation, symbols and controls (so every non-ASCII character counts as alphanumeric: the rule needs no
 *       Unicode tables and treats all scripts alike); an all-blank text has ratio 0;</li>
 *   <li>{@code repeated · 1 000 000 ≤ maxRepeatedLinePpm · lines}, where lines are the LF-separated non-empty lines
 *       and repeated counts lines equal to an earlier line.</li>
 * </ul>
 * The decision for a record reads that record only, but dropping records moves every later shard boundary, so it
 * belongs to the plan.
 */
public record QualityFilter(int minChars, int maxChars, int minAlnumPpm, int maxRepeatedLinePpm) implements SelectStep {
    public static final String NAME = "filter";

    public QualityFilter {
        if (minChars < 0) {
            throw new IllegalArgumentException("min_chars: must be >= 0, got " + minChars);
        }
        if (maxChars < minChars) {
            throw new IllegalArgumentException("max_chars: must be >= min_chars (" + minChars + "), got " + maxChars);
        }
        if (minAlnumPpm < 0 || minAlnumPpm > 1_000_000) {
            throw new IllegalArgumentException("min_alnum_ppm: must be in 0..1000000, got " + minAlnumPpm);
        }
        if (maxRepeatedLinePpm < 0 || maxRepeatedLinePpm > 1_000_000) {
            throw new IllegalArgumentException("max_repeated_line_ppm: must be in 0..1000000, got " + maxRepeatedLinePpm);
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

    @Override
    public int[] select(List<DataRecord> records) {
        int[] kept = new int[records.size()];
        int count = 0;
        for (int i = 0; i < records.size(); i++) {
            if (keeps(((TextRecord) records.get(i)).text())) {
                kept[count++] = i;
            }
        }
        return Arrays.copyOf(kept, count);
    }

    public boolean keeps(String text) {
        long length = text.codePointCount(0, text.length());
        if (length < minChars || length > maxChars) {
            return false;
        }
        long visible = 0;
        long alnum = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (Normalize.isSpace(cp) || Normalize.isLineBreak(cp)) {
                continue;
            }
            visible++;
            if (cp >= 0x80 || (cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z')) {
                alnum++;
            }
        }
        if (alnum * 1_000_000L < (long) minAlnumPpm * visible || (visible == 0 && minAlnumPpm > 0)) {
            return false;
        }
        long lines = 0;
        long repeated = 0;
        Set<String> seen = new HashSet<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            lines++;
            if (!seen.add(line)) {
                repeated++;
            }
        }
        return repeated * 1_000_000L <= (long) maxRepeatedLinePpm * lines;
    }

    @Override
    public void writeParams(DataWriter out) {
        out.u32(minChars).u32(maxChars).u32(minAlnumPpm).u32(maxRepeatedLinePpm);
    }

    static QualityFilter read(DataReader in) {
        return new QualityFilter(in.u32(), in.u32(), in.u32(), in.u32());
    }

    static QualityFilter fromJson(JsonFields f) {
        return new QualityFilter(f.integer("min_chars", 0, Integer.MAX_VALUE), f.integer("max_chars", 0, Integer.MAX_VALUE),
                f.integer("min_alnum_ppm", 0, 1_000_000), f.integer("max_repeated_line_ppm", 0, 1_000_000));
    }

    @Override
    public Map<String, Object> jsonParams() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("min_chars", minChars);
        params.put("max_chars", maxChars);
        params.put("min_alnum_ppm", minAlnumPpm);
        params.put("max_repeated_line_ppm", maxRepeatedLinePpm);
        return params;
    }
}
