package io.verigrid.ledger;

import static io.verigrid.ledger.TestChain.FUNDS;
import static io.verigrid.ledger.TestChain.TOKEN;
import static io.verigrid.ledger.TestChain.keys;
import static io.verigrid.ledger.TestChain.tx;
import static org.junit.jupiter.api.Assertions.*;

import io.verigrid.engine.Fault;
import io.verigrid.engine.MlpJob;
import io.verigrid.engine.Parallelism;
import io.verigrid.verify.DisputeGame;
import io.verigrid.verify.LocalRun;
import io.verigrid.ledger.tx.TxBody;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A real single-peer Ratis group on loopback. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class LedgerPeerTest {
    @TempDir
    Path dir;
    private final Keys alice = keys(1), bob = keys(2);

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void aTransferSubmittedThroughRatisIsCommittedAndQueryable() throws IOException {
        try (LedgerPeer peer = LedgerPeer.start(PeerConfig.single(dir, freePort(), TestChain.genesis(), 0))) {
            LedgerClient client = peer.client();
            TxResult r = client.submit(tx(alice, 1, new TxBody.Transfer(bob.publicKey(), 7 * TOKEN)));
            assertTrue(r.accepted(), r.message());
            assertEquals(FUNDS + 7 * TOKEN, client.account(bob.publicKey()).balance());
            assertEquals(r, client.tx(r.txHash()));
            TxResult replay = client.submit(tx(alice, 1, new TxBody.Transfer(bob.publicKey(), 7 * TOKEN)));
            assertEquals(Rejection.DUPLICATE, replay.code());
            TxResult stale = client.submit(tx(alice, 1, new TxBody.Transfer(bob.publicKey(), 6 * TOKEN)));
            assertEquals(Rejection.BAD_NONCE, stale.code());
            assertTrue(client.tx(r.txHash()).accepted(), "a replay must not overwrite the accepted result");
            assertEquals(Rejection.MALFORMED, client.submitEncoded(new byte[] {9, 9, 9}).code());

            BlockView block = peer.produceBlock();
            assertEquals(1, block.height());
            assertEquals(block, client.block(1));
            assertEquals(Params.defaults(), client.params());
            ChainStatus status = client.status();
            assertEquals(status.genesisSupply() - status.burned(), status.totalSupply());
            assertNull(client.block(99));
            assertThrows(IllegalArgumentException.class, () -> client.account(new byte[3]).balance() );
        }
    }

    @Test
    void concurrentSubmissionsShareBatchEntriesAndEachGetsItsOwnResult() throws Exception {
        try (LedgerPeer peer = LedgerPeer.start(PeerConfig.single(dir, freePort(), TestChain.genesis(), 0))) {
            LedgerClient client = peer.client();
            List<java.util.concurrent.CompletableFuture<TxResult>> futures = new java.util.ArrayList<>();
            for (int n = 1; n <= 300; n++) futures.add(client.submitAsync(tx(alice, n, new TxBody.Transfer(bob.publicKey(), 1))));
            io.verigrid.ledger.tx.SignedTx good = tx(bob, 1, new TxBody.Stake(TOKEN));
            TxResult forged = client.submit(new io.verigrid.ledger.tx.SignedTx(good.tx(), new byte[64]));
            assertEquals(Rejection.BAD_SIGNATURE, forged.code());
            assertEquals(-1, forged.height(), "refused before ordering");
            assertNull(client.tx(forged.txHash()), "a transaction refused before ordering never reaches the log");
            for (var f : futures) assertTrue(f.get(30, TimeUnit.SECONDS).accepted());
            assertEquals(300, client.account(alice.publicKey()).nonce());
            assertEquals(FUNDS + 300, client.account(bob.publicKey()).balance());
            peer.produceBlock();
            assertEquals(300, client.block(1).txHashes().size());
        }
    }

    @Test
    void jobsDisputesAndSamplingSeedsAreReadableThroughTheClient() throws IOException {
        Keys provider = keys(3), verifier = keys(4);
        Params p = Params.defaults();
        byte[] r1 = io.verigrid.verify.Hashes.sha256(new byte[] {1});
        try (LedgerPeer peer = LedgerPeer.start(PeerConfig.single(dir, freePort(), TestChain.genesis(), 0))) {
            LedgerClient c = peer.client();
            MlpJob spec = MlpJob.demo();
            assertTrue(c.submit(tx(alice, 1, new TxBody.PostJob(spec.encode(), 50 * TOKEN, 250_000))).accepted());
            assertTrue(c.submit(tx(provider, 1, new TxBody.Stake(p.minProviderStake()))).accepted());
            assertTrue(c.submit(tx(provider, 2, new TxBody.AcceptJob(1))).accepted());
            assertTrue(c.submit(tx(provider, 3, new TxBody.CommitUnit(1, 1, r1))).accepted());
            assertNull(c.sampleSeed(1, 1));
            for (long i = 0; i <= p.sampleDelayBlocks(); i++) peer.produceBlock();
            assertArrayEquals(io.verigrid.verify.Hashes.unhex(c.block(1 + p.sampleDelayBlocks()).hash()), c.sampleSeed(1, 1));

            assertTrue(c.submit(tx(verifier, 1, new TxBody.Stake(p.minVerifierStake()))).accepted());
            TxResult challenge = c.submit(tx(verifier, 2, new TxBody.Challenge(1, 1, new byte[32])));
            assertTrue(challenge.accepted(), challenge.message());

            JobView job = c.job(1);
            assertEquals("LEASED", job.status());
            assertEquals(1, job.openDisputeId());
            assertEquals(io.verigrid.verify.Hashes.hex(r1), job.commits().get(0).root());
            assertEquals(List.of(job), c.jobs());
            DisputeView d = c.dispute(1);
            assertEquals(provider.address(), d.turnAddress());
            assertEquals("STEPS", d.phase());
            assertArrayEquals(d.decodeGame().stepPoints(), d.stepPoints());
            assertEquals(20, d.stepHi());
            assertNull(c.dispute(2));
            assertNull(c.job(2));
        }
    }

    @Test
    void aWholeDisputeIsPlayedThroughRatisAndTheCheaterIsSlashed() throws IOException {
        Keys provider = keys(3), verifier = keys(4);
        Params p = Params.defaults();
        MlpJob spec = MlpJob.demo();
        LocalRun honest = LocalRun.execute(spec, spec.dataset(), spec.initialState(), 20, Parallelism.single(), null);
        LocalRun cheat = LocalRun.execute(spec, spec.dataset(), spec.initialState(), 20, Parallelism.single(),
                new Fault(5, 8, 3, 1 << 20));
        try (LedgerPeer peer = LedgerPeer.start(PeerConfig.single(dir, freePort(), TestChain.genesis(), 0))) {
            LedgerClient c = peer.client();
            long[] nonce = new long[5];
            java.util.function.BiConsumer<Keys, TxBody> ok = (k, body) -> {
                int who = k == provider ? 3 : k == verifier ? 4 : 1;
                TxResult r = c.submit(tx(k, ++nonce[who], body));
                assertTrue(r.accepted(), body.getClass().getSimpleName() + " " + r.code() + ": " + r.message());
            };
            ok.accept(alice, new TxBody.PostJob(spec.encode(), 50 * TOKEN, 0));
            ok.accept(provider, new TxBody.Stake(p.minProviderStake()));
            ok.accept(verifier, new TxBody.Stake(p.minVerifierStake()));
            ok.accept(provider, new TxBody.AcceptJob(1));
            ok.accept(provider, new TxBody.CommitUnit(1, 1, cheat.stateRoot(20)));
            ok.accept(verifier, new TxBody.Challenge(1, 1, honest.stateRoot(20)));
            DisputeView d = c.dispute(1);
            while (d.outcome() == null) {
                DisputeGame game = d.decodeGame();
                if (game.turn() == DisputeGame.Party.PROVIDER) {
                    ok.accept(provider, DisputeMoves.provider(1, game, cheat));
                } else {
                    ok.accept(verifier, DisputeMoves.challenger(1, game, honest));
                }
                d = c.dispute(1);
            }
            assertEquals("CHALLENGER_WINS", d.outcome().verdict());
            assertEquals(5, d.outcome().step());
            assertEquals(8, d.outcome().operatorIndex());
            assertEquals(p.minProviderStake() / 2, d.outcome().providerSlashed());
            assertEquals("OPEN", c.job(1).status());
            ChainStatus status = c.status();
            assertEquals(status.genesisSupply() - status.burned(), status.totalSupply());
        }
    }

    @Test
    void theLeaderCutsBlocksOnItsTimer() throws Exception {
        try (LedgerPeer peer = LedgerPeer.start(PeerConfig.single(dir, freePort(), TestChain.genesis(), 20))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (peer.client().status().height() < 3) {
                assertTrue(System.nanoTime() < deadline, "no blocks within 30 s");
                Thread.sleep(20);
            }
        }
    }

    @Test
    void aRestartedPeerResumesFromItsSnapshotAndReplaysTheLogAfterIt() throws IOException {
        int port = freePort();
        PeerConfig cfg = PeerConfig.single(dir, port, TestChain.genesis(), 0);
        ChainStatus before;
        AccountView aliceBefore, bobBefore;
        try (LedgerPeer peer = LedgerPeer.start(cfg)) {
            LedgerClient c = peer.client();
            assertTrue(c.submit(tx(alice, 1, new TxBody.Transfer(bob.publicKey(), TOKEN))).accepted());
            assertTrue(c.submit(tx(bob, 1, new TxBody.Stake(200 * TOKEN))).accepted());
            peer.produceBlock();
            assertTrue(peer.takeSnapshot() > 0);
            // after the snapshot: these only survive through log replay
            assertTrue(c.submit(tx(bob, 2, new TxBody.Unstake(50 * TOKEN))).accepted());
            assertTrue(c.submit(tx(alice, 2, new TxBody.Transfer(bob.publicKey(), 3 * TOKEN))).accepted());
            peer.produceBlock();
            before = c.status();
            aliceBefore = c.account(alice.publicKey());
            bobBefore = c.account(bob.publicKey());
        }
        try (LedgerPeer again = LedgerPeer.start(cfg)) {
            LedgerClient c = again.client();
            assertEquals(before, c.status());
            assertEquals(aliceBefore, c.account(alice.publicKey()));
            assertEquals(bobBefore, c.account(bob.publicKey()));
            assertTrue(c.submit(tx(alice, 3, new TxBody.Transfer(bob.publicKey(), 1))).accepted());
        }
    }
}
