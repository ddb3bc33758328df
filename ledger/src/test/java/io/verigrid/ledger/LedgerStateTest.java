package io.verigrid.ledger;

import static io.verigrid.ledger.TestChain.FUNDS;
import static io.verigrid.ledger.TestChain.TOKEN;
import static io.verigrid.ledger.TestChain.keys;
import static io.verigrid.ledger.TestChain.tx;
import static org.junit.jupiter.api.Assertions.*;

import io.verigrid.ledger.tx.SignedTx;
import io.verigrid.ledger.tx.Tx;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.verify.Hashes;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class LedgerStateTest {
    private final Keys alice = keys(1), bob = keys(2);
    private final long fee = Params.defaults().txFee();
    private final LedgerState state = LedgerState.fromGenesis(TestChain.genesis());

    @Test
    void aTransferMovesTheAmountBurnsTheFeeAndBumpsTheNonce() {
        TxResult r = state.apply(tx(alice, 1, new TxBody.Transfer(bob.publicKey(), 5 * TOKEN)));
        assertTrue(r.accepted(), r.message());
        assertEquals(1, r.height());
        assertEquals(FUNDS - 5 * TOKEN - fee, state.account(alice.publicKey()).balance());
        assertEquals(1, state.account(alice.publicKey()).nonce());
        assertEquals(FUNDS + 5 * TOKEN, state.account(bob.publicKey()).balance());
        assertEquals(fee, state.burned());
        assertEquals(r, state.tx(r.txHash()));
    }

    @Test
    void aBadSignatureIsRejectedAndChangesNothing() {
        SignedTx good = tx(alice, 1, new TxBody.Transfer(bob.publicKey(), TOKEN));
        byte[] sig = good.signature();
        sig[0] ^= 1;
        assertRejectedUnchanged(new SignedTx(good.tx(), sig), Rejection.BAD_SIGNATURE);
    }

    @Test
    void aReusedNonceIsRejected() {
        assertTrue(state.apply(tx(alice, 1, new TxBody.Transfer(bob.publicKey(), TOKEN))).accepted());
        assertRejectedUnchanged(tx(alice, 1, new TxBody.Transfer(bob.publicKey(), 2 * TOKEN)), Rejection.BAD_NONCE);
    }

    @Test
    void aFutureNonceIsRejected() {
        assertRejectedUnchanged(tx(alice, 2, new TxBody.Transfer(bob.publicKey(), TOKEN)), Rejection.BAD_NONCE);
    }

    @Test
    void anAmountAboveTheBalanceIsRejectedWithoutTakingTheFee() {
        assertRejectedUnchanged(tx(alice, 1, new TxBody.Transfer(bob.publicKey(), FUNDS)), Rejection.INSUFFICIENT_BALANCE);
        assertEquals(FUNDS, state.account(alice.publicKey()).balance());
    }

    @Test
    void aTxForAnotherChainIsRejected() {
        SignedTx other = SignedTx.sign(new Tx("another-chain", alice.publicKey(), 1, fee,
                new TxBody.Transfer(bob.publicKey(), TOKEN)), alice);
        assertRejectedUnchanged(other, Rejection.WRONG_CHAIN);
    }

    @Test
    void aFeeBelowTheMinimumIsRejected() {
        SignedTx cheap = SignedTx.sign(new Tx(TestChain.CHAIN, alice.publicKey(), 1, fee - 1,
                new TxBody.Transfer(bob.publicKey(), TOKEN)), alice);
        assertRejectedUnchanged(cheap, Rejection.FEE_TOO_LOW);
    }

    @Test
    void malformedBytesAreRejectedAndChangeNothing() {
        byte[] root = state.stateRoot();
        byte[] bytes = tx(alice, 1, new TxBody.Transfer(bob.publicKey(), TOKEN)).encode();
        TxResult r = state.applyEncoded(Arrays.copyOf(bytes, bytes.length - 3));
        assertEquals(Rejection.MALFORMED, r.code());
        assertFalse(r.accepted());
        assertArrayEquals(root, state.stateRoot());
        assertEquals(Rejection.MALFORMED, state.applyEncoded(new byte[] {1, 2, 3}).code());
        assertArrayEquals(root, state.stateRoot());
    }

    @Test
    void stakeLeavesTheBalanceAndUnstakeReturnsItAfterUnbonding() {
        long unbonding = Params.defaults().unbondingBlocks();
        assertTrue(state.apply(tx(alice, 1, new TxBody.Stake(100 * TOKEN))).accepted());
        assertEquals(100 * TOKEN, state.account(alice.publicKey()).stake());
        assertEquals(Rejection.INSUFFICIENT_STAKE, state.apply(tx(alice, 2, new TxBody.Unstake(101 * TOKEN))).code());
        TxResult unstake = state.apply(tx(alice, 2, new TxBody.Unstake(40 * TOKEN)));
        assertTrue(unstake.accepted(), unstake.message());
        AccountView a = state.account(alice.publicKey());
        assertEquals(60 * TOKEN, a.stake());
        assertEquals(40 * TOKEN, a.unbondingTotal());
        assertEquals(1 + unbonding, a.unbonding().get(0).releaseHeight());
        long balanceWhileUnbonding = a.balance();
        for (long h = 1; h < 1 + unbonding; h++) state.applyBlock();
        assertEquals(balanceWhileUnbonding, state.account(alice.publicKey()).balance());
        state.applyBlock();
        AccountView released = state.account(alice.publicKey());
        assertEquals(balanceWhileUnbonding + 40 * TOKEN, released.balance());
        assertEquals(0, released.unbondingTotal());
        assertSupplyConserved(state);
    }

    @Test
    void blocksChainTheirHashesAndCommitTheirTransactions() {
        TxResult r = state.apply(tx(alice, 1, new TxBody.Transfer(bob.publicKey(), TOKEN)));
        BlockView b1 = state.applyBlock();
        BlockView b2 = state.applyBlock();
        assertEquals(1, b1.height());
        assertEquals(state.block(0).hash(), b1.prevHash());
        assertEquals(b1.hash(), b2.prevHash());
        assertEquals(java.util.List.of(r.txHash()), b1.txHashes());
        assertEquals(r.txHash(), b1.txRoot(), "the root of one leaf is that leaf");
        assertTrue(b2.txHashes().isEmpty());
        assertEquals(2, state.status().height());
    }

    @Test
    void aSnapshotDecodesToTheSameStateAndKeepsApplyingIdentically() {
        state.apply(tx(alice, 1, new TxBody.Transfer(bob.publicKey(), TOKEN)));
        state.apply(tx(bob, 1, new TxBody.Stake(50 * TOKEN)));
        state.applyBlock();
        state.apply(tx(bob, 2, new TxBody.Unstake(10 * TOKEN)));
        LedgerState copy = LedgerState.decode(state.encode());
        assertArrayEquals(state.encode(), copy.encode());
        assertArrayEquals(state.stateRoot(), copy.stateRoot());
        SignedTx next = tx(alice, 2, new TxBody.Transfer(bob.publicKey(), 3));
        assertEquals(state.apply(next), copy.apply(next));
        assertEquals(state.applyBlock(), copy.applyBlock());
    }

    private void assertRejectedUnchanged(SignedTx tx, String code) {
        byte[] root = state.stateRoot();
        long burned = state.burned();
        TxResult r = state.apply(tx);
        assertFalse(r.accepted());
        assertEquals(code, r.code(), r.message());
        assertFalse(r.message().isBlank());
        assertEquals(Hashes.hex(root), Hashes.hex(state.stateRoot()));
        assertEquals(burned, state.burned());
    }

    static void assertSupplyConserved(LedgerState s) {
        assertEquals(s.genesisSupply() - s.burned(), s.totalSupply());
    }
}
