package io.verigrid.node.ledger;

import static io.verigrid.node.http.PathParams.intParam;
import static io.verigrid.node.http.PathParams.intQuery;
import static io.verigrid.node.http.PathParams.longParam;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.verigrid.ledger.LedgerClient;
import io.verigrid.ledger.LedgerPeer;
import io.verigrid.ledger.tx.MalformedTxException;
import io.verigrid.ledger.tx.SignedTx;
import io.verigrid.node.http.ApiException;
import io.verigrid.node.http.NodeServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * The ledger peer's HTTP API: submit a signed transaction (answered once it is committed, with the ledger's
 * result) and read accounts, jobs, disputes, blocks and parameters. Reads go through Ratis, so every peer
 * answers the same. {@code /dashboard} (and {@code /}) is a page that shows the same answers to a person.
 */
public final class LedgerApi {
    /** How many disputes {@code GET /ledger/disputes} lists, newest first. */
    static final int DISPUTES_LISTED = 100;
    /** The most blocks {@code GET /ledger/blocks?limit=N} lists, newest first (10 without a limit). */
    static final int BLOCKS_LISTED = 100;
    /** A page that lays out this API's answers, refreshing itself: chain head, blocks, jobs, disputes, market, subnets, inference. */
    private static final String DASHBOARD = resource("/dashboard/index.html");

    private LedgerApi() {}

    private static String resource(String name) {
        try (InputStream in = LedgerApi.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException(name + " is missing from the node jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The routes plus {@code GET /ledger/peer}: this peer's own id, leadership, halt state and local chain head. */
    public static void routes(Javalin app, LedgerPeer peer) {
        routes(app, peer.client());
        app.get("/ledger/peer", ctx -> ctx.json(PeerView.of(peer)));
        // Writes a snapshot of this peer's state now (the log before it can then be purged); answers its log index.
        // An operator control, like a provider's /admin routes: only from the peer's own machine.
        app.before("/ledger/snapshot", NodeServer::requireLoopback);
        app.post("/ledger/snapshot", ctx -> ctx.json(Map.of("index", peer.takeSnapshot())));
    }

    public static void routes(Javalin app, LedgerClient ledger) {
        app.get("/", ctx -> ctx.redirect("/dashboard"));
        app.get("/dashboard", ctx -> ctx.html(DASHBOARD));
        app.post("/ledger/tx", ctx -> ctx.json(ledger.submit(decodeTx(ctx))));
        MarketApi.routes(app, ledger);
        app.get("/ledger/status", ctx -> ctx.json(ledger.status()));
        app.get("/ledger/params", ctx -> ctx.json(ledger.params()));
        app.get("/ledger/accounts/{address}", ctx -> ctx.json(ledger.account(hexParam(ctx, "address", 32))));
        app.get("/ledger/jobs", ctx -> ctx.json(ledger.jobs()));
        app.get("/ledger/jobs/{id}", ctx -> ctx.json(found(ledger.job(longParam(ctx, "id", 0)), "job " + ctx.pathParam("id"))));
        app.get("/ledger/jobs/{id}/preprocess", ctx -> ctx.json(found(ledger.preprocessJob(longParam(ctx, "id", 0)), "preprocessing job " + ctx.pathParam("id"))));
        app.get("/ledger/disputes", ctx -> ctx.json(ledger.disputes(DISPUTES_LISTED)));
        app.get("/ledger/disputes/{id}", ctx -> ctx.json(found(ledger.dispute(longParam(ctx, "id", 0)), "dispute " + ctx.pathParam("id"))));
        app.get("/ledger/blocks", ctx -> ctx.json(ledger.blocks(intQuery(ctx, "limit", 1, BLOCKS_LISTED, 10))));
        app.get("/ledger/blocks/{height}", ctx -> ctx.json(found(ledger.block(longParam(ctx, "height", 0)), "block " + ctx.pathParam("height"))));
        app.get("/ledger/txs/{hash}", ctx -> ctx.json(found(ledger.tx(ctx.pathParam("hash")), "transaction " + ctx.pathParam("hash"))));
        app.get("/ledger/subnets", ctx -> ctx.json(ledger.subnets()));
        app.get("/ledger/subnets/{netuid}", ctx -> ctx.json(found(ledger.subnet(intParam(ctx, "netuid", 0)), "subnet " + ctx.pathParam("netuid"))));
        app.get("/ledger/subnets/{netuid}/metagraph", ctx -> ctx.json(found(ledger.metagraph(intParam(ctx, "netuid", 0)), "subnet " + ctx.pathParam("netuid"))));
        app.get("/ledger/subnets/{netuid}/scores", ctx -> ctx.json(found(ledger.scoreReports(intParam(ctx, "netuid", 0)), "subnet " + ctx.pathParam("netuid"))));
        // Verified inference: {what} is models, model:ID, key:HASH, escrow:ADDRESS, hold:HASH, holds, seed:HASH,
        // dispute:ID or disputes; answered as {"value": …} (null when there is no such thing).
        app.get("/ledger/inference/{what}", ctx -> {
            Map<String, Object> body = new HashMap<>();
            body.put("value", ledger.inference(ctx.pathParam("what")));
            ctx.json(body);
        });
        app.get("/ledger/jobs/{id}/units/{unit}/sample-seed", ctx -> {
            long id = longParam(ctx, "id", 0);
            int unit = intParam(ctx, "unit", 0);
            found(ledger.job(id), "job " + id);
            byte[] seed = ledger.sampleSeed(id, unit); // null until the unit's seed block exists
            Map<String, Object> body = new HashMap<>();
            body.put("seed", seed == null ? null : HexFormat.of().formatHex(seed));
            ctx.json(body);
        });
    }

    private static SignedTx decodeTx(Context ctx) {
        String hex;
        try {
            hex = ctx.bodyAsClass(Map.class).get("tx") instanceof String s ? s : null;
        } catch (Exception e) { // Jackson's parse errors arrive unchecked through Javalin
            throw new ApiException(400, "MALFORMED", "request body must be JSON {\"tx\": \"<hex>\"}");
        }
        if (hex == null) throw new ApiException(400, "MALFORMED", "request body must be JSON {\"tx\": \"<hex>\"}");
        try {
            return SignedTx.decode(HexFormat.of().parseHex(hex));
        } catch (MalformedTxException e) {
            throw new ApiException(400, "MALFORMED", "malformed transaction: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, "MALFORMED", "transaction is not valid hex or not a transaction: " + e.getMessage());
        }
    }

    private static <T> T found(T value, String what) {
        if (value == null) throw ApiException.notFound(what);
        return value;
    }

    private static byte[] hexParam(Context ctx, String name, int length) {
        String text = ctx.pathParam(name);
        try {
            byte[] bytes = HexFormat.of().parseHex(text);
            if (bytes.length == length) return bytes;
        } catch (IllegalArgumentException e) {
            // falls through to the error below
        }
        throw ApiException.badRequest(name + " must be " + (2 * length) + " hex characters, got '" + text + "'");
    }
}
