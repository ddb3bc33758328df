package io.verigrid.node.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.verigrid.engine.generate.SamplingParams;
import io.verigrid.verify.InferenceCommitments.ResponseLeaf;
import io.verigrid.verify.InferenceRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The provider's durable record of settled requests: written, reloaded, pruned, and bad files skipped. */
class ServedStoreTest {
    final List<String> log = new ArrayList<>();

    /** A seeded request with {@code n} choices of {@code positions} leaves each. */
    static ServedRecord record(int i, int n, int positions) {
        Random random = new Random(1_000 + i);
        InferenceRequest request = new InferenceRequest("chatcmpl-store-" + i, new int[] {1, 10 + i, 20 + i}, n, positions,
                new SamplingParams(0.8f, 0, 1f, i), new int[] {2});
        List<ResponseLeaf> leaves = new ArrayList<>();
        for (int c = 0; c < n; c++) {
            for (int p = 0; p < positions; p++) {
                byte[] root = new byte[32];
                random.nextBytes(root);
                leaves.add(new ResponseLeaf(c, p, random.nextInt(100), root));
            }
        }
        byte[] keyHash = new byte[32];
        random.nextBytes(keyHash);
        return new ServedRecord(keyHash, request, leaves, 3, n * positions, -1);
    }

    ServedStore open(Path dir) {
        return ServedStore.open(dir, log::add);
    }

    static List<Path> files(Path dir) throws Exception {
        try (Stream<Path> list = Files.list(dir)) {
            return list.sorted().toList();
        }
    }

    @Test
    void aSettledBatchIsReloadedWithItsHeightsAndRefusedRecordsAreForgotten(@TempDir Path dir) throws Exception {
        ServedRecord a = record(1, 2, 3);
        ServedRecord b = record(2, 1, 4);
        ServedStore store = open(dir);
        long batch = store.stage(List.of(a, b));
        assertEquals(1, files(dir).size(), "written before the settlement is sent");
        assertEquals(-1, open(dir).get(a.requestHashHex()).height(), "a crash now reloads it with no known outcome");
        store.settled(batch, Map.of(a.requestHashHex(), 17L)); // b was refused
        assertNull(store.get(b.requestHashHex()));

        ServedStore reloaded = open(dir);
        assertEquals(1, reloaded.size());
        ServedRecord back = reloaded.get(a.requestHashHex());
        assertEquals(17, back.height());
        assertEquals(a.request(), back.request());
        assertArrayEquals(a.responseRoot(), back.responseRoot(), "the same committed leaves");
        assertArrayEquals(a.keyHash(), back.keyHash());
        assertEquals(List.of(), log);
    }

    @Test
    void pruningDropsWhatTheLedgerNoLongerHoldsAndTheFileWithIt(@TempDir Path dir) throws Exception {
        ServedRecord a = record(1, 1, 2);
        ServedRecord b = record(2, 1, 2);
        ServedRecord unknown = record(3, 1, 2);
        ServedStore store = open(dir);
        store.settled(store.stage(List.of(a, b)), Map.of(a.requestHashHex(), 5L, b.requestHashHex(), 5L));
        store.stage(List.of(unknown)); // its settlement never answered
        assertEquals(List.of(), store.prune(Map.of(a.requestHashHex(), 5L, b.requestHashHex(), 5L)));
        assertEquals(3, store.size());

        store.prune(Map.of(b.requestHashHex(), 5L)); // a paid out; b disputed, still held
        assertNull(store.get(a.requestHashHex()));
        assertNotNull(store.get(b.requestHashHex()));
        assertNotNull(store.get(unknown.requestHashHex()), "an unknown outcome gets a few passes: its transaction may land");
        List<ServedRecord> confirmed = store.prune(Map.of(b.requestHashHex(), 5L, unknown.requestHashHex(), 6L));
        assertEquals(List.of(unknown.atHeight(6).requestHashHex()), confirmed.stream().map(ServedRecord::requestHashHex).toList());
        assertEquals(6, confirmed.get(0).height());
        assertEquals(2, files(dir).size());

        store.prune(Map.of()); // b's dispute settled and the unknown one was paid
        assertEquals(0, store.size());
        assertEquals(List.of(), files(dir), "no file is left once nothing is held");
    }

