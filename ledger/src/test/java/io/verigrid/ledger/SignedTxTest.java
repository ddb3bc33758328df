package io.verigrid.ledger;

import static org.junit.jupiter.api.Assertions.*;

import io.verigrid.ledger.tx.MalformedTxException;
import io.verigrid.ledger.tx.SignedTx;
import io.verigrid.ledger.tx.TxBody;
import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class SignedTxTest {
    private final Keys alice = TestChain.keys(1);
    private final SignedTx transfer = TestChain.tx(alice, 1, new TxBody.Transfer(TestChain.keys(2).publicKey(), 42));

    @Test
    void encodingRoundTripsToTheSameBytesAndHash() {
        SignedTx back = SignedTx.decode(transfer.encode());
        assertArrayEquals(transfer.encode(), back.encode());
        assertEquals(transfer.hashHex(), back.hashHex());
        assertTrue(back.signatureValid());
        assertEquals(42, ((TxBody.Transfer) back.tx().body()).amount());
    }

    @Test
    void truncatedTrailingAndOversizedBytesAreMalformed() {
        byte[] bytes = transfer.encode();
        assertThrows(MalformedTxException.class, () -> SignedTx.decode(Arrays.copyOf(bytes, bytes.length - 1)));
        assertThrows(MalformedTxException.class, () -> SignedTx.decode(Arrays.copyOf(bytes, bytes.length + 1)));
        assertThrows(MalformedTxException.class, () -> SignedTx.decode(bytes, bytes.length - 1));
        assertThrows(MalformedTxException.class, () -> SignedTx.decode(new byte[0]));
    }

    @Test
    void outOfRangeFieldsAreMalformedNotAccepted() {
        byte[] bytes = transfer.encode();
        // The amount is the last 8 bytes before the signature: make it negative.
        bytes[bytes.length - 64 - 1] = (byte) 0x80;
        MalformedTxException e = assertThrows(MalformedTxException.class, () -> SignedTx.decode(bytes));
        assertTrue(e.getMessage().contains("amount"), e.getMessage());
    }

    @Test
    void theSignatureBindsTheChainId() {
        SignedTx other = SignedTx.sign(new io.verigrid.ledger.tx.Tx("other-chain", alice.publicKey(), 1, 0,
                new TxBody.Stake(5)), alice);
        SignedTx moved = new SignedTx(new io.verigrid.ledger.tx.Tx(TestChain.CHAIN, alice.publicKey(), 1, 0,
                new TxBody.Stake(5)), other.signature());
        assertTrue(other.signatureValid());
        assertFalse(moved.signatureValid());
    }

    @Property(tries = 300)
    void randomBytesNeverThrowAnythingButMalformed(@ForAll @Size(max = 300) byte[] garbage) {
        try {
            SignedTx.decode(garbage);
        } catch (MalformedTxException expected) {
            // the only allowed failure
        }
    }

    @Property(tries = 200)
    void corruptingOneByteOfAValidTxNeverThrowsAnythingButMalformed(@ForAll int position, @ForAll byte value) {
        byte[] bytes = transfer.encode();
        bytes[Math.floorMod(position, bytes.length)] = value;
        try {
            SignedTx.decode(bytes);
        } catch (MalformedTxException expected) {
            // the only allowed failure
        }
    }
}
