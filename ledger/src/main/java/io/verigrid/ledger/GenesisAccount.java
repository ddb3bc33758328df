package io.verigrid.ledger;

/** An account funded at genesis: its Ed25519 public key and starting balance in base units. */
public record GenesisAccount(byte[] publicKey, long balance) {
    public GenesisAccount {
        if (publicKey == null || publicKey.length != Keys.PUBLIC_KEY_BYTES) {
            throw new IllegalArgumentException("publicKey must be 32 bytes");
        }
        if (balance < 0) throw new IllegalArgumentException("balance must not be negative, got " + balance);
        publicKey = publicKey.clone();
    }

    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }
}
