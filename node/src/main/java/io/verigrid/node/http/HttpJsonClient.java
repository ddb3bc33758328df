package io.verigrid.node.http;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Calls another node over HTTP: timeouts on every request, a few retries with exponential backoff when
 * the peer cannot be reached, and the peer's own error object turned back into an {@link ApiException}.
 * With a {@link RequestSigner} every attempt is signed afresh (new timestamp and nonce), so a retry is never
 * mistaken for a replay.
 */
public final class HttpJsonClient {
    private static final int ATTEMPTS = 4;
    private static final byte[] NO_BODY = new byte[0];
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Duration timeout;
    private final RequestSigner signer;

    public HttpJsonClient(Duration timeout) {
        this(timeout, null);
    }

    /** {@code signer} null sends unsigned requests. */
    public HttpJsonClient(Duration timeout, RequestSigner signer) {
        this.timeout = timeout;
        this.signer = signer;
    }

    public <T> T get(String url, Class<T> type) {
        return Json.MAPPER.convertValue(getJson(url), type);
    }

    public <T> T get(String url, JavaType type) {
        return Json.MAPPER.convertValue(getJson(url), type);
    }

    public JsonNode getJson(String url) {
        return parse(url, send("GET", url, NO_BODY, null));
    }

    public byte[] getBytes(String url) {
        HttpResponse<byte[]> response = send("GET", url, NO_BODY, null);
        if (response.statusCode() != 200) parse(url, response);
        return response.body();
    }

    public <T> T post(String url, Object body, Class<T> type) {
        return Json.MAPPER.convertValue(postJson(url, body), type);
    }

    public JsonNode postJson(String url, Object body) {
        return parse(url, send("POST", url, Json.write(body).getBytes(StandardCharsets.UTF_8), "application/json"));
    }

    /** PUTs raw bytes (a chunk, a manifest) and returns the node's JSON answer. */
    public JsonNode putBytes(String url, byte[] body) {
        return parse(url, send("PUT", url, body, "application/octet-stream"));
    }

    public JsonNode delete(String url) {
        return parse(url, send("DELETE", url, NO_BODY, null));
    }

    private HttpResponse<byte[]> send(String method, String url, byte[] body, String contentType) {
        URI uri = URI.create(url);
        IOException last = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
                    .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
            if (contentType != null) request.header("Content-Type", contentType);
            if (signer != null) signer.headers(method, uri, body).forEach(request::header);
            try {
                return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
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
            throw new ApiException(response.statusCode() / 100 == 2 ? 502 : response.statusCode(), "BAD_RESPONSE",
                    url + " answered with something that is not JSON (HTTP " + response.statusCode() + ")");
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
