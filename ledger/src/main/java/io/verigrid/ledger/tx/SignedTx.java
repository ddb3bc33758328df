package io.verigrid.ledger.tx;

import io.verigrid.ledger.Keys;
import io.verigrid.verify.Hashes;

/**
 * A transaction with the sender's Ed25519 signature over {@link Tx#signingBytes()}. Encoding: the
 * encoded tx followed by the 64-byte signature. The hash (SHA-256 of the encoding) identifies it.
 */
public record SignedTx(Tx tx, byte[] signature) {
    /** Default size limit; the ledger enforces the genesis {@code maxTxBytes}. */
    public static final int DEFAULT_MAX_BYTES = 4 * 1024 * 1024;

    public SignedTx {
        if (tx == null) throw new IllegalArgumentException("tx must not be null");
        signature = Fields.fixed(signature, Keys.SIGNATURE_BYTES, "signature");
    }

    public static SignedTx sign(Tx tx, Keys keys) {
        if (tx == null || keys == null) throw new IllegalArgumentException("tx and keys must not be null");
        return new SignedTx(tx, keys.sign(tx.signingBytes()));
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    /** True when the signature is the sender's over this chain's signing bytes. */
    public boolean signatureValid() {
        return Keys.verify(tx.sender(), tx.signingBytes(), signature);
    }

    public byte[] encode() {
        return new ByteWriter().raw(tx.encode()).raw(signature).toBytes();
    }

    public byte[] hash() {
        return Hashes.sha256(encode());
    }

    public String hashHex() {
        return Hashes.hex(hash());
    }

    public static SignedTx decode(byte[] bytes) {
        return decode(bytes, DEFAULT_MAX_BYTES);
    }

    /** Decodes exactly one signed tx; anything else (garbage, truncation, trailing bytes, oversize) throws. */
    public static SignedTx decode(byte[] bytes, int maxBytes) {
        if (bytes == null) throw new MalformedTxException("bytes must not be null");
        if (bytes.length > maxBytes) {
            throw new MalformedTxException("tx of " + bytes.length + " bytes exceeds the limit of " + maxBytes);
        }
        try {
            ByteReader in = new ByteReader(bytes);
            SignedTx signed = new SignedTx(Tx.read(in), in.raw(Keys.SIGNATURE_BYTES, "signature"));
            in.expectEnd("signed tx");
            return signed;
        } catch (MalformedTxException e) {
            throw e;
        } catch (RuntimeException e) {
            // Nested decoders (e.g. verify's evidence) may throw other unchecked errors on hostile bytes.
            throw new MalformedTxException("malformed tx: " + e.getMessage(), e);
        }
    }
}
