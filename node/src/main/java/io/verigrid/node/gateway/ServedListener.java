package io.verigrid.node.gateway;

/**
 * Told about every answered request, after its tokens are charged: how a provider settles them on the ledger and
 * how proof of sampling finds them. Called on the request's thread; must not block for long.
 */
@FunctionalInterface
public interface ServedListener {
    ServedListener NONE = served -> { };

    void served(ServedRequest served);
}
