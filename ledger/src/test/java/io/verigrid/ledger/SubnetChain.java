package io.verigrid.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.verigrid.ledger.tx.SignedTx;
import io.verigrid.ledger.tx.Tx;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.verify.Hashes;
import java.util.ArrayList;
import java.util.List;

/** A ledger with funded keys 1..count and an issuance schedule, driven by signed transactions and blocks. */
final class SubnetChain {
    static final long TOKEN = Params.UNITS_PER_TOKEN;
    final LedgerState state;

    SubnetChain(int count, Issuance issuance) {
        List<GenesisAccount> accounts = new ArrayList<>();
        for (int i = 1; i <= count; i++) accounts.add(new GenesisAccount(TestChain.keys(i).publicKey(), TestChain.FUNDS));
        state = LedgerState.fromGenesis(new Genesis(TestChain.CHAIN, accounts, Params.defaults(), issuance));
    }

    static String address(int key) {
        return TestChain.keys(key).address();
    }

    static byte[] publicKey(int key) {
        return TestChain.keys(key).publicKey();
    }

    TxResult submit(int key, TxBody body) {
        Keys k = TestChain.keys(key);
        long nonce = state.account(k.publicKey()).nonce() + 1;
        return state.apply(SignedTx.sign(new Tx(TestChain.CHAIN, k.publicKey(), nonce, Params.defaults().txFee(), body), k));
    }

    TxResult ok(int key, TxBody body) {
        TxResult r = submit(key, body);
        assertTrue(r.accepted(), () -> body.getClass().getSimpleName() + " rejected: " + r.code() + " " + r.message());
        return r;
    }

    void rejected(String code, int key, TxBody body) {
        TxResult r = submit(key, body);
        assertEquals(code, r.code(), () -> body.getClass().getSimpleName() + ": " + r.message());
    }

    /** Closes blocks until {@code height}, checking the supply invariant after each. */
    void blocksUntil(long height) {
        while (state.height() < height) {
            state.applyBlock();
            assertTrue(state.status().supplyConserved(), () -> "supply at height " + state.height() + ": " + state.status());
        }
    }

    long balance(int key) {
        return state.account(publicKey(key)).balance();
    }

    NeuronView neuron(int netuid, int uid) {
        return state.metagraph(netuid).get(uid);
    }

    static String hex(byte[] b) {
        return Hashes.hex(b);
    }
}
