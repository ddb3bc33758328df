package io.verigrid.verify;

/** How the referee settles a dispute (spec §3.5). */
public enum Verdict {
    /** Re-execution reproduced the provider's output: the challenger loses its bond. */
    PROVIDER_WINS,
    /** Re-execution reproduced the challenger's output, or the provider's evidence failed: the provider is slashed. */
    CHALLENGER_WINS,
    /** Re-execution matched neither claim: both are penalised. */
    BOTH_LOSE
}
