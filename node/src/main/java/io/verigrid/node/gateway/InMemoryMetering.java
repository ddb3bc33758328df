package io.verigrid.node.gateway;

import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * {@link Metering} held in memory: keys {@code vg-<32 hex>} with a token quota and a limit of requests per
 * sliding 60-second window, measured on an injected nanosecond clock. Usage is lost when the process ends.
 */
public final class InMemoryMetering implements Metering {
    private static final long WINDOW_NANOS = 60_000_000_000L;
    private final Map<String, Account> accounts = new ConcurrentHashMap<>();
    private final LongSupplier nanoClock;
    private final SecureRandom random = new SecureRandom();

    private static final class Account {
        final long quotaTokens;
        final int requestsPerMinute;
        final ArrayDeque<Long> recent = new ArrayDeque<>();
        long promptTokens;
        long completionTokens;
        long requests;

        Account(long quotaTokens, int requestsPerMinute) {
            this.quotaTokens = quotaTokens;
            this.requestsPerMinute = requestsPerMinute;
        }
    }

    public InMemoryMetering(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /** Metering on the system's monotonic clock. */
    public static InMemoryMetering withSystemClock() {
        return new InMemoryMetering(System::nanoTime);
    }

    /** Creates a key with a fresh random secret. */
    public String createKey(long quotaTokens, int requestsPerMinute) {
        byte[] secret = new byte[16];
        random.nextBytes(secret);
        String key = "vg-" + HexFormat.of().formatHex(secret);
        addKey(key, quotaTokens, requestsPerMinute);
        return key;
    }

    /** Registers {@code key} (it must start with {@code vg-}). */
    public void addKey(String key, long quotaTokens, int requestsPerMinute) {
        if (key == null || !key.startsWith("vg-") || key.length() < 8) {
            throw new IllegalArgumentException("key must look like vg-<secret>, got " + key);
        }
        if (quotaTokens < 0 || requestsPerMinute < 1) {
            throw new IllegalArgumentException("quotaTokens must be >= 0 and requestsPerMinute >= 1, got "
                    + quotaTokens + " and " + requestsPerMinute);
        }
        if (accounts.putIfAbsent(key, new Account(quotaTokens, requestsPerMinute)) != null) {
            throw new IllegalArgumentException("key " + key.substring(0, 6) + "… already exists");
        }
    }

    @Override
    public long admit(String apiKey) {
        Account account = apiKey == null ? null : accounts.get(apiKey);
        if (account == null) {
            throw new OpenAiException(401, "invalid_request_error", null, "invalid_api_key", apiKey == null
                    ? "You didn't provide an API key. Send it as 'Authorization: Bearer vg-…'."
                    : "Incorrect API key provided.");
        }
        synchronized (account) {
            long now = nanoClock.getAsLong();
            while (!account.recent.isEmpty() && now - account.recent.peekFirst() >= WINDOW_NANOS) {
                account.recent.pollFirst();
            }
            if (account.recent.size() >= account.requestsPerMinute) {
                throw new OpenAiException(429, "requests", null, "rate_limit_exceeded", "Rate limit reached: "
                        + account.requestsPerMinute + " requests per minute for this key. Try again later.");
            }
            long left = account.quotaTokens - account.promptTokens - account.completionTokens;
            if (left <= 0) {
                throw new OpenAiException(429, "insufficient_quota", null, "insufficient_quota",
                        "You exceeded your token quota of " + account.quotaTokens + " tokens.");
            }
            account.recent.addLast(now);
            account.requests++;
            return left;
        }
    }

    @Override
    public void record(String apiKey, int promptTokens, int completionTokens) {
        Account account = accounts.get(apiKey);
        if (account == null) {
            throw new IllegalArgumentException("apiKey is not a known key");
        }
        synchronized (account) {
            account.promptTokens += promptTokens;
            account.completionTokens += completionTokens;
        }
    }

    @Override
    public Usage usage(String apiKey) {
        Account account = accounts.get(apiKey);
        if (account == null) {
            throw new IllegalArgumentException("apiKey is not a known key");
        }
        synchronized (account) {
            return new Usage(account.promptTokens, account.completionTokens, account.requests);
        }
    }
}
