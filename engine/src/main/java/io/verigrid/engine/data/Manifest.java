package io.verigrid.engine.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a provider publishes for a run: the spec, input and plan hashes and one entry per shard (records, tokens,
 * SHA-256 of its canonical bytes). JSON with keys in sorted order, hashes in lower-case hex:
 * {@code {"input_sha256":…,"plan_sha256":…,"records":…,"shards":[{"index":0,"records":…,"sha256":…,"tokens":…}],
 * "spec_sha256":…,"version":1}}.
 */
public record Manifest(String specSha256, String inputSha256, String planSha256, long records, List<Entry> shards) {
    public static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    /** One shard's line in the manifest. */
    public record Entry(int index, int records, long tokens, String sha256) {
    }

    public Manifest {
        if (shards == null) {
            throw new IllegalArgumentException("shards: null");
        }
        shards = List.copyOf(shards);
    }

    public static Manifest of(PipelineSpec spec, InputDataset input, PipelinePlan plan, List<Shard> shards) {
        List<Entry> entries = new ArrayList<>();
        long records = 0;
        for (Shard shard : shards) {
            entries.add(new Entry(shard.index(), shard.size(), shard.tokenCount(), Sha256.hex(shard.sha256())));
            records += shard.size();
        }
        return new Manifest(Sha256.hex(spec.sha256()), Sha256.hex(input.sha256()), Sha256.hex(plan.sha256()), records,
                entries);
    }

    public String toJson() {
        Map<String, Object> root = new TreeMap<>();
        root.put("version", VERSION);
        root.put("spec_sha256", specSha256);
        root.put("input_sha256", inputSha256);
        root.put("plan_sha256", planSha256);
        root.put("records", records);
        List<Map<String, Object>> list = new ArrayList<>();
        for (Entry entry : shards) {
            Map<String, Object> line = new TreeMap<>();
            line.put("index", entry.index());
            line.put("records", entry.records());
            line.put("tokens", entry.tokens());
            line.put("sha256", entry.sha256());
            list.add(line);
        }
        root.put("shards", list);
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a manifest of plain values always serialises", e);
        }
    }

    public static Manifest fromJson(String text) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("manifest: not valid JSON: " + e.getOriginalMessage(), e);
        }
        JsonFields fields = new JsonFields(root, "manifest");
        int version = fields.integer("version", 0, Integer.MAX_VALUE);
        if (version != VERSION) {
            throw new IllegalArgumentException("manifest.version: " + version + " is not " + VERSION);
        }
        String spec = fields.text("spec_sha256");
        String input = fields.text("input_sha256");
        String plan = fields.text("plan_sha256");
        long records = fields.int64("records");
        JsonNode list = fields.required("shards");
        if (!list.isArray()) {
            throw new IllegalArgumentException("manifest.shards: must be an array");
        }
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonFields entry = new JsonFields(list.get(i), "manifest.shards[" + i + "]");
            entries.add(new Entry(entry.integer("index", 0, Integer.MAX_VALUE), entry.integer("records", 0, Integer.MAX_VALUE),
                    entry.int64("tokens"), entry.text("sha256")));
            entry.rejectUnknown("a manifest shard");
        }
        fields.rejectUnknown("a manifest");
        return new Manifest(spec, input, plan, records, entries);
    }
}
