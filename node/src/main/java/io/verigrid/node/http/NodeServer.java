package io.verigrid.node.http;

import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's HTTP front door on loopback. Every error becomes {@code {"error": code, "message": …}} in this one
 * place: a client never sees a stack trace.
 */
public final class NodeServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeServer.class);
    private static final String ANSWERED = "verigrid.answered";
    private final Javalin app;

    private NodeServer(Javalin app) {
        this.app = app;
    }

    /** Starts a server on {@code host:port} (port 0 picks a free one) with the given routes. */
    public static NodeServer start(String name, String host, int port, Consumer<Javalin> routes) {
        Javalin app = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.jsonMapper(new JavalinJackson(Json.MAPPER, false));
            cfg.http.maxRequestSize = 8L << 20;
        });
        app.exception(ApiException.class, (e, ctx) -> {
            ctx.attribute(ANSWERED, true);
            ctx.status(e.status()).json(Map.of("error", e.code(), "message", e.getMessage()));
        });
        app.exception(IllegalArgumentException.class, (e, ctx) -> ctx.status(400).json(Map.of("error", "BAD_REQUEST", "message", String.valueOf(e.getMessage()))));
        app.exception(Exception.class, (e, ctx) -> {
            LOG.warn("{}: {} {} failed", name, ctx.method(), ctx.path(), e);
            ctx.status(500).json(Map.of("error", "INTERNAL", "message", name + " could not answer " + ctx.path() + ": " + e));
        });
        app.error(404, ctx -> {
            if (ctx.attribute(ANSWERED) == null) ctx.json(Map.of("error", "NOT_FOUND", "message", "no route " + ctx.method() + " " + ctx.path()));
        });
        routes.accept(app);
        app.start(host, port);
        return new NodeServer(app);
    }

    public int port() {
        return app.port();
    }

    public String url() {
        return "http://127.0.0.1:" + app.port();
    }

    @Override
    public void close() {
        app.stop();
    }
}
