package io.verigrid.ledger;

import static io.verigrid.ledger.TestChain.TOKEN;
import static io.verigrid.ledger.TestChain.keys;
import static io.verigrid.ledger.TestChain.tx;
import static org.junit.jupiter.api.Assertions.*;

import io.verigrid.ledger.tx.SignedTx;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.verify.Hashes;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Log entries applied straight to the state machine, as Ratis would, without a server. */
class LedgerStateMachineTest {
    private final Keys alice = keys(1), bob = keys(2);
    private long index;

    private Object apply(LedgerStateMachine sm, byte[] entry) {
        return sm.applyEntry(entry, 1, ++index);
    }

    @Test
    void aBatchEntryAppliesItsTransactionsInOrderEachWithItsOwnResult() {
        try (SignatureChecks checks = new SignatureChecks(4)) {
            LedgerStateMachine sm = new LedgerStateMachine(TestChain.genesis(), checks);
            List<byte[]> txs = new ArrayList<>();
            for (int n = 1; n <= 40; n++) txs.add(tx(alice, n, new TxBody.Transfer(bob.publicKey(), TOKEN)).encode());
            byte[] forged = tx(alice, 41, new TxBody.Transfer(bob.publicKey(), TOKEN)).encode();
            forged[forged.length - 1] ^= 1;
            txs.add(forged);
            txs.add(new byte[] {7, 7});
            txs.add(txs.get(0));

            @SuppressWarnings("unchecked")
            List<TxResult> results = (List<TxResult>) apply(sm, Entries.batch(txs));
            assertEquals(txs.size(), results.size());
            for (int i = 0; i < 40; i++) assertTrue(results.get(i).accepted(), results.get(i).toString());
            assertEquals(Rejection.BAD_SIGNATURE, results.get(40).code());
            assertEquals(Rejection.MALFORMED, results.get(41).code());
            assertEquals(Rejection.DUPLICATE, results.get(42).code());
            assertEquals(TestChain.FUNDS + 40 * TOKEN, sm.unsafeState().account(bob.publicKey()).balance());
        }
    }

    @Test
    void aBrokenBatchEnvelopeIsOneMalformedResultAndChangesNothing() {
        LedgerStateMachine sm = new LedgerStateMachine(TestChain.genesis());
        byte[] root = sm.unsafeState().stateRoot();
        @SuppressWarnings("unchecked")
        List<TxResult> results = (List<TxResult>) apply(sm, new byte[] {Entries.BATCH, 9, 0, 0, 0, 1});
        assertEquals(1, results.size());
        assertEquals(Rejection.MALFORMED, results.get(0).code());
        assertArrayEquals(root, sm.unsafeState().stateRoot());
    }

    @Test
    void signaturesCheckedBeforeOrderingAreNotCheckedAgainButStillBindTheResult() {
        try (SignatureChecks checks = new SignatureChecks(2)) {
            SignedTx good = tx(alice, 1, new TxBody.Transfer(bob.publicKey(), TOKEN));
            checks.remember(good.hash());
            boolean[] valid = checks.verify(List.of(good, good), List.of(good.hash(), good.hash()));
            assertTrue(valid[0] && valid[1], "remembered once, verified again the second time");
            SignedTx bad = new SignedTx(good.tx(), new byte[64]);
            assertFalse(checks.verify(List.of(bad), List.of(bad.hash()))[0]);
        }
    }

    @Test
    void aPeerWhoseStateRootDiffersFromTheLeadersHaltsLoudly() {
        LedgerStateMachine leader = new LedgerStateMachine(TestChain.genesis());
        LedgerStateMachine follower = new LedgerStateMachine(TestChain.genesis());
        List<String> halts = new ArrayList<>();
        follower.onHalt(halts::add);
        byte[] transfer = Entries.batch(List.of(tx(alice, 1, new TxBody.Transfer(bob.publicKey(), TOKEN)).encode()));
        for (LedgerStateMachine sm : List.of(leader, follower)) apply(sm, transfer);
        byte[] block1 = leader.nextBlockEntry();
        assertEquals(1, ((BlockView) apply(leader, block1)).height());
        assertEquals(1, ((BlockView) apply(follower, block1)).height(), "equal roots at height 0: no halt");

        // One peer's rules silently differ (a bug committing a different account): the next block entry exposes it.
        Account wrong = follower.unsafeState().accounts.get(bob.address()).copy();
        wrong.balance += 1;
        follower.unsafeState().putAccount(bob.address(), wrong);
        apply(leader, Entries.block(1, Hashes.unhex(leader.localBlock(1).stateRoot())));
        apply(follower, Entries.block(1, Hashes.unhex(leader.localBlock(1).stateRoot())));
        byte[] block3 = leader.nextBlockEntry();
        apply(leader, block3);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> apply(follower, block3));
        assertTrue(e.getMessage().contains("state root mismatch at height 2"), e.getMessage());
        assertEquals(1, halts.size());
        assertNotNull(follower.haltReason());
        assertNull(leader.haltReason());
        assertThrows(IllegalStateException.class, () -> apply(follower, transfer), "a halted peer applies nothing");
        assertEquals(2, follower.localStatus().height());
    }

    @Test
    void aBlockEntryOfTheWrongLengthIsRefusedAndChangesNothing() {
        LedgerStateMachine sm = new LedgerStateMachine(TestChain.genesis());
        assertThrows(IllegalArgumentException.class, () -> apply(sm, new byte[] {Entries.BLOCK}));
        assertEquals(0, sm.localStatus().height());
        assertNull(sm.haltReason());
    }
}
