package io.verigrid.ledger;

import static io.verigrid.ledger.TestChain.TOKEN;
import static io.verigrid.ledger.TestChain.keys;
import static io.verigrid.ledger.TestChain.tx;
import static org.junit.jupiter.api.Assertions.*;

import io.verigrid.ledger.tx.TxBody;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A ledger at full load must not grow without bound: only the newest results and transaction lists, and the newest
 * block headers, are kept; pruning is the same on every peer and survives a snapshot.
 */
class LedgerRetentionTest {
    private final Keys alice = keys(1), bob = keys(2);

    private static LedgerState small() {
        return LedgerState.fromGenesis(TestChain.genesis()).retain(8, 5);
    }

    /** Two transfers per block for {@code blocks} blocks; returns the results in order. */
    private List<TxResult> run(LedgerState state, int blocks) {
        List<TxResult> results = new ArrayList<>();
        for (int b = 0; b < blocks; b++) {
            for (int t = 0; t < 2; t++) {
                long nonce = state.account(alice.publicKey()).nonce() + 1;
                TxResult r = state.apply(tx(alice, nonce, new TxBody.Transfer(bob.publicKey(), TOKEN)));
                assertTrue(r.accepted(), r.message());
                results.add(r);
            }
            state.applyBlock();
        }
        return results;
    }

    @Test
    void onlyTheNewestResultsTransactionListsAndHeadersAreKept() {
        LedgerState state = small();
        List<TxResult> results = run(state, 20);
        assertEquals(20, state.height());
        for (int i = 0; i < results.size(); i++) {
            TxResult r = results.get(i);
            if (i < results.size() - 5) assertNull(state.tx(r.txHash()), "result " + i + " is older than the newest 5");
            else assertEquals(r, state.tx(r.txHash()));
        }
        long first = state.firstRetainedBlock();
        assertTrue(first > 0 && state.height() - first + 1 >= 8 && state.height() - first + 1 < 16, "first retained " + first);
        assertNull(state.block(first - 1));
        assertNull(state.block(0), "genesis header pruned too");
        assertEquals(state.height(), state.block(state.height()).height());
        int listed = 0;
        for (long h = first; h <= state.height(); h++) listed += state.block(h).txHashes().size();
        assertTrue(listed <= 5 + 2, "kept transaction hashes " + listed);
        assertEquals(2, state.block(state.height()).txHashes().size(), "the newest block keeps its list");
        assertTrue(state.block(first).txHashes().isEmpty(), "an old header keeps its txRoot but not its list");

        // A resent old transaction whose result was forgotten is still refused, by its nonce.
        TxResult replay = state.apply(tx(alice, 1, new TxBody.Transfer(bob.publicKey(), TOKEN)));
        assertEquals(Rejection.BAD_NONCE, replay.code());
        assertSupply(state);
    }

    @Test
    void pruningIsTheSameAfterASnapshotAsWithout() {
        LedgerState live = small();
        run(live, 11);
        LedgerState restored = LedgerState.decode(live.encode()).retain(8, 5);
        assertArrayEquals(live.encode(), restored.encode());
        run(live, 9);
        run(restored, 9);
        assertArrayEquals(live.stateRoot(), restored.stateRoot());
        assertArrayEquals(live.encode(), restored.encode(), "the same results, lists and headers kept");
        assertEquals(live.firstRetainedBlock(), restored.firstRetainedBlock());
    }

    @Test
    void theDefaultsKeepADayOfHeadersAndAQuarterMillionResults() {
        assertEquals(100_000, LedgerState.RETAINED_BLOCKS);
        assertEquals(250_000, LedgerState.RETAINED_RESULTS);
        assertTrue(LedgerState.RETAINED_BLOCKS > Params.defaults().challengeWindowBlocks() + Params.defaults().sampleDelayBlocks(),
                "a rule's sampling seed block is always retained");
    }

    private static void assertSupply(LedgerState s) {
        assertEquals(s.genesisSupply() + s.minted(), s.totalSupply() + s.burned());
    }
}
