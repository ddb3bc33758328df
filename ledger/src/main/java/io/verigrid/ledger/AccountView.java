package io.verigrid.ledger;

import java.util.List;

/** An account as queries show it; amounts in base units, {@code bannedFromJobs} the jobs it lost a dispute on. */
public record AccountView(String address, long balance, long nonce, long stake, long unbondingTotal,
                          List<Unbonding> unbonding, List<Penalty> penalties, List<Long> bannedFromJobs) {}
