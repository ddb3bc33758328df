package io.verigrid.ledger;

/**
 * A loss recorded on an account: {@code kind} is {@code SLASH} (provider stake) or {@code BOND} (challenger
 * bond and fee), {@code amount} the units taken, at block {@code height}; {@code reason} says why in words the
 * loser can check: the verdict, how the game ended, and the operator or step it was decided on.
 */
public record Penalty(long disputeId, long jobId, String kind, long amount, long height, String reason) {
    public static final String SLASH = "SLASH";
    public static final String BOND = "BOND";
}
