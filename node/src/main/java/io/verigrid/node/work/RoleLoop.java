package io.verigrid.node.work;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs a role's {@code tick} on its own thread at a fixed delay. A failed tick is reported in one line and
 * the role carries on: a peer that is briefly unreachable must not stop a provider or a verifier.
 */
public final class RoleLoop implements AutoCloseable {
    private final ScheduledExecutorService executor;
    private volatile boolean closing;

    public RoleLoop(String name, long delayMillis, Runnable tick, Consumer<String> log) {
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(() -> {
            try {
                tick.run();
            } catch (RuntimeException e) {
                if (!closing) log.accept(name + ": " + e.getMessage());
            }
        }, 0, delayMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        closing = true;
        executor.shutdownNow();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
