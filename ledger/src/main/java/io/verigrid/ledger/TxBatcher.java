package io.verigrid.ledger;

import com.fasterxml.jackson.databind.JavaType;
import io.verigrid.ledger.tx.MalformedTxException;
import io.verigrid.ledger.tx.SignedTx;
import io.verigrid.verify.Hashes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The submit path: transactions submitted concurrently are grouped into one batch entry per Raft round
 * (up to {@link #MAX_TXS} transactions or {@link #MAX_BYTES} bytes), group-commit style: one round in flight,
 * the next batch gathering meanwhile and leaving the moment that round is acknowledged (no fixed wait), and each
 * caller gets its own transaction's result. With a {@link PreCheck} (a peer's own client) the batch is decoded
 * and its signatures verified in parallel before ordering: undecodable, foreign-chain and badly signed
 * transactions are refused at once without reaching the log (their result has height −1), and the valid ones
 * are remembered so this peer's apply does not verify them again. Other peers verify in their apply.
 */
final class TxBatcher implements AutoCloseable {
    static final int MAX_TXS = 2_000;
    static final int MAX_BYTES = 4 << 20;
    /** One round in flight: the next batch gathers while the current one commits (group commit). */
    private static final int MAX_IN_FLIGHT = 1;
    private static final Logger LOG = LoggerFactory.getLogger(TxBatcher.class);
    private static final JavaType RESULTS =
            LedgerQuery.JSON.getTypeFactory().constructCollectionType(List.class, TxResult.class);

    /** What a peer checks before ordering: its chain, its size limit and its signature checks. */
    record PreCheck(String chainId, int maxTxBytes, SignatureChecks signatures) {}

    private record Pending(byte[] bytes, CompletableFuture<TxResult> result) {}

    private final Function<byte[], CompletableFuture<byte[]>> send;
    private final PreCheck preCheck;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    private final Thread flusher;
    private volatile boolean closed;

    /** {@code send} writes one log entry and completes with the state machine's reply. */
    TxBatcher(String name, Function<byte[], CompletableFuture<byte[]>> send, PreCheck preCheck) {
        this.send = send;
        this.preCheck = preCheck;
        this.flusher = new Thread(this::run, "verigrid-batcher-" + name);
        flusher.setDaemon(true);
        flusher.start();
    }

    CompletableFuture<TxResult> submit(byte[] encodedSignedTx) {
        if (encodedSignedTx == null) throw new IllegalArgumentException("encodedSignedTx must not be null");
        if (closed) return CompletableFuture.failedFuture(new IllegalStateException("ledger client is closed"));
        CompletableFuture<TxResult> result = new CompletableFuture<>();
        queue.add(new Pending(encodedSignedTx.clone(), result));
        return result;
    }

    private void run() {
        while (!closed) {
            List<Pending> batch = new ArrayList<>();
            List<Pending> ordered = new ArrayList<>();
            boolean holdsRound = false;
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) continue;
                batch.add(first);
                drainInto(batch);
                // Checked while the previous round is still committing; then group commit: once that round is
                // acknowledged, whatever queued meanwhile joins this batch, so a busy ledger gets fuller batches
                // and an idle one sends a lone transaction at once.
                ordered.addAll(check(batch));
                inFlight.acquire();
                holdsRound = true;
                int checked = batch.size();
                drainInto(batch);
                ordered.addAll(check(batch.subList(checked, batch.size())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                IllegalStateException error = new IllegalStateException("ledger client closed before the transaction was sent");
                batch.forEach(p -> p.result().completeExceptionally(error));
                return;
            } catch (RuntimeException e) {
                LOG.error("ledger batcher error", e);
                if (holdsRound) inFlight.release();
                batch.forEach(p -> p.result().completeExceptionally(e));
                continue;
            }
            try {
                if (ordered.isEmpty()) inFlight.release();
                else sendBatch(ordered);
            } catch (RuntimeException e) {
                LOG.error("ledger batcher error", e);
                inFlight.release();
                ordered.forEach(p -> p.result().completeExceptionally(e));
            }
        }
    }

    private List<Pending> check(List<Pending> pending) {
        return preCheck == null ? new ArrayList<>(pending) : refuseEarly(pending);
    }

    /** Moves queued transactions into {@code batch} up to the batch limits. */
    private void drainInto(List<Pending> batch) {
        long bytes = 0;
        for (Pending p : batch) bytes += p.bytes().length;
        Pending next;
        while (batch.size() < MAX_TXS && (next = queue.peek()) != null && bytes + next.bytes().length <= MAX_BYTES) {
            batch.add(queue.poll());
            bytes += next.bytes().length;
        }
    }

    /** Completes the transactions that cannot be valid; returns the rest, signatures remembered as checked. */
    private List<Pending> refuseEarly(List<Pending> batch) {
        List<SignedTx> decoded = new ArrayList<>(batch.size());
        List<byte[]> hashes = new ArrayList<>(batch.size());
        List<Pending> candidates = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            byte[] hash = Hashes.sha256(p.bytes());
            try {
                SignedTx tx = SignedTx.decode(p.bytes(), preCheck.maxTxBytes());
                if (!tx.tx().chainId().equals(preCheck.chainId())) {
                    p.result().complete(TxResult.rejected(Hashes.hex(hash), Rejection.WRONG_CHAIN,
                            "tx is for chain " + tx.tx().chainId() + ", this is " + preCheck.chainId(), -1));
                    continue;
                }
                decoded.add(tx);
                hashes.add(hash);
                candidates.add(p);
            } catch (MalformedTxException e) {
                String code = p.bytes().length > preCheck.maxTxBytes() ? Rejection.TOO_LARGE : Rejection.MALFORMED;
                p.result().complete(TxResult.rejected(Hashes.hex(hash), code, e.getMessage(), -1));
            }
        }
        // No hash is remembered yet, so this verifies every signature (on the pool, in parallel).
        boolean[] valid = preCheck.signatures().verify(decoded, hashes);
        List<Pending> ordered = new ArrayList<>(candidates.size());
        for (int i = 0; i < candidates.size(); i++) {
            Pending p = candidates.get(i);
            if (valid[i]) {
                preCheck.signatures().remember(hashes.get(i));
                ordered.add(p);
            } else {
                p.result().complete(TxResult.rejected(Hashes.hex(hashes.get(i)), Rejection.BAD_SIGNATURE,
                        "signature does not verify for sender " + Hashes.hex(decoded.get(i).tx().sender()), -1));
            }
        }
        return ordered;
    }

    private void sendBatch(List<Pending> batch) {
        List<byte[]> txs = new ArrayList<>(batch.size());
        for (Pending p : batch) txs.add(p.bytes());
        CompletableFuture<byte[]> reply;
        try {
            reply = send.apply(Entries.batch(txs));
        } catch (RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        reply.whenComplete((json, failure) -> {
            inFlight.release();
            if (failure != null) {
                batch.forEach(p -> p.result().completeExceptionally(failure));
                return;
            }
            try {
                List<TxResult> results = LedgerQuery.JSON.readValue(json, RESULTS);
                if (results.size() != batch.size()) {
                    throw new IOException("batch of " + batch.size() + " answered with " + results.size() + " results");
                }
                for (int i = 0; i < batch.size(); i++) batch.get(i).result().complete(results.get(i));
            } catch (IOException e) {
                UncheckedIOException error = new UncheckedIOException("unreadable ledger reply", e);
                batch.forEach(p -> p.result().completeExceptionally(error));
            }
        });
    }

    /** Stops the flusher; transactions still queued fail. */
    @Override
    public void close() {
        closed = true;
        flusher.interrupt();
        try {
            flusher.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        IllegalStateException error = new IllegalStateException("ledger client closed before the transaction was sent");
        for (Pending p; (p = queue.poll()) != null; ) p.result().completeExceptionally(error);
    }
}
