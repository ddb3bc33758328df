package io.verigrid.ledger;

/**
 * The outcome of one transaction: accepted, or rejected with a stable reason {@code code} (see
 * {@link Rejection}) and a human message. {@code height} is the block the transaction landed in.
 */
public record TxResult(String txHash, boolean accepted, String code, String message, long height) {
    public static final String OK = "OK";

    public static TxResult ok(String txHash, long height) {
        return new TxResult(txHash, true, OK, "applied", height);
    }

    public static TxResult rejected(String txHash, String code, String message, long height) {
        return new TxResult(txHash, false, code, message, height);
    }
}
