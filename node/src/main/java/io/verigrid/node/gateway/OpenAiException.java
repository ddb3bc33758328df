package io.verigrid.node.gateway;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A failure answered as OpenAI's error object {@code {"error": {"message", "type", "param", "code"}}} with
 * its HTTP status. The gateway maps every failure to one of these in one place ({@link GatewayServer}).
 */
public final class OpenAiException extends RuntimeException {
    private final int status;
    private final String type;
    private final String param;
    private final String code;

    public OpenAiException(int status, String type, String param, String code, String message) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    /** 400 for a request field: {@code param} names it. */
    public static OpenAiException invalid(String param, String message) {
        return new OpenAiException(400, "invalid_request_error", param, null, message);
    }

    public static OpenAiException invalid(String param, String code, String message) {
        return new OpenAiException(400, "invalid_request_error", param, code, message);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** The response body. */
    public Map<String, Object> body() {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", getMessage());
        error.put("type", type);
        error.put("param", param);
        error.put("code", code);
        return Map.of("error", error);
    }
}
