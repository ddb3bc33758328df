package io.verigrid.node.ledger;

import io.javalin.Javalin;
import io.verigrid.ledger.LedgerClient;
import io.verigrid.node.http.ApiException;
import io.verigrid.node.http.PathParams;

/** The market's read routes on a ledger node: orders, bids, leases, providers (with reputation) and parameters. */
public final class MarketApi {
    private MarketApi() {}

    public static void routes(Javalin app, LedgerClient ledger) {
        app.get("/market/params", ctx -> ctx.json(ledger.marketParams()));
        app.get("/market/orders", ctx -> ctx.json(ledger.marketOrders()));
        app.get("/market/orders/{id}", ctx -> ctx.json(found(ledger.marketOrder(PathParams.longParam(ctx, "id", 1)), "order " + ctx.pathParam("id"))));
        app.get("/market/orders/{id}/bids", ctx -> ctx.json(ledger.marketBids(PathParams.longParam(ctx, "id", 1))));
        app.get("/market/bids", ctx -> ctx.json(ledger.marketBids(0)));
        app.get("/market/leases", ctx -> ctx.json(ledger.marketLeases()));
        app.get("/market/providers", ctx -> ctx.json(ledger.marketProviders()));
        app.get("/market/providers/{address}", ctx -> {
            String address = ctx.pathParam("address");
            if (!address.matches("[0-9a-fA-F]{64}")) throw ApiException.badRequest("address must be 64 hex characters, got '" + address + "'");
            ctx.json(found(ledger.marketProvider(address), "provider " + address));
        });
    }

    private static <T> T found(T value, String what) {
        if (value == null) throw ApiException.notFound(what);
        return value;
    }
}
