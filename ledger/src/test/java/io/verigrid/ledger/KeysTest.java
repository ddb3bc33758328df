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

    @Test
    void verificationWithDecodedKeysAgreesWithTheSignerApiOnValidAndTamperedSignatures() {
        java.util.Random random = new java.util.Random(11);
        for (int i = 0; i < 200; i++) {
            Keys keys = TestChain.keys(1000 + i % 50);
            byte[] message = new byte[1 + random.nextInt(300)];
            random.nextBytes(message);
            byte[] sig = keys.sign(message);
            if (i % 3 == 1) sig[random.nextInt(64)] ^= (byte) (1 << random.nextInt(8));
            if (i % 3 == 2) message[random.nextInt(message.length)] ^= 1;
            org.bouncycastle.crypto.signers.Ed25519Signer reference = new org.bouncycastle.crypto.signers.Ed25519Signer();
            reference.init(false, new org.bouncycastle.crypto.params.Ed25519PublicKeyParameters(keys.publicKey(), 0));
            reference.update(message, 0, message.length);
            assertEquals(reference.verifySignature(sig), Keys.verify(keys.publicKey(), message, sig), "case " + i);
        }
    }
}
