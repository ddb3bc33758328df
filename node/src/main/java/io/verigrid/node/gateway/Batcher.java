package io.verigrid.node.gateway;

import io.verigrid.engine.Parallelism;
import io.verigrid.engine.generate.DecoderModel;
import io.verigrid.engine.generate.Generation;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Continuous batching on one decode thread: every step advances all running generations by one token in one
 * {@link Generation#step} call; requests that arrive join at the next step (their prompt is prefilled in
 * that same call). The model is batch-invariant, so a request's tokens and logits do not depend on what it
 * was batched with. Counters report how many steps ran at which batch size.
 */
public final class Batcher implements AutoCloseable {
    /** Batch sizes counted one by one up to this; larger ones share the last slot. */
    public static final int SIZE_SLOTS = 64;

    private final DecoderModel model;
    private final Parallelism par;
    private final int maxSequences;
    private final LinkedBlockingQueue<Entry> arrivals = new LinkedBlockingQueue<>();
    private final Thread thread;
    private final AtomicLong steps = new AtomicLong();
    private final AtomicLong tokens = new AtomicLong();
    private final AtomicLongArray stepsBySize = new AtomicLongArray(SIZE_SLOTS + 1);
    private volatile boolean closed;

    private record Entry(Generation generation, CompletableFuture<Generation> done) {
    }

    /** What the decode loop has done so far. */
    public record Stats(long steps, long sequenceSteps, long largestBatch, long stepsWithMoreThanOne) {
    }

    /** Starts the decode thread; at most {@code maxSequences} sequences are decoded in one step. */
    public Batcher(DecoderModel model, Parallelism par, int maxSequences) {
        if (maxSequences < 1) {
            throw new IllegalArgumentException("maxSequences must be >= 1, got " + maxSequences);
        }
        this.model = model;
        this.par = par;
        this.maxSequences = maxSequences;
        this.thread = new Thread(this::loop, "verigrid-gateway-decode");
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues {@code generation}; the future completes when it is done (or fails with the decode error). */
    public CompletableFuture<Generation> submit(Generation generation) {
        CompletableFuture<Generation> done = new CompletableFuture<>();
        if (closed) {
            done.completeExceptionally(new IllegalStateException("the gateway is shutting down"));
            return done;
        }
        arrivals.add(new Entry(generation, done));
        return done;
    }

    public Stats stats() {
        long largest = 0;
        long many = 0;
        for (int size = 1; size <= SIZE_SLOTS; size++) {
            long count = stepsBySize.get(size);
            if (count > 0) {
                largest = size;
                if (size > 1) {
                    many += count;
                }
            }
        }
        return new Stats(steps.get(), tokens.get(), largest, many);
    }

    private void loop() {
        List<Entry> running = new ArrayList<>();
        while (!closed) {
            try {
                if (running.isEmpty()) {
                    Entry first = arrivals.poll(100, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    running.add(first);
                }
                admitArrivals(running);
                List<Generation> batch = running.stream().map(Entry::generation).toList();
                int size;
                try {
                    size = Generation.step(model, batch, par);
                } catch (RuntimeException e) {
                    running.forEach(entry -> entry.done().completeExceptionally(e));
                    running.clear();
                    continue;
                }
                if (size > 0) {
                    steps.incrementAndGet();
                    tokens.addAndGet(size);
                    stepsBySize.incrementAndGet(Math.min(size, SIZE_SLOTS));
                }
                running.removeIf(entry -> {
                    if (entry.generation().isDone()) {
                        entry.done().complete(entry.generation());
                        return true;
                    }
                    return false;
                });
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        IllegalStateException stopped = new IllegalStateException("the gateway is shutting down");
        running.forEach(entry -> entry.done().completeExceptionally(stopped));
        arrivals.forEach(entry -> entry.done().completeExceptionally(stopped));
    }

    /** Moves waiting requests into the batch while their choices fit in {@code maxSequences}. */
    private void admitArrivals(List<Entry> running) {
        int sequences = running.stream().mapToInt(entry -> entry.generation().request().n()).sum();
        Entry next;
        while ((next = arrivals.peek()) != null
                && (sequences == 0 || sequences + next.generation().request().n() <= maxSequences)) {
            arrivals.poll();
            running.add(next);
            sequences += next.generation().request().n();
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
