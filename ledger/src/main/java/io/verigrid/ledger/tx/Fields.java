package io.verigrid.ledger.tx;

import java.util.ArrayList;
import java.util.List;

/** Range checks shared by the transaction records; each names the offending argument. */
final class Fields {
    private Fields() {}

    static byte[] key(byte[] key, String name) {
        return fixed(key, 32, name + " (public key)");
    }

    static byte[] hash(byte[] hash, String name) {
        return fixed(hash, 32, name + " (hash)");
    }

    static byte[] fixed(byte[] bytes, int length, String name) {
        if (bytes == null || bytes.length != length) {
            throw new IllegalArgumentException(name + " must be " + length + " bytes, got "
                    + (bytes == null ? "null" : bytes.length));
        }
        return bytes.clone();
    }

    static void positive(long value, String name) {
        if (value <= 0) throw new IllegalArgumentException(name + " must be positive, got " + value);
    }

    static void nonNegative(long value, String name) {
        if (value < 0) throw new IllegalArgumentException(name + " must not be negative, got " + value);
    }

    static List<byte[]> hashes(List<byte[]> hashes, String name) {
        if (hashes == null) throw new IllegalArgumentException(name + " must not be null");
        List<byte[]> copy = new ArrayList<>(hashes.size());
        for (int i = 0; i < hashes.size(); i++) copy.add(hash(hashes.get(i), name + "[" + i + "]"));
        return List.copyOf(copy);
    }
}
