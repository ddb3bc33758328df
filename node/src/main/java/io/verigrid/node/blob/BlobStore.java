package io.verigrid.node.blob;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Content-addressed store on a node's disk: a blob's name is the SHA-256 of its bytes.
 * Writes go to a temporary file and are renamed into place, so a crash never leaves a blob
 * whose bytes do not match its name; reads re-check the hash for the same reason.
 */
public final class BlobStore {
    private final Path dir;

    public BlobStore(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create blob directory " + dir, e);
        }
    }

    /** Stores the bytes and returns their hash (lowercase hex). Storing the same bytes twice is a no-op. */
    public String put(byte[] bytes) {
        String hash = sha256Hex(bytes);
        Path target = pathOf(hash);
        if (Files.exists(target)) return hash;
        try {
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(dir, "incoming-", ".part");
            Files.write(tmp, bytes);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store blob " + hash, e);
        }
        return hash;
    }

    /** The blob's bytes, or empty when this node does not hold it (or holds a damaged copy). */
    public Optional<byte[]> get(String hash) {
        if (!isHash(hash)) return Optional.empty();
        Path path = pathOf(hash);
        if (!Files.exists(path)) return Optional.empty();
        try {
            byte[] bytes = Files.readAllBytes(path);
            return sha256Hex(bytes).equals(hash) ? Optional.of(bytes) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    public boolean has(String hash) {
        return isHash(hash) && Files.exists(pathOf(hash));
    }

    public static boolean isHash(String s) {
        return s != null && s.length() == 64 && s.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    }

    public static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private Path pathOf(String hash) {
        return dir.resolve(hash.substring(0, 2)).resolve(hash);
    }
}
