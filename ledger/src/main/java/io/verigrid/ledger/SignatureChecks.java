package io.verigrid.ledger;

import io.verigrid.ledger.tx.SignedTx;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A peer's Ed25519 checks: a batch is verified in parallel across a fixed pool, and a transaction this peer
 * already verified before ordering (in its submit path) is remembered by hash so its apply does not verify it
 * again. Both are safe for determinism: verification is a pure function of the bytes, so where and on how
 * many threads it runs cannot change the result, and apply stays serial. Thread-safe.
 */
public final class SignatureChecks implements AutoCloseable {
    /** Below this many signatures a batch is verified on the calling thread. */
    private static final int PARALLEL_FROM = 16;
    /** Bound on remembered hashes; on overflow the memory is dropped and apply simply verifies again. */
    private static final int MAX_REMEMBERED = 1 << 20;

    private final int threads;
    private final ExecutorService pool;
    private final Set<ByteBuffer> verified = ConcurrentHashMap.newKeySet();

    /** A pool of {@code threads} daemon threads (at least 1). */
    public SignatureChecks(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        this.threads = threads;
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "verigrid-sigcheck");
            t.setDaemon(true);
            return t;
        });
    }

    /** One thread per available processor. */
    public static SignatureChecks perProcessor() {
        return new SignatureChecks(Runtime.getRuntime().availableProcessors());
    }

    /** Records that the transaction with this hash carries a valid signature. */
    void remember(byte[] txHash) {
        if (verified.size() >= MAX_REMEMBERED) verified.clear();
        verified.add(ByteBuffer.wrap(txHash.clone()));
    }

    /** True once for a hash {@link #remember}ed before (the memory is consumed). */
    private boolean recall(byte[] txHash) {
        return txHash != null && verified.remove(ByteBuffer.wrap(txHash));
    }

    /**
     * The signature check of each transaction ({@code false} for a null entry); {@code hashes.get(i)} may name
     * a hash verified earlier. The answer does not depend on the thread count.
     */
    public boolean[] verify(List<SignedTx> txs, List<byte[]> hashes) {
        int n = txs.size();
        boolean[] valid = new boolean[n];
        // Remembered hashes are settled here at once; only the rest costs an Ed25519 check.
        int[] pending = new int[n];
        int count = 0;
        for (int i = 0; i < n; i++) {
            SignedTx tx = txs.get(i);
            if (tx == null) continue;
            if (recall(hashes.get(i))) valid[i] = true;
            else pending[count++] = i;
        }
        if (count < PARALLEL_FROM || threads == 1) {
            verifyRange(txs, valid, pending, 0, count);
            return valid;
        }
        // The caller verifies the first share itself, so it never sits idle behind a pool busy with other work.
        int chunk = (count + threads - 1) / threads;
        List<Future<?>> parts = new ArrayList<>();
        for (int from = chunk; from < count; from += chunk) {
            int lo = from, hi = Math.min(count, from + chunk);
            parts.add(pool.submit(() -> verifyRange(txs, valid, pending, lo, hi)));
        }
        verifyRange(txs, valid, pending, 0, Math.min(count, chunk));
        try {
            for (Future<?> part : parts) part.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking signatures", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("signature check failed", e.getCause());
        }
        return valid;
    }

    private static void verifyRange(List<SignedTx> txs, boolean[] valid, int[] indices, int lo, int hi) {
        for (int k = lo; k < hi; k++) {
            int i = indices[k];
            valid[i] = txs.get(i).signatureValid();
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
