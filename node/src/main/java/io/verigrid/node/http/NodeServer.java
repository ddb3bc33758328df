package io.verigrid.node.http;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.json.JavalinJackson;
import io.verigrid.node.metrics.NodeMetrics;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's HTTP front door on loopback. Every error becomes {@code {"error": code, "message": …}} in this one
 * place: a client never sees a stack trace. Every server also answers {@code GET /metrics} (Prometheus text) and
 * counts each request it answers, by route template and status.
 */
public final class NodeServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeServer.class);
    private static final String ANSWERED = "verigrid.answered";
    /** The largest request body a node reads: a blob chunk (4 MiB by default) or a hex-encoded transaction. */
    static final long MAX_REQUEST_BYTES = 8L << 20;
    private final Javalin app;
    private final NodeMetrics metrics;

    private NodeServer(Javalin app, NodeMetrics metrics) {
        this.app = app;
        this.metrics = metrics;
    }

    /** Starts a server on {@code host:port} (port 0 picks a free one) with the given routes and its own metrics. */
    public static NodeServer start(String name, String host, int port, Consumer<Javalin> routes) {
        return start(name, host, port, new NodeMetrics(), routes);
    }

    /** Starts a server that counts into {@code metrics}, which the node's roles share. */
    public static NodeServer start(String name, String host, int port, NodeMetrics metrics, Consumer<Javalin> routes) {
        Javalin app = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.jsonMapper(new JavalinJackson(Json.MAPPER, false));
            cfg.http.maxRequestSize = MAX_REQUEST_BYTES;
            cfg.requestLogger.http((ctx, millis) -> metrics.httpRequest(ctx.method().name(), routeOf(ctx),
                    ctx.statusCode(), Duration.ofNanos((long) (millis.doubleValue() * 1e6))));
        });
        app.exception(ApiException.class, (e, ctx) -> {
            ctx.attribute(ANSWERED, true);
            ctx.status(e.status()).json(Map.of("error", e.code(), "message", e.getMessage()));
        });
        app.exception(IllegalArgumentException.class, (e, ctx) -> ctx.status(400).json(Map.of("error", "BAD_REQUEST", "message", String.valueOf(e.getMessage()))));
        // A body a route reads with Jackson that is not JSON, or not of the shape it asks for, is the caller's error.
        app.exception(JsonParseException.class, (e, ctx) -> notJson(ctx, e));
        app.exception(MismatchedInputException.class, (e, ctx) -> notJson(ctx, e));
        app.exception(Exception.class, (e, ctx) -> {
            LOG.warn("{}: {} {} failed", name, ctx.method(), ctx.path(), e);
            ctx.status(500).json(Map.of("error", "INTERNAL", "message", name + " could not answer " + ctx.path() + ": " + e));
        });
        app.error(404, ctx -> {
            if (ctx.attribute(ANSWERED) == null) ctx.json(Map.of("error", "NOT_FOUND", "message", "no route " + ctx.method() + " " + ctx.path()));
        });
        app.error(413, ctx -> {
            if (ctx.attribute(ANSWERED) == null) {
                ctx.json(Map.of("error", "TOO_LARGE", "message", "request body over this node's limit of " + (MAX_REQUEST_BYTES >> 20) + " MiB"));
            }
        });
        app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
        routes.accept(app);
        app.start(host, port);
        return new NodeServer(app, metrics);
    }

    private static void notJson(Context ctx, JsonProcessingException e) {
        ctx.status(400).json(Map.of("error", "BAD_REQUEST", "message", "request body is not the JSON " + ctx.path()
                + " takes: " + e.getOriginalMessage()));
    }

    /**
     * The route template that answered; a request stopped by a before-handler (a refused signature) is labelled with
     * that handler's pattern, and unmatched paths share one series instead of one per probe.
     */
    private static String routeOf(Context ctx) {
        String template;
        try {
            template = ctx.endpointHandlerPath();
        } catch (IllegalStateException stoppedBeforeTheEndpoint) {
            template = ctx.matchedPath();
        }
        return template == null || template.isEmpty() || template.equals("*") ? "unmatched" : template;
    }

    /** For operator routes: refuses any caller that is not on this machine. */
    public static void requireLoopback(Context ctx) {
        String ip = ctx.ip();
        if (!(ip.equals("127.0.0.1") || ip.equals("::1") || ip.equals("0:0:0:0:0:0:0:1"))) {
            throw new ApiException(403, "FORBIDDEN", ctx.path() + " is for the node's operator, from the node's own machine only");
        }
    }

    public int port() {
        return app.port();
    }

    public String url() {
        return "http://127.0.0.1:" + app.port();
    }

    public NodeMetrics metrics() {
        return metrics;
    }

    @Override
    public void close() {
        app.stop();
    }
}
