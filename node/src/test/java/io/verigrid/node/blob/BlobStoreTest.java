package io.verigrid.node.blob;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobStoreTest {
    @TempDir
    Path dir;

    @Test
    void aBlobIsNamedByTheSha256OfItsBytes() {
        BlobStore store = new BlobStore(dir);
        String hash = store.put("verigrid".getBytes(StandardCharsets.UTF_8));
        assertEquals(BlobStore.sha256Hex("verigrid".getBytes(StandardCharsets.UTF_8)), hash);
        assertArrayEquals("verigrid".getBytes(StandardCharsets.UTF_8), store.get(hash).orElseThrow());
        assertTrue(store.has(hash));
    }

    @Test
    void aDamagedBlobOnDiskIsNotServed() throws Exception {
        BlobStore store = new BlobStore(dir);
        String hash = store.put(new byte[] {1, 2, 3});
        Files.write(dir.resolve(hash.substring(0, 2)).resolve(hash), new byte[] {1, 2, 4});
        assertFalse(store.get(hash).isPresent());
    }

    @Test
    void namesThatAreNotHashesFindNothing() {
        BlobStore store = new BlobStore(dir);
        assertFalse(store.get("../etc/passwd").isPresent());
        assertFalse(store.get("ABC").isPresent());
        assertFalse(store.has(null));
    }
}
