package io.verigrid.node.blob;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.verigrid.node.TestClock;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobStoreTest {
    @TempDir
    Path dir;
    private final TestClock clock = new TestClock(Instant.parse("2025-01-01T00:00:00Z"));

    static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void aBlobIsNamedByTheHashOfItsManifestOfChunkHashes() {
        BlobStore store = new BlobStore(dir, 1000, clock);
        byte[] data = bytes(2500, 1);
        String id = store.put(data);
        Manifest manifest = store.manifest(id).orElseThrow();
        assertEquals(BlobStore.sha256Hex(manifest.encode()), id);
        assertEquals(List.of(1000, 1000, 500), List.of(manifest.chunkLength(0), manifest.chunkLength(1), manifest.chunkLength(2)));
        assertEquals(BlobStore.sha256Hex(java.util.Arrays.copyOfRange(data, 1000, 2000)), manifest.chunkHash(1));
        assertArrayEquals(data, store.get(id).orElseThrow());
        assertTrue(store.has(id));
        assertEquals(id, store.put(data), "the same bytes get the same id");
    }

    @Test
    void theManifestFormatRoundTripsAndRefusesInconsistentSizes() {
        Manifest m = new Manifest(Manifest.Kind.DIRECTORY, 4, 9, List.of("a".repeat(64), "b".repeat(64), "c".repeat(64)));
        assertEquals(m, Manifest.decode(m.encode()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Manifest(Manifest.Kind.FILE, 4, 9, List.of("a".repeat(64))));
        assertTrue(e.getMessage().contains("has 3 chunks"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Manifest.decode("VGBLOB01 not really".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void anEmptyBlobHasNoChunksAndReadsBackEmpty() {
        BlobStore store = new BlobStore(dir, 1000, clock);
        String id = store.put(new byte[0]);
        assertEquals(0, store.manifest(id).orElseThrow().chunkCount());
        assertArrayEquals(new byte[0], store.get(id).orElseThrow());
    }

    @Test
    void aDamagedChunkOnDiskIsNotServed() throws IOException {
        BlobStore store = new BlobStore(dir, 1000, clock);
        String id = store.put(bytes(1500, 2));
        String hash = store.manifest(id).orElseThrow().chunkHash(0);
        Files.write(dir.resolve("chunks").resolve(hash.substring(0, 2)).resolve(hash), new byte[] {1, 2, 4});
        assertFalse(store.get(id).isPresent());
        assertFalse(store.chunk(hash).isPresent());
    }

    @Test
    void namesThatAreNotHashesFindNothing() {
        BlobStore store = new BlobStore(dir, 1000, clock);
        assertFalse(store.get("../etc/passwd").isPresent());
        assertFalse(store.get("ABC").isPresent());
        assertFalse(store.has(null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store.pin("xyz"));
        assertTrue(e.getMessage().contains("'xyz' is not a blob hash"), e.getMessage());
    }

    @Test
    void aManifestIsRefusedUntilEveryChunkIsHeld() {
        BlobStore source = new BlobStore(dir.resolve("a"), 1000, clock);
        BlobStore target = new BlobStore(dir.resolve("b"), 1000, clock);
        Manifest manifest = source.manifest(source.put(bytes(3000, 3))).orElseThrow();
        target.putChunk(source.chunk(manifest.chunkHash(0)).orElseThrow());
        assertEquals(List.of(1, 2), target.missingChunks(manifest));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> target.putManifest(manifest));
        assertTrue(e.getMessage().contains("misses 2 of 3 chunks"), e.getMessage());
        assertFalse(target.has(manifest.id()));
    }

    @Test
    void gcKeepsPinnedAndRecentBlobsAndDeletesTheRest() {
        BlobStore store = new BlobStore(dir, 1000, clock);
        byte[] shared = bytes(1000, 9);
        String pinned = store.put(concat(shared, bytes(1000, 4)));
        String old = store.put(concat(shared, bytes(1000, 5)));
        store.pin(pinned);
        clock.advance(Duration.ofHours(2));
        String recent = store.put(bytes(1000, 6));

        BlobStore.GcReport report = store.gc(Duration.ofHours(1));

        assertEquals(1, report.blobsDeleted());
        assertEquals(1, report.chunksDeleted(), "the old blob's own chunk goes; the chunk it shares with the pinned blob stays");
        assertEquals(1000, report.bytesFreed());
        assertTrue(store.get(pinned).isPresent());
        assertTrue(store.get(recent).isPresent());
        assertFalse(store.has(old));
        clock.advance(Duration.ofHours(2));
        store.gc(Duration.ofHours(1));
        assertFalse(store.has(recent), "once past the grace period an unpinned blob goes too");
        assertTrue(store.get(pinned).isPresent());
        store.unpin(pinned);
        store.gc(Duration.ofHours(1));
        assertFalse(store.has(pinned));
    }

    @Test
    void aDirectoryIsStoredAsACanonicalArchiveAndExtractedBack() throws IOException {
        Path tree = dir.resolve("tree");
        Files.createDirectories(tree.resolve("sub/deeper"));
        Files.writeString(tree.resolve("b.txt"), "bee");
        Files.writeString(tree.resolve("a.txt"), "ay");
        Files.write(tree.resolve("sub/deeper/weights.bin"), bytes(3000, 7));
        BlobStore store = new BlobStore(dir.resolve("store"), 1000, clock);

        String id = store.putPath(tree);
        Files.setLastModifiedTime(tree.resolve("a.txt"), java.nio.file.attribute.FileTime.fromMillis(0));
        assertEquals(id, new BlobStore(dir.resolve("other"), 1000, clock).putPath(tree), "timestamps do not change the id");
        assertEquals(Manifest.Kind.DIRECTORY, store.manifest(id).orElseThrow().kind());

        Path out = dir.resolve("out");
        try (InputStream in = store.open(id)) {
            DirArchive.extract(in, out);
        }
        assertEquals("ay", Files.readString(out.resolve("a.txt")));
        assertEquals("bee", Files.readString(out.resolve("b.txt")));
        assertArrayEquals(bytes(3000, 7), Files.readAllBytes(out.resolve("sub/deeper/weights.bin")));
        try (Stream<Path> files = Files.walk(out)) {
            assertEquals(3, files.filter(Files::isRegularFile).count());
        }
    }

    @Test
    void anArchiveEntryThatEscapesTheTargetIsRefused() {
        byte[] name = "../evil".getBytes(StandardCharsets.UTF_8);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + 4 + 2 + name.length + 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put(DirArchive.MAGIC).putInt(1).putShort((short) name.length).put(name).putLong(0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DirArchive.extract(new ByteArrayInputStream(b.array()), dir.resolve("out")));
        assertTrue(e.getMessage().contains("would land outside"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("evil")));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