    @Test
    void aRecordWhoseSettlementNeverLandedIsDroppedAfterAFewPasses(@TempDir Path dir) throws Exception {
        ServedStore store = open(dir);
        ServedRecord lost = record(4, 1, 1);
        store.stage(List.of(lost));
        for (int pass = 1; pass < ServedStore.UNKNOWN_PASSES; pass++) {
            store.prune(Map.of());
            assertNotNull(store.get(lost.requestHashHex()), "pass " + pass);
        }
        store.prune(Map.of());
        assertNull(store.get(lost.requestHashHex()));
        assertEquals(List.of(), files(dir));
    }

    @Test
    void aCorruptOrTruncatedFileIsReportedAndSkippedAndTheRestLoads(@TempDir Path dir) throws Exception {
        ServedStore store = open(dir);
        ServedRecord good = record(1, 1, 2);
        ServedRecord flipped = record(2, 1, 2);
        ServedRecord cut = record(3, 2, 2);
        long g = store.stage(List.of(good));
        long f = store.stage(List.of(flipped));
        long c = store.stage(List.of(cut));
        Path flippedFile = dir.resolve("batch-" + f + ".served");
        byte[] bytes = Files.readAllBytes(flippedFile);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(flippedFile, bytes);
        Path cutFile = dir.resolve("batch-" + c + ".served");
        byte[] whole = Files.readAllBytes(cutFile);
        Files.write(cutFile, java.util.Arrays.copyOf(whole, whole.length - 50));
        Files.write(dir.resolve("batch-" + (c + 1) + ".served.tmp"), new byte[] {1, 2, 3}); // a write cut by the crash

        ServedStore reloaded = open(dir);
        assertEquals(1, reloaded.size());
        assertNotNull(reloaded.get(good.requestHashHex()));
        assertTrue(log.stream().anyMatch(l -> l.contains("skipping " + flippedFile) && l.contains("checksum mismatch")), log.toString());
        assertTrue(log.stream().anyMatch(l -> l.contains("skipping " + cutFile) && l.contains("checksum mismatch")), log.toString());
        assertTrue(log.stream().anyMatch(l -> l.contains("removed the unfinished write")), log.toString());
        assertTrue(Files.exists(flippedFile) && Files.exists(cutFile), "bad files are kept for inspection");
        assertFalse(Files.exists(dir.resolve("batch-" + (c + 1) + ".served.tmp")));

        long next = reloaded.stage(List.of(record(5, 1, 1)));
        assertTrue(next > c, "a new batch never overwrites a skipped file: " + next);
        assertEquals(g, 0);
    }

    @Test
    void recordsRoundTripThroughTheFileFormatExactly() {
        List<ServedRecord> records = List.of(record(1, 3, 2).atHeight(9), record(2, 1, 1));
        List<ServedRecord> back = ServedStore.decode(ServedStore.encode(records));
        assertArrayEquals(ServedStore.encode(records), ServedStore.encode(back));
        assertEquals(9, back.get(0).height());
        assertArrayEquals(new int[] {2, 2, 2}, back.get(0).lengths());
    }
    @Test
    void embeddingRecordsKeepTheirPooledRootAndVersionOneFilesStillLoad(@TempDir Path dir) throws Exception {
        byte[] pooled = new byte[32];
        new Random(7).nextBytes(pooled);
        ServedRecord embedding = new ServedRecord(new byte[32], InferenceRequest.embedding("embd-store-0", new int[] {1, 5, 6}),
                List.of(), 3, 0, 12, pooled);
        ServedRecord completion = record(3, 1, 2).atHeight(12);
        List<ServedRecord> back = ServedStore.decode(ServedStore.encode(List.of(embedding, completion)));
        assertArrayEquals(pooled, back.get(0).pooledRoot());
        assertArrayEquals(embedding.responseRoot(), back.get(0).responseRoot());
        assertTrue(back.get(0).request().isEmbedding());
        assertNull(back.get(1).pooledRoot());

        byte[] v2 = ServedStore.encode(List.of(completion));
        byte[] body = java.util.Arrays.copyOf(v2, v2.length - 32);
        body[4] = 1; // the version byte after "VGSV": a file written before embeddings were stored
        byte[] v1 = new io.verigrid.verify.CanonicalWriter().raw(body).raw(io.verigrid.verify.Hashes.sha256(body)).toByteArray();
        Files.write(dir.resolve("batch-0.served"), v1);
        ServedStore store = open(dir);
        assertNotNull(store.get(completion.requestHashHex()), "a version 1 batch loads: " + log);
    }
}
