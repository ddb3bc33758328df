package io.verigrid.ledger;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class KeysTest {
    private final byte[] msg = "pay 5 tokens".getBytes(StandardCharsets.UTF_8);

    @Test
    void aSeedAlwaysGivesTheSameKeyPair() {
        Keys a = TestChain.keys(7), b = Keys.fromSeed(a.seed());
        assertArrayEquals(a.publicKey(), b.publicKey());
        assertEquals(64, a.address().length());
        assertEquals(a.address(), a.address().toLowerCase());
    }

    @Test
    void aSignatureVerifiesOnlyForItsKeyAndMessage() {
        Keys keys = Keys.generate(new SecureRandom());
        byte[] sig = keys.sign(msg);
        assertTrue(Keys.verify(keys.publicKey(), msg, sig));
        assertFalse(Keys.verify(TestChain.keys(1).publicKey(), msg, sig));
        byte[] other = msg.clone();
        other[0] ^= 1;
        assertFalse(Keys.verify(keys.publicKey(), other, sig));
        byte[] badSig = sig.clone();
        badSig[10] ^= 4;
        assertFalse(Keys.verify(keys.publicKey(), msg, badSig));
    }

    @Test
    void garbageKeysAndSignaturesVerifyFalseInsteadOfThrowing() {
        Keys keys = TestChain.keys(1);
        byte[] sig = keys.sign(msg);
        assertFalse(Keys.verify(new byte[31], msg, sig));
        assertFalse(Keys.verify(null, msg, sig));
        assertFalse(Keys.verify(keys.publicKey(), msg, new byte[63]));
        byte[] notAPoint = new byte[32];
        java.util.Arrays.fill(notAPoint, (byte) 0xff);
        assertFalse(Keys.verify(notAPoint, msg, sig));
    }

    @Test
    void aSeedOfTheWrongLengthIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Keys.fromSeed(new byte[31]));
        assertTrue(e.getMessage().contains("seed32"));
    }
}
