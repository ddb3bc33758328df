package io.verigrid.node.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.verigrid.ledger.Keys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyFileTest {
    @TempDir
    Path dir;

    @Test
    void aKeyFileAsVerigridKeysWritesItLoadsTheSameAccount() throws Exception {
        Keys keys = Keys.fromSeed(new byte[32]);
        Path file = dir.resolve("provider.json");
        Files.writeString(file, "{\"name\": \"provider\", \"address\": \"" + keys.address() + "\", \"seed\": \"" + HexFormat.of().formatHex(keys.seed()) + "\"}");
        assertEquals(keys.address(), KeyFile.read(file).address());
    }

    @Test
    void aMissingFileABadSeedOrAMismatchedAddressIsRefusedByName() throws Exception {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> KeyFile.read(dir.resolve("nope.json")));
        assertTrue(missing.getMessage().contains("nope.json does not exist"), missing.getMessage());
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"seed\": \"12\"}");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KeyFile.read(bad)).getMessage().contains("64 hex"));
        Path mismatched = dir.resolve("mismatched.json");
        Files.writeString(mismatched, "{\"seed\": \"" + "00".repeat(32) + "\", \"address\": \"" + "ab".repeat(32) + "\"}");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KeyFile.read(mismatched)).getMessage().contains("does not match its seed"));
    }
}
