package io.verigrid.ledger;

/** Stake on its way back to the balance: {@code amount} units released at block {@code releaseHeight}. */
public record Unbonding(long amount, long releaseHeight) {}
