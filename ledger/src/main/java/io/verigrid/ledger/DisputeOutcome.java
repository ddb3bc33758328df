package io.verigrid.ledger;

/**
 * How a dispute ended (spec §4's job report): the verdict, whether the referee decided it or a missed
 * deadline ({@code reason} REFEREE or TIMEOUT), where it narrowed to — unit, step, operator index and kind
 * ({@code ASSEMBLY} for a state-assembly dispute, null when it ended before reaching an operator) — the
 * rounds used, and every amount moved in base units.
 */
public record DisputeOutcome(String verdict, String reason, int unit, long step, int operatorIndex, String opKind,
                             int rounds, long providerSlashed, long challengerForfeited, long toChallenger,
                             long toProvider, long burned, long height) {}
