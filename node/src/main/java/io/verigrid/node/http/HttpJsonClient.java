package io.verigrid.node.http;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Calls another node over HTTP: timeouts on every request, a few retries with exponential backoff when
 * the peer cannot be reached, and the peer's own error object turned back into an {@link ApiException}.
 */
public final class HttpJsonClient {
    private static final int ATTEMPTS = 4;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Duration timeout;

    public HttpJsonClient(Duration timeout) {
        this.timeout = timeout;
    }

    public <T> T get(String url, Class<T> type) {
        return Json.MAPPER.convertValue(getJson(url), type);
    }

    public <T> T get(String url, JavaType type) {
        return Json.MAPPER.convertValue(getJson(url), type);
    }

    public JsonNode getJson(String url) {
        return parse(url, send(HttpRequest.newBuilder(URI.create(url)).GET(), url, HttpResponse.BodyHandlers.ofByteArray()));
    }

    public byte[] getBytes(String url) {
        HttpResponse<byte[]> response = send(HttpRequest.newBuilder(URI.create(url)).GET(), url, HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) parse(url, response);
        return response.body();
    }

    public <T> T post(String url, Object body, Class<T> type) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(body)));
        return Json.MAPPER.convertValue(parse(url, send(request, url, HttpResponse.BodyHandlers.ofByteArray())), type);
    }

    private <B> HttpResponse<B> send(HttpRequest.Builder request, String url, HttpResponse.BodyHandler<B> handler) {
        IOException last = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            try {
                return http.send(request.timeout(timeout).build(), handler);
            } catch (IOException e) {
                last = e;
                sleep(100L << attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ApiException(503, "INTERRUPTED", "interrupted while calling " + url);
            }
        }
        throw new ApiException(503, "UNREACHABLE", "node at " + url + " did not answer after " + ATTEMPTS + " tries: " + last);
    }

    private static JsonNode parse(String url, HttpResponse<byte[]> response) {
        JsonNode body;
        try {
            body = Json.MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new ApiException(502, "BAD_RESPONSE", url + " answered with something that is not JSON (HTTP " + response.statusCode() + ")");
        }
        if (response.statusCode() / 100 != 2) {
            throw new ApiException(response.statusCode(), body.path("error").asText("HTTP_" + response.statusCode()),
                    body.path("message").asText(url + " answered HTTP " + response.statusCode()));
        }
        return body;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
