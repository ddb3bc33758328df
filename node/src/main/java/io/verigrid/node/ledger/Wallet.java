package io.verigrid.node.ledger;

import io.verigrid.ledger.Keys;
import io.verigrid.ledger.TxResult;
import io.verigrid.ledger.tx.SignedTx;
import io.verigrid.ledger.tx.Tx;
import io.verigrid.ledger.tx.TxBody;

/**
 * One participant's key and its next nonce. Signs bodies into transactions and submits them through the
 * ledger node's HTTP API; after a nonce rejection it re-reads the nonce from the ledger once.
 */
public final class Wallet {
    private final String name;
    private final Keys keys;
    private final LedgerHttp ledger;
    private final String chainId;
    private final long fee;
    private long nextNonce;

    public Wallet(String name, Keys keys, LedgerHttp ledger) {
        this.name = name;
        this.keys = keys;
        this.ledger = ledger;
        this.chainId = ledger.status().chainId();
        this.fee = ledger.params().txFee();
        this.nextNonce = ledger.account(keys.address()).nonce() + 1;
    }

    public String name() {
        return name;
    }

    public Keys keys() {
        return keys;
    }

    public String address() {
        return keys.address();
    }

    /** Signs and submits; returns the ledger's result (accepted, or the rejection code and message). */
    public synchronized TxResult submit(TxBody body) {
        TxResult result = ledger.submit(SignedTx.sign(new Tx(chainId, keys.publicKey(), nextNonce, fee, body), keys));
        if (result.accepted()) {
            nextNonce++;
        } else if ("BAD_NONCE".equals(result.code())) {
            nextNonce = ledger.account(keys.address()).nonce() + 1;
        }
        return result;
    }

    /** Submits and fails loudly on rejection: for moves an honest participant expects to be accepted. */
    public TxResult submitOrThrow(TxBody body) {
        TxResult result = submit(body);
        if (!result.accepted()) {
            throw new IllegalStateException(name + ": " + body.getClass().getSimpleName() + " rejected: " + result.code() + " " + result.message());
        }
        return result;
    }
}
