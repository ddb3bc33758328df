package io.verigrid.node.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.verigrid.node.http.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tool calls in a model's answer, in the two forms open chat models emit them: a JSON object
 * {@code {"name": …, "arguments"|"parameters": {…}}} (or an array of them) as the whole answer — Llama 3.1's JSON
 * tool calling — or {@code <tool_call>{…}</tool_call>} blocks (Hermes, Qwen). The gateway returns them as OpenAI's
 * {@code tool_calls} when the request offered tools.
 */
final class ToolCalls {
    private static final Pattern TAGGED = Pattern.compile("<tool_call>\\s*(\\{.*?\\})\\s*</tool_call>", Pattern.DOTALL);

    /** One call: the function's name and its arguments as a JSON text (OpenAI sends them as a string). */
    record Call(String name, String arguments) {}

    private ToolCalls() {
    }

    /** The calls {@code text} makes, or an empty list when it is an ordinary answer. */
    static List<Call> parse(String text) {
        List<Call> calls = new ArrayList<>();
        String trimmed = text.strip();
        Matcher tagged = TAGGED.matcher(trimmed);
        while (tagged.find()) {
            Call call = call(read(tagged.group(1)));
            if (call == null) return List.of();
            calls.add(call);
        }
        if (!calls.isEmpty()) return calls;
        JsonNode whole = read(trimmed);
        if (whole != null && whole.isArray() && !whole.isEmpty()) {
            for (JsonNode item : whole) {
                Call call = call(item);
                if (call == null) return List.of();
                calls.add(call);
            }
            return calls;
        }
        Call call = call(whole);
        return call == null ? List.of() : List.of(call);
    }

    private static Call call(JsonNode node) {
        if (node == null || !node.isObject() || !node.path("name").isTextual()) return null;
        JsonNode arguments = node.has("arguments") ? node.get("arguments") : node.get("parameters");
        if (arguments == null || arguments.isNull()) return new Call(node.get("name").asText(), "{}");
        return new Call(node.get("name").asText(), arguments.isTextual() ? arguments.asText() : Json.write(arguments));
    }

    private static JsonNode read(String json) {
        if (json.isEmpty() || (json.charAt(0) != '{' && json.charAt(0) != '[')) return null;
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            return null;
        }
    }
}
