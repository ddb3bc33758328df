package io.verigrid.engine;

/**
 * The operator-set version. Every job records the version it ran under and the referee re-executes with
 * it; any change to an operator's arithmetic (and so to its golden hashes) must raise this number.
 */
public final class OpSet {
    public static final int VERSION = 2;

    private OpSet() {
    }
}
