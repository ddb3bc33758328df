package io.verigrid.node.gateway;

/**
 * Told about every answered request, after its tokens are charged: how a provider settles them on the ledger and
 * how proof of sampling finds them. Called on the request's thread; must not block for long.
 */
@FunctionalInterface
public interface ServedListener {
    ServedListener NONE = served -> { };

    void served(ServedRequest served);

    /**
     * This listener, with its failures logged instead of thrown: a request already answered and charged must not
     * turn into an error for its client because its settlement could not be queued.
     */
    default ServedListener loggingFailures() {
        return served -> {
            try {
                served(served);
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(ServedListener.class)
                        .warn("gateway: settling request {} failed", served.requestHashHex(), e);
            }
        };
    }
}
