package io.verigrid.engine.data;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Exact deduplication: a text record is dropped when the SHA-256 of its UTF-8 bytes equals that of an earlier kept
 * record; the first occurrence in list order is kept. Put it after {@link Normalize} so that "the same text" means
 * the same normalised text. A global step: whether a record survives depends on every record before it.
 */
public record ExactDedup() implements SelectStep {
    public static final String NAME = "dedup_exact";

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
        Set<ByteBuffer> seen = new HashSet<>();
        int[] kept = new int[records.size()];
        int count = 0;
        for (int i = 0; i < records.size(); i++) {
            if (seen.add(ByteBuffer.wrap(key(((TextRecord) records.get(i)).text())))) {
                kept[count++] = i;
            }
        }
        return java.util.Arrays.copyOf(kept, count);
    }

    /** The dedup key of a text: SHA-256 of its UTF-8 bytes. */
    public static byte[] key(String text) {
        return Sha256.of(text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void writeParams(DataWriter out) {
    }

    @Override
    public Map<String, Object> jsonParams() {
        return Map.of();
    }
}
