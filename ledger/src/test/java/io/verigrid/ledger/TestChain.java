package io.verigrid.ledger;

import io.verigrid.ledger.tx.SignedTx;
import io.verigrid.ledger.tx.Tx;
import io.verigrid.ledger.tx.TxBody;
import java.util.ArrayList;
import java.util.List;

/** Deterministic keys, a funded genesis and a signing shortcut shared by the ledger tests. */
final class TestChain {
    static final String CHAIN = "verigrid-test";
    static final long TOKEN = Params.UNITS_PER_TOKEN;
    static final long FUNDS = 1_000 * TOKEN;

    private TestChain() {}

    static Keys keys(int n) {
        byte[] seed = new byte[32];
        seed[0] = (byte) n;
        seed[31] = 0x5a;
        return Keys.fromSeed(seed);
    }

    /** Accounts keys(1..count), each funded with {@link #FUNDS}. */
    static Genesis genesis(int count, Params params) {
        List<GenesisAccount> accounts = new ArrayList<>();
        for (int i = 1; i <= count; i++) accounts.add(new GenesisAccount(keys(i).publicKey(), FUNDS));
        return new Genesis(CHAIN, accounts, params);
    }

    static Genesis genesis() {
        return genesis(5, Params.defaults());
    }

    static SignedTx tx(Keys from, long nonce, TxBody body) {
        return SignedTx.sign(new Tx(CHAIN, from.publicKey(), nonce, Params.defaults().txFee(), body), from);
    }
}
