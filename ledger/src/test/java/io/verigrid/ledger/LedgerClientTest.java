package io.verigrid.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.verigrid.ledger.tx.TxBody;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.RaftRetryFailureException;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A ledger client survives the breakage of Ratis's ordered async stream, and resends only what never left. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class LedgerClientTest {
    @TempDir
    Path dir;

    @Test
    void aClientWhoseOrderedAsyncStreamBrokeKeepsCommittingInOrder() throws Exception {
        Keys alice = TestChain.keys(1), bob = TestChain.keys(2);
        try (LedgerPeer peer = LedgerPeer.start(PeerConfig.single(dir, LedgerPeerTest.freePort(), TestChain.genesis(), 0))) {
            LedgerClient client = peer.client();
            assertTrue(client.submit(TestChain.tx(alice, 1, new TxBody.Transfer(bob.publicKey(), 1))).accepted());
            // The state a connection reset racing a send leaves behind (seen under load): Ratis fails the ordered
            // sliding window with a non-I/O error, and every later async send on it fails as "closed".
            breakOrderedAsync(client);
            List<CompletableFuture<TxResult>> results = new ArrayList<>();
            for (int n = 2; n <= 50; n++) results.add(client.submitAsync(TestChain.tx(alice, n, new TxBody.Transfer(bob.publicKey(), 1))));
            for (CompletableFuture<TxResult> r : results) assertTrue(r.get(30, TimeUnit.SECONDS).accepted(), "committed after the breakage");
            assertEquals(50, client.account(alice.publicKey()).nonce(), "every transfer once, in nonce order");
            assertEquals(TestChain.FUNDS + 50, client.account(bob.publicKey()).balance());
        }
    }

    /** Fails the client's ordered async sliding windows the way Ratis does after a non-I/O send failure. */
    private static void breakOrderedAsync(LedgerClient client) throws Exception {
        Field raftField = LedgerClient.class.getDeclaredField("raft");
        raftField.setAccessible(true);
        Object raft = raftField.get(client);
        Method ordered = raft.getClass().getDeclaredMethod("getOrderedAsync");
        ordered.setAccessible(true);
        Object orderedAsync = ordered.invoke(raft);
        Field windows = orderedAsync.getClass().getDeclaredField("slidingWindows");
        windows.setAccessible(true);
        Map<?, ?> byTarget = (Map<?, ?>) windows.get(orderedAsync);
        assertFalse(byTarget.isEmpty(), "the first write opened the ordered window");
        for (Object window : byTarget.values()) {
            Field failure = window.getClass().getDeclaredField("exception"); // what SlidingWindow.Client.fail records
            failure.setAccessible(true);
            failure.set(window, new NullPointerException("\"proxy\" is null"));
        }
    }

    @Test
    void onlyWritesThatNeverLeftAreSentAgain() {
        // The ordered async stream's breakage: a closed sliding window, or a send that broke before writing.
        assertTrue(LedgerClient.neverSent(new AlreadyClosedException("client->group SlidingWindow$Client is closed.")));
        assertTrue(LedgerClient.neverSent(new CompletionException(new NullPointerException("\"proxy\" is null"))));
        assertTrue(LedgerClient.neverSent(new CompletionException(new CompletionException(new AlreadyClosedException("closed")))));
        // I/O failures Ratis gave up on may have reached the leader: those fail their batch instead.
        assertFalse(LedgerClient.neverSent(new CompletionException(new RaftRetryFailureException(null, 5, null, new IOException("timeout")))));
        assertFalse(LedgerClient.neverSent(new StateMachineException("apply failed")));
        assertFalse(LedgerClient.neverSent(new CompletionException(new IOException("connection reset"))));
        assertFalse(LedgerClient.neverSent(new NotLeaderException(null, null, List.of())));
    }
}
