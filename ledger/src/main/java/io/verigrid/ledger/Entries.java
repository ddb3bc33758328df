package io.verigrid.ledger;

import io.verigrid.ledger.tx.ByteReader;
import io.verigrid.ledger.tx.ByteWriter;
import io.verigrid.ledger.tx.MalformedTxException;
import java.util.Arrays;
import java.util.List;

/**
 * The Raft log entry envelope: one leading byte says what follows.
 * <ul>
 *   <li>{@link #TX}: one signed transaction (anyone may submit it);</li>
 *   <li>{@link #BATCH}: i32 count ‖ that many {@code bytes} signed transactions, applied in order, each with its
 *       own result (the submit path groups pending transactions into one entry);</li>
 *   <li>{@link #BLOCK}: i64 height ‖ 32-byte state root: closes the next block, after checking that the
 *       proposer's state root at {@code height} equals this peer's (submitted by the leader's block timer).</li>
 * </ul>
 */
final class Entries {
    static final byte TX = 0x01;
    static final byte BLOCK = 0x02;
    static final byte BATCH = 0x03;
    static final int BLOCK_BYTES = 1 + 8 + 32;

    private Entries() {}

    static byte[] tx(byte[] encodedSignedTx) {
        byte[] out = new byte[encodedSignedTx.length + 1];
        out[0] = TX;
        System.arraycopy(encodedSignedTx, 0, out, 1, encodedSignedTx.length);
        return out;
    }

    static byte[] batch(List<byte[]> encodedSignedTxs) {
        return new ByteWriter().u8(BATCH).byteList(encodedSignedTxs).toBytes();
    }

    /** A block entry vouching for the proposer's state root at {@code checkedHeight}. */
    static byte[] block(long checkedHeight, byte[] stateRoot) {
        if (stateRoot == null || stateRoot.length != 32) throw new IllegalArgumentException("stateRoot must be 32 bytes");
        return new ByteWriter().u8(BLOCK).i64(checkedHeight).raw(stateRoot).toBytes();
    }

    static byte[] payload(byte[] entry) {
        return Arrays.copyOfRange(entry, 1, entry.length);
    }

    /** The transactions of a batch entry; {@link MalformedTxException} when the envelope itself is broken. */
    static List<byte[]> readBatch(byte[] entry) {
        ByteReader in = new ByteReader(entry);
        in.u8("entry type");
        List<byte[]> txs = in.byteList("batch");
        in.expectEnd("batch entry");
        return txs;
    }
}
