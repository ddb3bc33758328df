package io.verigrid.ledger;

import java.security.SecureRandom;
import java.util.HexFormat;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * An Ed25519 key pair (RFC 8032, BouncyCastle). An account on the ledger is its 32-byte public key; its
 * address is that key in lowercase hex.
 */
public final class Keys {
    public static final int SEED_BYTES = 32;
    public static final int PUBLIC_KEY_BYTES = 32;
    public static final int SIGNATURE_BYTES = 64;

    private final Ed25519PrivateKeyParameters privateKey;
    private final byte[] publicKey;

    private Keys(Ed25519PrivateKeyParameters privateKey) {
        this.privateKey = privateKey;
        this.publicKey = privateKey.generatePublicKey().getEncoded();
    }

    /** The key pair derived from a 32-byte seed (the RFC 8032 private key). */
    public static Keys fromSeed(byte[] seed32) {
        if (seed32 == null || seed32.length != SEED_BYTES) {
            throw new IllegalArgumentException("seed32 must be 32 bytes, got "
                    + (seed32 == null ? "null" : seed32.length));
        }
        return new Keys(new Ed25519PrivateKeyParameters(seed32, 0));
    }

    public static Keys generate(SecureRandom random) {
        if (random == null) {
            throw new IllegalArgumentException("random must not be null");
        }
        return new Keys(new Ed25519PrivateKeyParameters(random));
    }

    public byte[] publicKey() {
        return publicKey.clone();
    }

    public byte[] seed() {
        return privateKey.getEncoded();
    }

    public String address() {
        return HexFormat.of().formatHex(publicKey);
    }

    public byte[] sign(byte[] msg) {
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, privateKey);
        signer.update(msg, 0, msg.length);
        return signer.generateSignature();
    }

    /** True only for a valid signature; false for any malformed key, message or signature. */
    public static boolean verify(byte[] publicKey, byte[] msg, byte[] sig) {
        if (publicKey == null || msg == null || sig == null
                || publicKey.length != PUBLIC_KEY_BYTES || sig.length != SIGNATURE_BYTES) {
            return false;
        }
        // The same check Ed25519Signer makes (partial key validation, then RFC 8032 verification), without
        // its copy of the message and with the sender's key decoded once.
        try {
            Ed25519.PublicPoint point = DecodedKeys.point(publicKey);
            return point != null && Ed25519.verify(sig, 0, point, msg, 0, msg.length);
        } catch (RuntimeException malformed) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "Keys[" + address() + "]";
    }
}
