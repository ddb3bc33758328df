package io.verigrid.ledger;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's block timer: every interval, while this peer leads, it submits one block entry, so heights
 * (and with them deadlines and unbonding) advance on an idle chain. One entry at a time: the next is
 * scheduled only after the previous one committed. The state machine itself never reads a clock.
 */
final class BlockProducer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BlockProducer.class);
    private final ScheduledExecutorService timer;

    BlockProducer(String peerId, long intervalMillis, BooleanSupplier isLeader, Runnable produceBlock) {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "verigrid-blocks-" + peerId);
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> {
            try {
                if (isLeader.getAsBoolean()) produceBlock.run();
            } catch (RuntimeException e) {
                // A leader change or shutdown in flight: the next tick (on whichever peer leads) retries.
                LOG.warn("block entry not submitted by {}: {}", peerId, e.toString());
            }
        }, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        // No interrupt while a block entry is in flight: Ratis's blocking client takes an interrupt for an I/O
        // failure and resends at once, in a loop of fresh gRPC streams, until the client closes.
        timer.shutdown();
        if (!timer.awaitTermination(10, TimeUnit.SECONDS)) timer.shutdownNow();
    }
}
