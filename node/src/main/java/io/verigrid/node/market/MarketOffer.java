package io.verigrid.node.market;

import java.time.Duration;

/**
 * How a provider takes part in the compute market: the price per verified unit it asks (it bids that on every
 * order it can serve whose maximum is at least that) and how often it re-measures its capability.
 */
public record MarketOffer(long askUnitPrice, Duration remeasureEvery) {
    public MarketOffer {
        if (askUnitPrice <= 0) throw new IllegalArgumentException("askUnitPrice must be positive, got " + askUnitPrice);
        if (remeasureEvery == null || remeasureEvery.isNegative() || remeasureEvery.isZero()) {
            throw new IllegalArgumentException("remeasureEvery must be a positive duration, got " + remeasureEvery);
        }
    }
}
