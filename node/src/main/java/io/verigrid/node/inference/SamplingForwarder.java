package io.verigrid.node.inference;

import io.verigrid.ledger.InferenceViews;
import io.verigrid.node.http.HttpJsonClient;
import io.verigrid.node.ledger.LedgerHttp;
import io.verigrid.verify.Hashes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Proof of sampling, the gateway's half: a settled request is sampled when its seed — H(hash of the block
 * {@code sampleDelayBlocks} after its hold landed ‖ request hash), unknown to the provider when it committed — read
 * as an unsigned 64-bit fraction falls below the key's {@code samplePpm}. A sampled request goes, unchanged (same
 * seed), to a verifier node's {@code POST /inference/verify}, which re-executes it.
 */
public final class SamplingForwarder {
    private final LedgerHttp ledger;
    private final String verifierUrl;
    private final HttpJsonClient http = new HttpJsonClient(Duration.ofSeconds(10));
    private final ConcurrentLinkedQueue<ServedRecord> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicLong sampled = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();

    public SamplingForwarder(LedgerHttp ledger, String verifierUrl) {
        this.ledger = ledger;
        this.verifierUrl = verifierUrl;
    }

    public void settled(ServedRecord settled) {
        waiting.add(settled);
    }

    /** Decides every request whose seed block exists; forwards the sampled ones (retried next tick if that fails). */
    public void tick() {
        List<ServedRecord> later = new ArrayList<>();
        try {
            for (ServedRecord s; (s = waiting.poll()) != null; ) {
                try {
                    if (!decide(s)) later.add(s);
                } catch (RuntimeException e) {
                    later.add(s); // the ledger or the verifier did not answer: try again
                    throw e;
                }
            }
        } finally {
            waiting.addAll(later);
        }
    }

    /** True when the request is decided (forwarded, not sampled, or no longer held); false to look again later. */
    private boolean decide(ServedRecord s) {
        String hash = s.requestHashHex();
        String seed = ledger.inferenceSeed(hash);
        if (seed == null) return ledger.inferenceHold(hash) == null; // seed block not cut yet, unless the hold is gone
        InferenceViews.KeyView key = ledger.inferenceKey(Hashes.hex(s.keyHash()));
        if (key == null || !isSampled(Hashes.unhex(seed), key.samplePpm())) {
            skipped.incrementAndGet();
            return true;
        }
        http.postJson(verifierUrl + "/inference/verify", Map.of(
                "request", HexFormat.of().formatHex(s.request().encode()),
                "lengths", s.lengths(),
                "responseRoot", HexFormat.of().formatHex(s.responseRoot())));
        sampled.incrementAndGet();
        return true;
    }

    /** True iff the seed's first 8 bytes, as an unsigned fraction of 2^64, fall below samplePpm / 10^6. */
    static boolean isSampled(byte[] seed, int samplePpm) {
        if (samplePpm >= 1_000_000) return true;
        long bits = 0;
        for (int i = 0; i < 8; i++) bits = (bits << 8) | (seed[i] & 0xFF);
        // bits / 2^64 < ppm / 10^6  ⇔  (bits >>> 11) · 10^6 < ppm · 2^53 (both sides fit in an unsigned 128-bit compare)
        return java.math.BigInteger.valueOf(bits >>> 11).multiply(java.math.BigInteger.valueOf(1_000_000))
                .compareTo(java.math.BigInteger.valueOf(samplePpm).shiftLeft(53)) < 0;
    }

    public Map<String, Long> stats() {
        return Map.of("sampled_requests", sampled.get(), "unsampled_requests", skipped.get(), "awaiting_seed", (long) waiting.size());
    }
}
