package io.verigrid.engine.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;

/**
 * A pipeline's input: records whose origins are their positions 0..n−1, plus the content-addressed
 * {@link Resources} (tokenizers) the spec names by hash.
 *
 * <p>Canonical bytes ({@link #encode()}): u32 count ‖ per record u32 length ‖ {@link DataRecord#encode()} bytes.
 * {@link #sha256()} hashes those bytes only: resources are bound by the spec, which names them by their hashes.
 */
public record InputDataset(List<DataRecord> records, Resources resources) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public InputDataset {
        if (records == null) {
            throw new IllegalArgumentException("records: null");
        }
        if (resources == null) {
            throw new IllegalArgumentException("resources: null");
        }
        records = List.copyOf(records);
        for (int i = 0; i < records.size(); i++) {
            if (records.get(i).origin() != i) {
                throw new IllegalArgumentException("records[" + i + "]: origin " + records.get(i).origin()
                        + " must equal its position " + i);
            }
        }
    }

    /** Text records from strings, origins 0..n−1, no resources. */
    public static InputDataset texts(List<String> texts) {
        if (texts == null) {
            throw new IllegalArgumentException("texts: null");
        }
        List<DataRecord> records = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            records.add(new TextRecord(i, texts.get(i)));
        }
        return new InputDataset(records, Resources.none());
    }

    public InputDataset withResources(Resources newResources) {
        return new InputDataset(records, newResources);
    }

    /** JSON Lines, one object {@code {"text": "..."}} per line; blank lines are skipped, other errors name the line. */
    public static InputDataset fromJsonLines(String jsonLines) {
        if (jsonLines == null) {
            throw new IllegalArgumentException("jsonLines: null");
        }
        List<String> texts = new ArrayList<>();
        String[] lines = jsonLines.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            JsonNode node;
            try {
                node = JSON.readTree(lines[i]);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("line " + (i + 1) + ": not valid JSON: " + e.getOriginalMessage(), e);
            }
            JsonFields fields = new JsonFields(node, "line " + (i + 1));
            texts.add(fields.text("text"));
            fields.rejectUnknown("a text record");
        }
        return texts(texts);
    }

    public int size() {
        return records.size();
    }

    public byte[] encode() {
        DataWriter out = new DataWriter().u32(records.size());
        for (DataRecord record : records) {
            out.bytes(record.encode());
        }
        return out.toByteArray();
    }

    public static InputDataset decode(byte[] bytes, Resources resources) {
        DataReader in = new DataReader(bytes, "input dataset");
        int count = in.u32();
        List<DataRecord> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            records.add(DataRecord.decode(in.bytes()));
        }
        in.expectEnd();
        return new InputDataset(records, resources);
    }

    public byte[] sha256() {
        return Sha256.of(encode());
    }
}
