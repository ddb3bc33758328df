package io.verigrid.ledger;

import java.util.Arrays;

/**
 * The Raft log entry envelope: one leading byte says what follows. A signed transaction
 * ({@link #TX}) is submitted by anyone; a block entry ({@link #BLOCK}) carries nothing and is submitted only
 * by the leader's block timer.
 */
final class Entries {
    static final byte TX = 0x01;
    static final byte BLOCK = 0x02;

    private Entries() {}

    static byte[] tx(byte[] encodedSignedTx) {
        byte[] out = new byte[encodedSignedTx.length + 1];
        out[0] = TX;
        System.arraycopy(encodedSignedTx, 0, out, 1, encodedSignedTx.length);
        return out;
    }

    static byte[] block() {
        return new byte[] {BLOCK};
    }

    static byte[] payload(byte[] entry) {
        return Arrays.copyOfRange(entry, 1, entry.length);
    }
}
