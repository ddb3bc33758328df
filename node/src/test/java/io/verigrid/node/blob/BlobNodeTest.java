package io.verigrid.node.blob;

import static io.verigrid.node.blob.BlobStoreTest.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.verigrid.ledger.Keys;
import io.verigrid.node.TestClock;
import io.verigrid.node.http.ApiException;
import io.verigrid.node.http.HttpJsonClient;
import io.verigrid.node.http.NodeServer;
import io.verigrid.node.http.RequestSigner;
import io.verigrid.node.metrics.NodeMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Blob nodes over real HTTP on loopback: upload, download, replication, challenges and refusals. */
class BlobNodeTest {
    private static final int CHUNK = 1024;
    @TempDir
    Path dir;
    private final TestClock clock = new TestClock(Instant.now());
    private final Keys client = key(7);
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) c.close();
    }

    private static Keys key(int seed) {
        byte[] s = new byte[32];
        s[0] = (byte) seed;
        return Keys.fromSeed(s);
    }

    private BlobNode node(String name, BlobApi.Limits limits) {
        BlobNode node = new BlobNode(new BlobNode.Config(name, key(name.hashCode()), dir.resolve(name), 0, CHUNK, limits, clock,
                Duration.ofSeconds(30), BlobAccessPolicy.nobody()));
        open.add(node);
        return node;
    }

    private BlobNode node(String name) {
        return node(name, BlobApi.Limits.defaults());
    }

    private HttpJsonClient http() {
        return new HttpJsonClient(Duration.ofSeconds(5), new RequestSigner(client, clock));
    }

    private BlobStore local(String name) {
        return new BlobStore(dir.resolve("local-" + name), CHUNK, clock);
    }

    @Test
    void aChunkedBlobRoundTripsThroughANode() {
        BlobNode node = node("store");
        BlobStore mine = local("up");
        byte[] data = bytes(10 * CHUNK + 17, 1);
        String id = mine.put(data);

        BlobUploader.Report up = new BlobUploader(mine, http()).upload(id, node.url(), OptionalLong.empty(), false);
        assertEquals(11, up.chunksSent());
        assertTrue(node.store().has(id));

        BlobStore theirs = local("down");
        BlobFetcher.Report down = new BlobFetcher(theirs, http(), new NodeMetrics(), Long.MAX_VALUE).fetch(id, List.of(node.url()));
        assertEquals(11, down.chunksFetched());
        assertArrayEquals(data, theirs.get(id).orElseThrow());
        assertArrayEquals(data, http().getBytes(node.url() + "/blobs/" + id), "the whole blob is also served in one piece");
        assertEquals(0, new BlobUploader(mine, http()).upload(id, node.url(), OptionalLong.empty(), false).chunksSent(),
                "a second upload sends no chunk the node already holds");
    }

    @Test
    void aCorruptedChunkFromAPeerIsRejectedAndFetchedAgainFromAnotherReplica() {
        BlobNode good = node("good");
        byte[] data = bytes(4 * CHUNK, 2);
        String id = good.store().put(data);
        Manifest manifest = good.store().manifest(id).orElseThrow();
        // A peer that serves the right manifest but flips a bit of chunk 2.
        NodeServer liar = NodeServer.start("liar", "127.0.0.1", 0, app -> {
            app.get("/blobs/{id}/manifest", ctx -> ctx.result(manifest.encode()));
            app.get("/blobs/{id}/chunks/{i}", ctx -> {
                int i = Integer.parseInt(ctx.pathParam("i"));
                byte[] chunk = good.store().chunk(manifest.chunkHash(i)).orElseThrow();
                if (i == 2) chunk[5] ^= 1;
                ctx.result(chunk);
            });
        });
        open.add(liar);
        BlobNode replica = node("replica");

        BlobFetcher.Report report = new BlobUploader(local("x"), http()).replicate(id, replica.url(), List.of(liar.url(), good.url()), OptionalLong.empty(), false);

        assertEquals(1, report.chunksRejected());
        assertArrayEquals(data, replica.store().get(id).orElseThrow());
        assertTrue(replica.metrics().scrape().contains("verigrid_blob_chunk_verification_failures_total 1.0"), replica.metrics().scrape());
    }

    @Test
    void anInterruptedDownloadResumesWithoutRefetchingHeldChunks() {
        BlobNode source = node("source");
        byte[] data = bytes(10 * CHUNK, 3);
        String id = source.store().put(data);
        Manifest manifest = source.store().manifest(id).orElseThrow();
        AtomicInteger served = new AtomicInteger();
        // A peer whose connection "breaks" after four chunks.
        NodeServer flaky = NodeServer.start("flaky", "127.0.0.1", 0, app -> {
            app.get("/blobs/{id}/manifest", ctx -> ctx.result(manifest.encode()));
            app.get("/blobs/{id}/chunks/{i}", ctx -> {
                if (served.incrementAndGet() > 4) throw new ApiException(503, "GONE", "connection lost");
                ctx.result(source.store().chunk(manifest.chunkHash(Integer.parseInt(ctx.pathParam("i")))).orElseThrow());
            });
        });
        open.add(flaky);
        BlobStore mine = local("resume");
        BlobFetcher fetcher = new BlobFetcher(mine, http(), new NodeMetrics(), Long.MAX_VALUE);

        IllegalStateException broken = assertThrows(IllegalStateException.class, () -> fetcher.fetch(id, List.of(flaky.url())));
        assertTrue(broken.getMessage().contains("4 fetched"), broken.getMessage());
        assertFalse(mine.has(id), "a blob is not held until its last chunk is in");

        BlobFetcher.Report resumed = fetcher.fetch(id, List.of(source.url()));
        assertEquals(4, resumed.chunksHeld());
        assertEquals(6, resumed.chunksFetched());
        assertTrue(source.metrics().scrape().contains("verigrid_blob_bytes_out_total " + (6.0 * CHUNK)), "the source served only the six missing chunks");
        assertArrayEquals(data, mine.get(id).orElseThrow());
    }

    @Test
    void aBlobIsReplicatedToTwoNodesThatPinIt() {
        BlobNode origin = node("origin");
        BlobNode r1 = node("replica-1");
        BlobNode r2 = node("replica-2");
        BlobStore mine = local("rep");
        byte[] data = bytes(5 * CHUNK + 3, 4);
        String id = mine.put(data);
        BlobUploader uploader = new BlobUploader(mine, http());
        uploader.upload(id, origin.url(), OptionalLong.empty(), true);

        uploader.replicate(id, r1.url(), List.of(origin.url()), OptionalLong.empty(), true);
        BlobFetcher.Report second = uploader.replicate(id, r2.url(), List.of(r1.url(), origin.url()), OptionalLong.empty(), true);

        assertEquals(6, second.chunksFetched());
        for (BlobNode n : List.of(origin, r1, r2)) {
            assertArrayEquals(data, n.store().get(id).orElseThrow(), n.url());
            assertTrue(n.store().pinned(id));
        }
        assertTrue(r1.metrics().scrape().contains("verigrid_blob_bytes_out_total " + (double) data.length), "replica 2 pulled from replica 1");
    }

    @Test
    void aRetrievabilityChallengePassesForAHolderAndFailsForANodeThatDroppedTheChunk() throws Exception {
        BlobNode holder = node("holder");
        BlobNode dropper = node("dropper");
        byte[] data = bytes(3 * CHUNK, 5);
        String id = holder.store().put(data);
        dropper.store().put(data);
        Manifest manifest = holder.store().manifest(id).orElseThrow();
        String dropped = manifest.chunkHash(1);
        Files.delete(dir.resolve("dropper/blobs/chunks").resolve(dropped.substring(0, 2)).resolve(dropped));

        BlobStore withCopy = local("auditor");
        withCopy.put(data);
        RetrievabilityChallenge auditor = new RetrievabilityChallenge(withCopy, http(), new SecureRandom());
        assertTrue(auditor.challenge(holder.url(), id, 1).passed());
        RetrievabilityChallenge.Outcome failed = auditor.challenge(dropper.url(), id, 1);
        assertFalse(failed.passed());
        assertTrue(failed.reason().contains("is not held here"), failed.reason());
        assertTrue(auditor.challenge(dropper.url(), id, 0).passed(), "the chunks it kept still pass");

        // A challenger holding only the manifest checks the chunk against the manifest, then the proof.
        BlobStore manifestOnly = local("light");
        new BlobFetcher(manifestOnly, http(), new NodeMetrics(), Long.MAX_VALUE).fetch(id, List.of(holder.url()));
        for (int i = 0; i < manifest.chunkCount(); i++) {
            Files.delete(dir.resolve("local-light/chunks").resolve(manifest.chunkHash(i).substring(0, 2)).resolve(manifest.chunkHash(i)));
        }
        RetrievabilityChallenge light = new RetrievabilityChallenge(manifestOnly, http(), new SecureRandom());
        assertTrue(light.challenge(holder.url(), id, 2).passed());
        assertFalse(light.challenge(dropper.url(), id, 1).passed());
    }

    @Test
    void aProofIsBoundToTheNonce() {
        byte[] chunk = bytes(100, 6);
        byte[] a = new byte[32];
        byte[] b = new byte[32];
        b[0] = 1;
        assertFalse(java.util.Arrays.equals(RetrievabilityChallenge.proof(a, chunk), RetrievabilityChallenge.proof(b, chunk)));
    }

    @Test
    void unknownAndMalformedHashesAndOversizeUploadsGetClearErrors() {
        BlobNode node = node("limits", new BlobApi.Limits(4 * CHUNK, CHUNK));
        String unknown = "0".repeat(64);
        ApiException missing = assertThrows(ApiException.class, () -> http().getBytes(node.url() + "/blobs/" + unknown));
        assertEquals(404, missing.status());
        assertEquals("blob " + unknown + " not found", missing.getMessage());

        ApiException malformed = assertThrows(ApiException.class, () -> http().getBytes(node.url() + "/blobs/not-a-hash"));
        assertEquals(400, malformed.status());
        assertTrue(malformed.getMessage().contains("'not-a-hash' is not a blob hash"), malformed.getMessage());

        BlobStore mine = local("big");
        String big = mine.put(bytes(5 * CHUNK, 8));
        ApiException tooLarge = assertThrows(ApiException.class, () -> new BlobUploader(mine, http()).upload(big, node.url(), OptionalLong.empty(), false));
        assertEquals(413, tooLarge.status());
        assertTrue(tooLarge.getMessage().contains("at most " + 4 * CHUNK), tooLarge.getMessage());
        assertFalse(node.store().has(big));

        ApiException chunkTooLarge = assertThrows(ApiException.class, () -> http().putBytes(node.url() + "/chunks/" + BlobStore.sha256Hex(bytes(CHUNK + 1, 9)), bytes(CHUNK + 1, 9)));
        assertEquals(413, chunkTooLarge.status());

        ApiException mismatch = assertThrows(ApiException.class, () -> http().putBytes(node.url() + "/chunks/" + unknown, bytes(10, 1)));
        assertEquals("CHUNK_MISMATCH", mismatch.code());
    }

    @Test
    void unsignedRequestsToBlobRoutesGet401() {
        BlobNode node = node("guarded");
        String id = node.store().put(bytes(10, 1));
        ApiException e = assertThrows(ApiException.class, () -> new HttpJsonClient(Duration.ofSeconds(5)).getBytes(node.url() + "/blobs/" + id));
        assertEquals(401, e.status());
        assertEquals("UNSIGNED", e.code());
        ApiException put = assertThrows(ApiException.class, () -> new HttpJsonClient(Duration.ofSeconds(5)).putBytes(node.url() + "/chunks/" + BlobStore.sha256Hex(new byte[] {1}), new byte[] {1}));
        assertEquals(401, put.status());
        assertFalse(node.store().hasChunk(BlobStore.sha256Hex(new byte[] {1})));
    }

    @Test
    void aPrivateBlobIsRefusedToACallerThePolicyDoesNotAllow() {
        Keys buyer = key(40);
        BlobNode node = new BlobNode(new BlobNode.Config("private", key(41), dir.resolve("private"), 0, CHUNK, BlobApi.Limits.defaults(), clock,
                Duration.ofSeconds(30), (caller, job) -> job == 9 && caller.equals(buyer.address())));
        open.add(node);
        BlobStore mine = local("priv");
        String id = mine.put(bytes(3 * CHUNK, 10));
        HttpJsonClient asBuyer = new HttpJsonClient(Duration.ofSeconds(5), new RequestSigner(buyer, clock));
        new BlobUploader(mine, asBuyer).upload(id, node.url(), OptionalLong.of(9), true);
        assertEquals(9, node.store().privateJob(id).orElseThrow());

        ApiException refused = assertThrows(ApiException.class, () -> http().getBytes(node.url() + "/blobs/" + id + "/chunks/0"));
        assertEquals(403, refused.status());
        assertTrue(refused.getMessage().contains("private to job 9"), refused.getMessage());
        assertThrows(ApiException.class, () -> http().getBytes(node.url() + "/blobs/" + id));
        assertArrayEquals(mine.get(id).orElseThrow(), asBuyer.getBytes(node.url() + "/blobs/" + id));
    }
}
