package io.verigrid.node.inference;

import io.verigrid.ledger.InferenceViews;
import io.verigrid.node.gateway.InMemoryMetering;
import io.verigrid.node.gateway.Metering;
import io.verigrid.node.gateway.OpenAiException;
import io.verigrid.node.ledger.LedgerHttp;
import io.verigrid.verify.Hashes;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link Metering} backed by the ledger: a key is valid when its hash is registered on the ledger
 * ({@code RegisterApiKey}), and it may spend what its account's inference escrow still covers at the model's
 * price, less what this gateway has charged but not yet settled. Per-key request rates and token quotas stay
 * local ({@link InMemoryMetering}), as before.
 */
public final class LedgerMetering implements Metering {
    private final LedgerHttp ledger;
    private final long pricePerToken;
    private final long quotaTokens;
    private final int requestsPerMinute;
    private final InMemoryMetering limits = InMemoryMetering.withSystemClock();
    private final Map<String, String> accounts = new ConcurrentHashMap<>();
    private final Map<String, Long> unsettled = new ConcurrentHashMap<>();

    public LedgerMetering(LedgerHttp ledger, long pricePerToken, long quotaTokens, int requestsPerMinute) {
        if (pricePerToken < 1) throw new IllegalArgumentException("pricePerToken must be >= 1, got " + pricePerToken);
        this.ledger = ledger;
        this.pricePerToken = pricePerToken;
        this.quotaTokens = quotaTokens;
        this.requestsPerMinute = requestsPerMinute;
    }

    /** The hash a key is registered under on the ledger: SHA-256 of its text. */
    public static byte[] keyHash(String apiKey) {
        return Hashes.sha256(apiKey.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public long admit(String apiKey) {
        if (apiKey == null) {
            throw new OpenAiException(401, "invalid_request_error", null, "invalid_api_key",
                    "You didn't provide an API key. Send it as 'Authorization: Bearer vg-…'.");
        }
        InferenceViews.KeyView key = ledger.inferenceKey(Hashes.hex(keyHash(apiKey)));
        if (key == null) {
            throw new OpenAiException(401, "invalid_request_error", null, "invalid_api_key", "Incorrect API key provided.");
        }
        accounts.computeIfAbsent(apiKey, k -> { // atomic: concurrent first requests of a key wait for its limits
            limits.addKey(k, quotaTokens, requestsPerMinute);
            return key.account();
        });
        long left = limits.admit(apiKey);
        long escrowTokens = (key.escrow() - unsettled.getOrDefault(key.account(), 0L)) / pricePerToken;
        if (escrowTokens <= 0) {
            throw new OpenAiException(429, "insufficient_quota", null, "insufficient_quota", "The inference escrow of account "
                    + key.account() + " is exhausted; deposit more with a DepositInference transaction.");
        }
        return Math.min(left, escrowTokens);
    }

    @Override
    public void record(String apiKey, int promptTokens, int completionTokens) {
        limits.record(apiKey, promptTokens, completionTokens);
        String account = accounts.get(apiKey);
        if (account != null) {
            unsettled.merge(account, ((long) promptTokens + completionTokens) * pricePerToken, Long::sum);
        }
    }

    /** The settlement of {@code tokens} of {@code apiKey} landed: the ledger's escrow now reflects them. */
    void settled(String apiKey, long tokens) {
        String account = accounts.get(apiKey);
        if (account != null) unsettled.merge(account, -tokens * pricePerToken, Long::sum);
    }

    @Override
    public Usage usage(String apiKey) {
        return limits.usage(apiKey);
    }
}
