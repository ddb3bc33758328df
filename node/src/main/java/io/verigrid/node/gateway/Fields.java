package io.verigrid.node.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Reads optional request fields with OpenAI's 400 errors that name the offending parameter. */
final class Fields {
    private Fields() {
    }

    static boolean present(JsonNode body, String field) {
        JsonNode value = body.get(field);
        return value != null && !value.isNull();
    }

    static Integer integer(JsonNode body, String field) {
        if (!present(body, field)) {
            return null;
        }
        JsonNode value = body.get(field);
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw OpenAiException.invalid(field, "'" + field + "' must be an integer, got " + value);
        }
        return value.asInt();
    }

    static Long longValue(JsonNode body, String field) {
        if (!present(body, field)) {
            return null;
        }
        JsonNode value = body.get(field);
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw OpenAiException.invalid(field, "'" + field + "' must be an integer, got " + value);
        }
        return value.asLong();
    }

    static Float number(JsonNode body, String field, float min, float max) {
        if (!present(body, field)) {
            return null;
        }
        JsonNode value = body.get(field);
        if (!value.isNumber() || !(value.asDouble() >= min && value.asDouble() <= max)) {
            throw OpenAiException.invalid(field, "'" + field + "' must be a number in [" + min + ", " + max + "], got "
                    + value);
        }
        return (float) value.asDouble();
    }

    static boolean bool(JsonNode body, String field) {
        if (!present(body, field)) {
            return false;
        }
        JsonNode value = body.get(field);
        if (!value.isBoolean()) {
            throw OpenAiException.invalid(field, "'" + field + "' must be a boolean, got " + value);
        }
        return value.asBoolean();
    }

    static String text(JsonNode body, String field) {
        if (!present(body, field)) {
            return null;
        }
        JsonNode value = body.get(field);
        if (!value.isTextual()) {
            throw OpenAiException.invalid(field, "'" + field + "' must be a string, got " + value);
        }
        return value.asText();
    }

    /** {@code stop}: a string or an array of at most 4 non-empty strings. */
    static List<String> stops(JsonNode body) {
        List<String> stops = new ArrayList<>();
        if (!present(body, "stop")) {
            return stops;
        }
        JsonNode value = body.get("stop");
        if (value.isTextual()) {
            stops.add(value.asText());
        } else if (value.isArray() && value.size() <= 4) {
            for (JsonNode stop : value) {
                if (!stop.isTextual()) {
                    throw OpenAiException.invalid("stop", "'stop' entries must be strings, got " + stop);
                }
                stops.add(stop.asText());
            }
        } else {
            throw OpenAiException.invalid("stop", "'stop' must be a string or an array of up to 4 strings");
        }
        if (stops.stream().anyMatch(String::isEmpty)) {
            throw OpenAiException.invalid("stop", "'stop' strings must not be empty");
        }
        return stops;
    }
}
