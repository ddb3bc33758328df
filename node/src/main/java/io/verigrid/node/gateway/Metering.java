package io.verigrid.node.gateway;

/**
 * Who may use the gateway and how much. Each API key has a quota of tokens (prompt plus completion) and a
 * request rate limit. Before a request runs, {@link #admit} checks the key and returns the tokens it may
 * still spend; after it ends (finished, failed or abandoned by the client) {@link #record} charges exactly
 * the tokens that were processed. The binding of keys to ledger accounts, escrow and payment come with the
 * marketplace; an implementation backed by the ledger replaces {@link InMemoryMetering} then.
 *
 * <p>Implementations are thread-safe. Failures are {@link OpenAiException}s: 401 for an unknown key, 429
 * {@code rate_limit_exceeded} past the request rate, 429 {@code insufficient_quota} when no tokens are left.
 */
public interface Metering {
    /** Admits one request of {@code apiKey} (null when absent); returns the tokens the key may still spend. */
    long admit(String apiKey);

    /** Charges a finished request's tokens to {@code apiKey}. */
    void record(String apiKey, int promptTokens, int completionTokens);

    /**
     * Charges an embeddings call's tokens (all its inputs): one request of prompt tokens only. Each input is committed
     * and settled like a completion, so a ledger-backed metering counts them as unsettled escrow too.
     */
    default void recordEmbedding(String apiKey, int tokens) {
        record(apiKey, tokens, 0);
    }

    /** What {@code apiKey} has been charged so far. */
    Usage usage(String apiKey);

    /** Tokens and requests charged to one key. */
    record Usage(long promptTokens, long completionTokens, long requests) {
        public long totalTokens() {
            return promptTokens + completionTokens;
        }
    }
}
