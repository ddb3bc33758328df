package io.verigrid.node.process;

import com.fasterxml.jackson.databind.JsonNode;
import io.verigrid.ledger.Keys;
import io.verigrid.node.http.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/** Reads an account key file as {@code verigrid keys} writes it: JSON {@code {"seed": "<64 hex>", "address": …}}. */
public final class KeyFile {
    private KeyFile() {}

    public static Keys read(Path file) {
        if (file == null || !Files.isRegularFile(file)) throw new IllegalArgumentException("key file " + file + " does not exist");
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read key file " + file, e);
        }
        String seed = json == null ? "" : json.path("seed").asText("");
        Keys keys;
        try {
            keys = Keys.fromSeed(HexFormat.of().parseHex(seed));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("key file " + file + " must hold {\"seed\": \"<64 hex characters>\"}");
        }
        String address = json.path("address").asText(keys.address());
        if (!address.equals(keys.address())) throw new IllegalArgumentException("key file " + file + ": address does not match its seed");
        return keys;
    }
}
