package io.verigrid.engine.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A parsed and fully validated safetensors JSON header: the tensor entries by name and the optional
 * {@code __metadata__} map. Validation follows the reference implementation's rules: every entry has
 * exactly {@code dtype}, {@code shape} and {@code data_offsets}; each byte range matches shape × dtype size;
 * the ranges tile the data section exactly, with no overlap, gap or trailing bytes.
 */
record SafetensorsHeader(SortedMap<String, TensorInfo> tensors, SortedMap<String, String> metadata) {
    static final String METADATA_KEY = "__metadata__";
    /** Headers beyond this size are refused before any allocation, as the reference reader does. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /**
     * Parses {@code headerJson} for a data section of {@code dataLength} bytes; {@code source} (a file name)
     * prefixes every error message.
     */
    static SafetensorsHeader parse(byte[] headerJson, long dataLength, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(headerJson);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": header is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": header is not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(source + ": header must be a JSON object");
        }
        SortedMap<String, TensorInfo> tensors = new TreeMap<>();
        SortedMap<String, String> metadata = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> fields = root.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (field.getKey().equals(METADATA_KEY)) {
                metadata = parseMetadata(field.getValue(), source);
            } else {
                tensors.put(field.getKey(), parseTensor(field.getKey(), field.getValue(), dataLength, source));
            }
        }
        checkTiling(tensors, dataLength, source);
        return new SafetensorsHeader(Collections.unmodifiableSortedMap(tensors),
                Collections.unmodifiableSortedMap(metadata));
    }

    private static SortedMap<String, String> parseMetadata(JsonNode node, String source) {
        if (!node.isObject()) {
            throw new IllegalArgumentException(source + ": " + METADATA_KEY + " must be an object of strings");
        }
        SortedMap<String, String> metadata = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (!field.getValue().isTextual()) {
                throw new IllegalArgumentException(source + ": " + METADATA_KEY + " value for '" + field.getKey()
                        + "' must be a string");
            }
            metadata.put(field.getKey(), field.getValue().textValue());
        }
        return metadata;
    }

    private static TensorInfo parseTensor(String name, JsonNode node, long dataLength, String source) {
        String where = source + ": tensor '" + name + "'";
        if (!node.isObject()) {
            throw new IllegalArgumentException(where + " must be an object");
        }
        for (Iterator<String> keys = node.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            if (!key.equals("dtype") && !key.equals("shape") && !key.equals("data_offsets")) {
                throw new IllegalArgumentException(where + " has unknown field '" + key + "'");
            }
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw new IllegalArgumentException(where + " needs a string dtype");
        }
        Dtype dtype = Dtype.named(dtypeNode.textValue());
        if (dtype == null) {
            throw new IllegalArgumentException(where + " has unknown dtype '" + dtypeNode.textValue() + "'");
        }
        int[] shape = parseShape(node.get("shape"), where);
        long[] offsets = parseOffsets(node.get("data_offsets"), where);
        long begin = offsets[0];
        long end = offsets[1];
        if (begin > end) {
            throw new IllegalArgumentException(where + " has data_offsets [" + begin + ", " + end
                    + "] that end before they begin");
        }
        if (end > dataLength) {
            throw new IllegalArgumentException(where + " ends at data byte " + end + " but the data section has only "
                    + dataLength + " bytes (truncated file?)");
        }
        long expectedBytes;
        try {
            long count = 1;
            for (int dim : shape) {
                count = Math.multiplyExact(count, dim);
            }
            expectedBytes = Math.multiplyExact(count, dtype.bytes());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(where + " has a shape too large to address", e);
        }
        if (end - begin != expectedBytes) {
            throw new IllegalArgumentException(where + " spans " + (end - begin) + " bytes but its shape and dtype "
                    + dtype + " need " + expectedBytes);
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static int[] parseShape(JsonNode node, String where) {
        if (node == null || !node.isArray()) {
            throw new IllegalArgumentException(where + " needs a shape array");
        }
        int[] shape = new int[node.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode dim = node.get(i);
            if (!dim.isIntegralNumber() || !dim.canConvertToInt() || dim.intValue() < 0) {
                throw new IllegalArgumentException(where + " has shape dimension " + i + " = " + dim
                        + "; dimensions must be integers in [0, " + Integer.MAX_VALUE + "]");
            }
            shape[i] = dim.intValue();
        }
        return shape;
    }

    private static long[] parseOffsets(JsonNode node, String where) {
        if (node == null || !node.isArray() || node.size() != 2) {
            throw new IllegalArgumentException(where + " needs data_offsets [begin, end]");
        }
        long[] offsets = new long[2];
        for (int i = 0; i < 2; i++) {
            JsonNode offset = node.get(i);
            if (!offset.isIntegralNumber() || !offset.canConvertToLong() || offset.longValue() < 0) {
                throw new IllegalArgumentException(where + " has data_offsets entry " + offset
                        + "; offsets must be non-negative integers");
            }
            offsets[i] = offset.longValue();
        }
        return offsets;
    }

    /** The byte ranges, ordered by position, must cover [0, dataLength) exactly once. */
    private static void checkTiling(SortedMap<String, TensorInfo> tensors, long dataLength, String source) {
        List<TensorInfo> byPosition = new ArrayList<>(tensors.values());
        byPosition.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long covered = 0;
        TensorInfo previous = null;
        for (TensorInfo info : byPosition) {
            if (info.begin() < covered) {
                throw new IllegalArgumentException(source + ": tensor '" + info.name() + "' bytes [" + info.begin()
                        + ", " + info.end() + ") overlap tensor '" + previous.name() + "' bytes [" + previous.begin()
                        + ", " + previous.end() + ")");
            }
            if (info.begin() > covered) {
                throw new IllegalArgumentException(source + ": data bytes [" + covered + ", " + info.begin()
                        + ") before tensor '" + info.name() + "' belong to no tensor");
            }
            covered = info.end();
            previous = info;
        }
        if (covered != dataLength) {
            throw new IllegalArgumentException(source + ": data section has " + dataLength
                    + " bytes but the tensors end at byte " + covered);
        }
    }
}
