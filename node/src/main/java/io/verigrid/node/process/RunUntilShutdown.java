package io.verigrid.node.process;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/** Keeps a node running until the JVM shuts down or the thread is interrupted, then closes it exactly once. */
final class RunUntilShutdown {
    private RunUntilShutdown() {}

    static void hold(AutoCloseable node) throws InterruptedException {
        CountDownLatch closed = new CountDownLatch(1);
        AtomicBoolean closing = new AtomicBoolean();
        Runnable close = () -> {
            if (!closing.compareAndSet(false, true)) return;
            try {
                node.close();
            } catch (Exception e) {
                System.err.println("verigrid: closing failed: " + e.getMessage());
            } finally {
                closed.countDown();
            }
        };
        Thread hook = new Thread(close, "verigrid-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            closed.await();
        } finally {
            close.run();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running already
            }
        }
    }
}
