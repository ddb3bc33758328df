package io.verigrid.node.gateway;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.verigrid.node.http.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Turns a request's {@code messages} or {@code prompt} into what the model reads. */
final class Prompts {
    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool", "function");

    private Prompts() {
    }

    /**
     * The chat prompt: {@code messages} (content as a string or as text parts, joined) and the tools —
     * {@code tools}, or legacy {@code functions} wrapped as {@code {"type": "function", "function": …}} —
     * rendered with the model's chat template and a generation prompt.
     */
    static String chat(JsonNode body, ServedModel model) {
        JsonNode messages = body.get("messages");
        if (messages == null || messages.isNull()) {
            throw OpenAiException.invalid("messages", "Missing required parameter: 'messages'.");
        }
        if (!messages.isArray() || messages.isEmpty()) {
            throw OpenAiException.invalid("messages", "'messages' must be a non-empty array of messages");
        }
        if (model.chatTemplate() == null) {
            throw OpenAiException.invalid("messages", "chat_template_missing", "model " + model.name()
                    + " has no chat_template in its tokenizer_config.json; use /v1/completions with a prompt instead");
        }
        List<Map<String, Object>> rendered = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            rendered.add(message(messages.get(i), i));
        }
        List<Object> tools = new ArrayList<>();
        JsonNode toolsNode = body.get("tools");
        if (toolsNode != null && !toolsNode.isNull()) {
            if (!toolsNode.isArray()) {
                throw OpenAiException.invalid("tools", "'tools' must be an array");
            }
            toolsNode.forEach(tool -> tools.add(plain(tool)));
        }
        JsonNode functions = body.get("functions");
        if (functions != null && functions.isArray()) {
            functions.forEach(function -> tools.add(Map.of("type", "function", "function", plain(function))));
        }
        try {
            return model.chatTemplate().render(rendered, tools, true);
        } catch (IllegalStateException e) {
            throw OpenAiException.invalid("messages", e.getMessage());
        }
    }

    /** The completion prompt: a string, one string in an array, or token ids. */
    static int[] completion(JsonNode body, ServedModel model) {
        JsonNode prompt = body.get("prompt");
        if (prompt == null || prompt.isNull()) {
            throw OpenAiException.invalid("prompt", "Missing required parameter: 'prompt'.");
        }
        if (prompt.isArray() && prompt.size() == 1 && prompt.get(0).isTextual()) {
            prompt = prompt.get(0);
        }
        int[] ids;
        if (prompt.isTextual()) {
            ids = model.tokenizer().encode(prompt.asText());
        } else if (prompt.isArray() && prompt.size() > 0 && prompt.get(0).isIntegralNumber()) {
            ids = new int[prompt.size()];
            for (int i = 0; i < ids.length; i++) {
                JsonNode id = prompt.get(i);
                if (!id.canConvertToInt() || id.asInt() < 0 || id.asInt() >= model.decoder().vocabSize()) {
                    throw OpenAiException.invalid("prompt", "prompt token " + i + " (" + id + ") is not a token id");
                }
                ids[i] = id.asInt();
            }
        } else {
            throw OpenAiException.invalid("prompt", "'prompt' must be a string or an array of token ids");
        }
        if (ids.length == 0) {
            throw OpenAiException.invalid("prompt", "'prompt' must not be empty");
        }
        return ids;
    }

    /** A message as the template sees it: role, content as one string, plus the other fields as given. */
    private static Map<String, Object> message(JsonNode message, int index) {
        String param = "messages[" + index + "]";
        if (message == null || !message.isObject()) {
            throw OpenAiException.invalid(param, param + " must be an object");
        }
        String role = message.path("role").asText(null);
        if (role == null || !ROLES.contains(role)) {
            throw OpenAiException.invalid(param + ".role", param + ".role must be one of " + ROLES + ", got "
                    + message.get("role"));
        }
        Map<String, Object> out = new LinkedHashMap<>(Json.MAPPER.convertValue(message,
                new TypeReference<Map<String, Object>>() { }));
        JsonNode content = message.get("content");
        if (content != null && content.isArray()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode part : content) {
                if (!"text".equals(part.path("type").asText())) {
                    throw OpenAiException.invalid(param + ".content", "only text content parts are supported, got "
                            + part.path("type"));
                }
                text.append(part.path("text").asText());
            }
            out.put("content", text.toString());
        } else if (content != null && !content.isNull() && !content.isTextual()) {
            throw OpenAiException.invalid(param + ".content", param + ".content must be a string or text parts");
        }
        return out;
    }

    private static Object plain(JsonNode node) {
        return Json.MAPPER.convertValue(node, Object.class);
    }
}
