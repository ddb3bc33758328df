package io.verigrid.node.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.json.JavalinJackson;
import io.verigrid.engine.MatmulTiles;
import io.verigrid.engine.Parallelism;
import io.verigrid.node.http.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verigrid's OpenAI-compatible inference gateway for one model: {@code GET /v1/models},
 * {@code POST /v1/chat/completions}, {@code POST /v1/completions}, {@code POST /v1/embeddings}, plus
 * {@code GET /verigrid/stats} (the decode loop's batch counters). Every failure is answered in this one
 * place as OpenAI's error object. Requests need {@code Authorization: Bearer <key>} of a key the
 * {@link Metering} knows.
 */
public final class GatewayServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayServer.class);
    private static final String ANSWERED = "verigrid.gateway.answered";
    /** The largest request body the gateway reads (a prompt of a few MB, or a batch of embedding inputs). */
    static final long MAX_REQUEST_BYTES = 16L << 20;
    private final Javalin app;
    private final Batcher batcher;
    private final Parallelism par;

    private GatewayServer(Javalin app, Batcher batcher, Parallelism par) {
        this.app = app;
        this.batcher = batcher;
        this.par = par;
    }

    /**
     * Serves {@code model} on {@code host:port} (0 picks a free port) with {@code threads} engine threads and
     * at most {@code maxBatch} sequences per decode step.
     */
    public static GatewayServer start(ServedModel model, Metering metering, String host, int port, int threads,
            int maxBatch) {
        return start(model, metering, ServedListener.NONE, host, port, threads, maxBatch);
    }

    /** As above, telling {@code listener} about every answered request (settlement and proof of sampling). */
    public static GatewayServer start(ServedModel model, Metering metering, ServedListener listener, String host, int port,
            int threads, int maxBatch) {
        return start(model, metering, listener, host, port, threads, maxBatch, MatmulTiles.DEFAULT_MAX_REFEREE_BYTES);
    }

    /**
     * As above, refusing embedding inputs whose hidden states exceed {@code maxRefereeBytes} (the chain's
     * max_referee_bytes: a pooling dispute carries them all).
     */
    public static GatewayServer start(ServedModel model, Metering metering, ServedListener listener, String host, int port,
            int threads, int maxBatch, long maxRefereeBytes) {
        if (maxRefereeBytes < 1) throw new IllegalArgumentException("maxRefereeBytes: must be positive, got " + maxRefereeBytes);
        Parallelism par = Parallelism.of(threads);
        Batcher batcher = new Batcher(model.decoder(), par, maxBatch);
        ServedListener told = listener.loggingFailures();
        InferenceApi inference = new InferenceApi(model, metering, batcher, told);
        EmbeddingsApi embeddings = new EmbeddingsApi(model, metering, told, par, maxRefereeBytes);
        Javalin app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.jsonMapper(new JavalinJackson(Json.MAPPER, false));
            config.http.maxRequestSize = MAX_REQUEST_BYTES;
        });
        app.exception(OpenAiException.class, (e, ctx) -> {
            ctx.attribute(ANSWERED, true);
            ctx.status(e.status()).json(e.body());
        });
        app.exception(IllegalArgumentException.class, (e, ctx) ->
                ctx.status(400).json(OpenAiException.invalid(null, e.getMessage()).body()));
        app.exception(Exception.class, (e, ctx) -> {
            LOG.warn("gateway: {} {} failed", ctx.method(), ctx.path(), e);
            ctx.status(500).json(new OpenAiException(500, "server_error", null, null,
                    "The gateway could not answer " + ctx.path() + ": " + e.getMessage()).body());
        });
        app.error(404, ctx -> {
            if (ctx.attribute(ANSWERED) == null) {
                ctx.json(new OpenAiException(404, "invalid_request_error", null, null,
                        "Invalid URL (" + ctx.method() + " " + ctx.path() + ")").body());
            }
        });
        app.error(413, ctx -> ctx.json(new OpenAiException(413, "invalid_request_error", null, null,
                "The request body is larger than this gateway takes (" + (MAX_REQUEST_BYTES >> 20) + " MiB).").body()));
        app.get("/v1/models", ctx -> {
            metering.admit(bearer(ctx));
            ctx.json(Map.of("object", "list", "data", List.of(modelEntry(model))));
        });
        app.get("/v1/models/{id}", ctx -> {
            metering.admit(bearer(ctx));
            if (!ctx.pathParam("id").equals(model.name())) {
                throw modelNotFound(ctx.pathParam("id"));
            }
            ctx.json(modelEntry(model));
        });
        app.post("/v1/chat/completions", inference::chat);
        app.post("/v1/completions", inference::completions);
        app.post("/v1/embeddings", embeddings::embeddings);
        app.get("/verigrid/stats", ctx -> ctx.json(batcher.stats()));
        app.start(host, port);
        return new GatewayServer(app, batcher, par);
    }

    public int port() {
        return app.port();
    }

    /** The OpenAI base URL clients use: {@code http://127.0.0.1:PORT/v1}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + app.port() + "/v1";
    }

    public Batcher.Stats stats() {
        return batcher.stats();
    }

    @Override
    public void close() {
        app.stop();
        batcher.close();
        par.close();
    }

    /** The bearer token of the request, or null. */
    static String bearer(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        return header.substring(7).trim();
    }

    /** The request body as JSON; a body that does not parse is a 400. */
    static JsonNode body(Context ctx) {
        try {
            JsonNode body = Json.MAPPER.readTree(ctx.body());
            if (body == null || !body.isObject()) {
                throw OpenAiException.invalid(null, "The request body must be a JSON object.");
            }
            return body;
        } catch (JsonProcessingException e) {
            throw OpenAiException.invalid(null, "We could not parse the JSON body of your request: "
                    + e.getOriginalMessage());
        }
    }

    static void requireModel(JsonNode body, ServedModel model) {
        String name = Fields.text(body, "model");
        if (name == null) {
            throw OpenAiException.invalid("model", "Missing required parameter: 'model'.");
        }
        if (!name.equals(model.name())) {
            throw modelNotFound(name);
        }
    }

    private static OpenAiException modelNotFound(String name) {
        return new OpenAiException(404, "invalid_request_error", "model", "model_not_found",
                "The model '" + name + "' does not exist or you do not have access to it.");
    }

    private static Map<String, Object> modelEntry(ServedModel model) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("id", model.name());
        entry.put("object", "model");
        entry.put("created", 0);
        entry.put("owned_by", "verigrid");
        entry.put("context_length", model.contextLength());
        return entry;
    }
}
