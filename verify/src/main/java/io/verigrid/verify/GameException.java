package io.verigrid.verify;

/**
 * A dispute move the rules reject; the game is unchanged. {@link #reason()} is a stable code the ledger records
 * as the transaction's rejection reason: NOT_YOUR_TURN, WRONG_PHASE, SETTLED, DEADLINE_PASSED,
 * DEADLINE_NOT_PASSED, WRONG_COUNT, BAD_PROOF, BAD_PICK, MISSING_CLAIM, UNEXPECTED_CLAIM, MALFORMED.
 */
public final class GameException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String reason;

    public GameException(String reason, String detail) {
        super(reason + ": " + detail);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
