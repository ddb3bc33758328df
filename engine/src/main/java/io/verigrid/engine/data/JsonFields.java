package io.verigrid.engine.data;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/** Reads the fields of one JSON object, naming the field's path in every error, and rejects fields nobody read. */
final class JsonFields {
    private final JsonNode node;
    private final String path;
    private final Set<String> read = new HashSet<>();

    JsonFields(JsonNode node, String path) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(path + ": must be a JSON object");
        }
        this.node = node;
        this.path = path;
    }

    String path() {
        return path;
    }

    JsonNode required(String name) {
        read.add(name);
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException(path + "." + name + ": missing");
        }
        return value;
    }

    boolean bool(String name) {
        JsonNode value = required(name);
        if (!value.isBoolean()) {
            throw new IllegalArgumentException(path + "." + name + ": must be true or false, got " + value);
        }
        return value.booleanValue();
    }

    int integer(String name, int min, int max) {
        JsonNode value = required(name);
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < min || value.longValue() > max) {
            throw new IllegalArgumentException(path + "." + name + ": must be an integer in " + min + ".." + max
                    + ", got " + value);
        }
        return value.intValue();
    }

    long int64(String name) {
        JsonNode value = required(name);
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw new IllegalArgumentException(path + "." + name + ": must be a 64-bit integer, got " + value);
        }
        return value.longValue();
    }

    float float32(String name) {
        JsonNode value = required(name);
        if (!value.isNumber()) {
            throw new IllegalArgumentException(path + "." + name + ": must be a number, got " + value);
        }
        return (float) value.doubleValue();
    }

    String text(String name) {
        JsonNode value = required(name);
        if (!value.isTextual()) {
            throw new IllegalArgumentException(path + "." + name + ": must be a string, got " + value);
        }
        return value.textValue();
    }

    boolean has(String name) {
        return node.has(name);
    }

    /** Call after reading every known field: any other field is a mistake the caller should hear about. */
    void rejectUnknown(String what) {
        List<String> unknown = new ArrayList<>();
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!read.contains(name)) {
                unknown.add(name);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(path + "." + unknown.get(0) + ": unknown field for " + what
                    + "; known fields: " + read);
        }
    }
}
