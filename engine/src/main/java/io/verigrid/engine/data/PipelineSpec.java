package io.verigrid.engine.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A declared preprocessing pipeline: the input record type, the steps in order, and how the result is sharded.
 * The spec is checked when built: each step must accept the record type the previous one writes, and token sharding
 * needs token records at the end.
 *
 * <p>Canonical bytes ({@link #encode()}), little-endian: u8 version (1) ‖ u8 input type (1 text, 2 tokens, 3 image)
 * ‖ u32 step count ‖ per step: u32 length ‖ UTF-8 name ‖ the step's parameters in its declared order (booleans u8,
 * ints u32, seeds i64, floats f32 bits, strings u32 length ‖ UTF-8) ‖ sharding: u8 mode (1 records, 2 tokens) ‖
 * u32 size. {@link #sha256()} is the spec's identity in manifests and commitments.
 *
 * <p>JSON ({@link #fromJson(String)}): {@code {"version":1,"input":"text","steps":[{"step":"normalize","nfc":true,
 * ...}],"sharding":{"records":64}}}; every field is required, unknown steps and fields are rejected with the
 * field's path in the message.
 */
public record PipelineSpec(RecordType input, List<Step> steps, Sharding sharding) {
    public static final int VERSION = 1;
    public static final int MAX_STEPS = 256;
    private static final ObjectMapper JSON = new ObjectMapper();

    public PipelineSpec {
        if (input == null) {
            throw new IllegalArgumentException("input: missing record type");
        }
        if (steps == null || steps.size() > MAX_STEPS) {
            throw new IllegalArgumentException("steps: must be a list of at most " + MAX_STEPS + " steps");
        }
        if (sharding == null) {
            throw new IllegalArgumentException("sharding: missing");
        }
        steps = List.copyOf(steps);
        RecordType type = input;
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            if (step.inputType() != null && step.inputType() != type) {
                throw new IllegalArgumentException("steps[" + i + "] " + step.name() + ": reads "
                        + step.inputType().jsonName() + " records but receives " + type.jsonName());
            }
            type = step.outputType(type);
        }
        if (sharding.byTokenCount() && type != RecordType.TOKENS) {
            throw new IllegalArgumentException("sharding.tokens: needs token records at the end, the pipeline ends with "
                    + type.jsonName());
        }
    }

    /** The record type after step {@code count} steps (0 = the input type). */
    public RecordType typeAfter(int count) {
        RecordType type = input;
        for (int i = 0; i < count; i++) {
            type = steps.get(i).outputType(type);
        }
        return type;
    }

    public byte[] encode() {
        DataWriter out = new DataWriter().u8(VERSION).u8(input.ordinal() + 1).u32(steps.size());
        for (Step step : steps) {
            out.string(step.name());
            step.writeParams(out);
        }
        sharding.write(out);
        return out.toByteArray();
    }

    public static PipelineSpec decode(byte[] bytes) {
        DataReader in = new DataReader(bytes, "pipeline spec");
        int version = in.u8();
        if (version != VERSION) {
            throw new IllegalArgumentException("pipeline spec: version " + version + " is not " + VERSION);
        }
        int type = in.u8();
        if (type < 1 || type > RecordType.values().length) {
            throw new IllegalArgumentException("pipeline spec: unknown input type byte " + type);
        }
        int count = in.u32();
        if (count > MAX_STEPS) {
            throw new IllegalArgumentException("pipeline spec: " + count + " steps > " + MAX_STEPS);
        }
        List<Step> steps = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            steps.add(Steps.read(in.string(), in, "steps[" + i + "]"));
        }
        Sharding sharding = Sharding.read(in);
        in.expectEnd();
        return new PipelineSpec(RecordType.values()[type - 1], steps, sharding);
    }

    public byte[] sha256() {
        return Sha256.of(encode());
    }

    public static PipelineSpec fromJson(String text) {
        if (text == null) {
            throw new IllegalArgumentException("pipeline spec json: null");
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("pipeline spec json: not valid JSON: " + e.getOriginalMessage(), e);
        }
        JsonFields fields = new JsonFields(root, "spec");
        int version = fields.integer("version", 0, Integer.MAX_VALUE);
        if (version != VERSION) {
            throw new IllegalArgumentException("spec.version: " + version + " is not " + VERSION);
        }
        RecordType input = recordType(fields.text("input"));
        JsonNode stepsNode = fields.required("steps");
        if (!stepsNode.isArray()) {
            throw new IllegalArgumentException("spec.steps: must be an array");
        }
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < stepsNode.size(); i++) {
            JsonFields stepFields = new JsonFields(stepsNode.get(i), "spec.steps[" + i + "]");
            steps.add(Steps.fromJson(stepFields.text("step"), stepFields));
        }
        Sharding sharding = Sharding.fromJson(new JsonFields(fields.required("sharding"), "spec.sharding"));
        fields.rejectUnknown("a pipeline spec");
        return new PipelineSpec(input, steps, sharding);
    }

    public String toJson() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("version", VERSION);
        root.put("input", input.jsonName());
        List<Map<String, Object>> stepList = new ArrayList<>();
        for (Step step : steps) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("step", step.name());
            entry.putAll(step.jsonParams());
            stepList.add(entry);
        }
        root.put("steps", stepList);
        root.put("sharding", sharding.byTokenCount() ? Map.of("tokens", sharding.tokens())
                : Map.of("records", sharding.records()));
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a spec of plain values always serialises", e);
        }
    }

    private static RecordType recordType(String name) {
        for (RecordType type : RecordType.values()) {
            if (type.jsonName().equals(name)) {
                return type;
            }
        }
        throw new IllegalArgumentException("spec.input: unknown record type \"" + name + "\"; known: text, tokens, image");
    }
}
