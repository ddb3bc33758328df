package io.verigrid.node.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;

/**
 * One node's Prometheus counters, served as text at {@code /metrics}. Every role counts into the same names,
 * so a dashboard reads providers, verifiers and storage nodes alike. Counter names gain {@code _total} in the
 * exposition (Prometheus convention).
 */
public final class NodeMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter jobsLeased = counter("verigrid.jobs.leased", "jobs this provider leased");
    private final Counter unitsCommitted = counter("verigrid.units.committed", "checkpoint units this provider committed");
    private final Counter unitsVerified = counter("verigrid.units.verified", "units this verifier re-executed and attested");
    private final Counter unitsChallenged = counter("verigrid.units.challenged", "units this verifier challenged");
    private final Counter disputes = counter("verigrid.disputes", "disputes this node opened or answered");
    private final Counter blobBytesIn = counter("verigrid.blob.bytes.in", "verified blob bytes stored from uploads and peers");
    private final Counter blobBytesOut = counter("verigrid.blob.bytes.out", "blob bytes served to callers");
    private final Counter bidsPlaced = counter("verigrid.market.bids", "binding bids this provider placed");
    private final Counter leasesWon = counter("verigrid.market.leases", "market leases this provider won");
    private final Counter heartbeats = counter("verigrid.market.heartbeats", "lease heartbeats this provider sent");
    private final Counter chunkFailures = counter("verigrid.blob.chunk.verification.failures", "chunks rejected because their hash did not match");

    private Counter counter(String name, String help) {
        return Counter.builder(name).description(help).register(registry);
    }

    public void jobLeased() {
        jobsLeased.increment();
    }

    public void bidPlaced() {
        bidsPlaced.increment();
    }

    public void leaseWon() {
        leasesWon.increment();
    }

    public void heartbeat() {
        heartbeats.increment();
    }

    public void unitCommitted() {
        unitsCommitted.increment();
    }

    public void unitVerified() {
        unitsVerified.increment();
    }

    public void unitChallenged() {
        unitsChallenged.increment();
    }

    public void dispute() {
        disputes.increment();
    }

    public void blobBytesIn(long bytes) {
        blobBytesIn.increment(bytes);
    }

    public void blobBytesOut(long bytes) {
        blobBytesOut.increment(bytes);
    }

    public void chunkVerificationFailed() {
        chunkFailures.increment();
    }

    /** One answered HTTP request; {@code route} is the route template, so ids never multiply the series. */
    public void httpRequest(String method, String route, int status, Duration took) {
        Timer.builder("verigrid.http.requests").description("HTTP requests this node answered")
                .tag("method", method).tag("route", route).tag("status", Integer.toString(status))
                .register(registry).record(took);
    }

    /** The Prometheus text exposition of every counter. */
    public String scrape() {
        return registry.scrape();
    }
}
