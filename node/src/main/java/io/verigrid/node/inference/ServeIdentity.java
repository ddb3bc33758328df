package io.verigrid.node.inference;

import com.fasterxml.jackson.databind.JsonNode;
import io.verigrid.ledger.Keys;
import io.verigrid.node.http.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The accounts of a one-machine inference network and the buyer's API key, kept in {@code dataDir/identity.json}
 * (owner-only where the file system allows), so that a network started again on the same data directory is the same
 * chain with the same provider: its ledger resumes and its provider defends what it settled before.
 */
record ServeIdentity(Keys provider, Keys buyer, Keys verifier, String apiKey) {
    static final String FILE = "identity.json";

    static ServeIdentity loadOrCreate(Path dataDir, SecureRandom random) {
        Path file = dataDir.resolve(FILE);
        if (Files.exists(file)) return read(file);
        byte[] secret = new byte[16];
        random.nextBytes(secret);
        ServeIdentity fresh = new ServeIdentity(Keys.generate(random), Keys.generate(random), Keys.generate(random),
                "vg-" + HexFormat.of().formatHex(secret));
        fresh.write(file);
        return fresh;
    }

    private static ServeIdentity read(Path file) {
        try {
            JsonNode json = Json.MAPPER.readTree(Files.readAllBytes(file));
            String apiKey = json.path("api_key").asText("");
            if (!apiKey.matches("vg-[0-9a-f]{32}")) throw new IllegalArgumentException("api_key must be vg-<32 hex>");
            return new ServeIdentity(keys(json, "provider"), keys(json, "buyer"), keys(json, "verifier"), apiKey);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage() + " (remove it to start a new chain in a new data directory)", e);
        }
    }

    private static Keys keys(JsonNode json, String field) {
        try {
            return Keys.fromSeed(HexFormat.of().parseHex(json.path(field).asText("")));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + " must be a 64-hex-digit seed");
        }
    }

    private void write(Path file) {
        Map<String, String> json = new LinkedHashMap<>();
        json.put("provider", HexFormat.of().formatHex(provider.seed()));
        json.put("buyer", HexFormat.of().formatHex(buyer.seed()));
        json.put("verifier", HexFormat.of().formatHex(verifier.seed()));
        json.put("api_key", apiKey);
        Path tmp = file.resolveSibling(FILE + ".tmp");
        try {
            Files.createDirectories(file.getParent());
            Files.deleteIfExists(tmp);
            Files.createFile(tmp);
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the directory's own protection applies
            }
            Files.write(tmp, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(json));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
