package io.verigrid.ledger.tx;

/** Bytes that are not a well-formed Verigrid transaction: truncated, trailing, oversized or out of range. */
public final class MalformedTxException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public MalformedTxException(String message) {
        super(message);
    }

    public MalformedTxException(String message, Throwable cause) {
        super(message, cause);
    }
}
