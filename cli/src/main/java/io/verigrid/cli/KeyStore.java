package io.verigrid.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.verigrid.ledger.Keys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Named Ed25519 keys under {@code HOME/keys/NAME.json}: {@code {"name", "address", "seed"}}, the address
 * being the 32-byte public key and the seed the RFC 8032 private key, both lowercase hex. Files are created
 * with mode 600 (owner read/write only) where the file system has POSIX permissions.
 */
final class KeyStore {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final Path dir;

    KeyStore(Path home) {
        this.dir = home.resolve("keys");
    }

    record Entry(String name, String address) {}

    Keys create(String name, SecureRandom random) {
        checkName(name);
        Keys keys = Keys.generate(random);
        Map<String, String> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("address", keys.address());
        body.put("seed", HexFormat.of().formatHex(keys.seed()));
        try {
            Files.createDirectories(dir);
            Path file = file(name);
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException noPosix) {
                Files.createFile(file);
            }
            Files.write(file, JSON.writeValueAsBytes(body), StandardOpenOption.TRUNCATE_EXISTING);
            return keys;
        } catch (FileAlreadyExistsException e) {
            throw new IllegalArgumentException("a key named " + name + " already exists in " + dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write key " + name + " in " + dir, e);
        }
    }

    Keys load(String name) {
        checkName(name);
        Path file = file(name);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no key named " + name + " in " + dir + " (create one with: verigrid keys new " + name + ")");
        }
        try {
            JsonNode node = JSON.readTree(file.toFile());
            Keys keys = Keys.fromSeed(HexFormat.of().parseHex(node.path("seed").asText()));
            if (!keys.address().equals(node.path("address").asText())) {
                throw new IllegalArgumentException("key file " + file + ": address does not match its seed");
            }
            return keys;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read key file " + file, e);
        }
    }

    boolean exists(String name) {
        return name.matches(NAME) && Files.isRegularFile(file(name));
    }

    List<Entry> list() {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".json")).sorted()
                    .map(f -> f.substring(0, f.length() - 5)).filter(n -> n.matches(NAME))
                    .map(n -> new Entry(n, load(n).address())).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    private static final String NAME = "[A-Za-z0-9_-]{1,64}";

    private static void checkName(String name) {
        if (name == null || !name.matches(NAME)) {
            throw new IllegalArgumentException("key name must be 1..64 letters, digits, '-' or '_', got " + name);
        }
    }

    Path file(String name) {
        return dir.resolve(name + ".json");
    }
}
