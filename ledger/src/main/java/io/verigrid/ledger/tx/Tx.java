package io.verigrid.ledger.tx;

import java.nio.charset.StandardCharsets;

/**
 * An unsigned transaction. {@code nonce} must be exactly the sender's account nonce + 1 when applied;
 * {@code fee} (at least the genesis {@code txFee}) is burned.
 *
 * <p>Encoding: u8 version (1) ‖ chainId ‖ sender (32) ‖ i64 nonce ‖ i64 fee ‖ u8 body tag ‖ body.
 */
public record Tx(String chainId, byte[] sender, long nonce, long fee, TxBody body) {
    public static final int VERSION = 1;
    static final byte[] SIGNING_DOMAIN = "verigrid/tx/v1".getBytes(StandardCharsets.US_ASCII);

    public Tx {
        chainId = checkChainId(chainId);
        sender = Fields.key(sender, "sender");
        Fields.positive(nonce, "nonce");
        Fields.nonNegative(fee, "fee");
        if (body == null) throw new IllegalArgumentException("body must not be null");
    }

    /** A chain id is 1..64 printable ASCII characters. */
    public static String checkChainId(String chainId) {
        if (chainId == null || chainId.isEmpty() || chainId.length() > 64
                || !chainId.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("chainId must be 1..64 printable ASCII characters, got " + chainId);
        }
        return chainId;
    }

    @Override
    public byte[] sender() {
        return sender.clone();
    }

    public byte[] encode() {
        ByteWriter out = new ByteWriter().u8(VERSION).string(chainId).raw(sender).i64(nonce).i64(fee).u8(body.tag());
        body.write(out);
        return out.toBytes();
    }

    /** The bytes a signature covers: domain ‖ chainId ‖ encoded tx, so a signature is valid on one chain only. */
    public byte[] signingBytes() {
        return new ByteWriter().raw(SIGNING_DOMAIN).string(chainId).raw(encode()).toBytes();
    }

    static Tx read(ByteReader in) {
        int version = in.u8("version");
        if (version != VERSION) throw new MalformedTxException("unsupported tx version " + version);
        return new Tx(in.string("chainId"), in.raw(32, "sender"), in.i64("nonce"), in.i64("fee"), TxBody.read(in));
    }
}
