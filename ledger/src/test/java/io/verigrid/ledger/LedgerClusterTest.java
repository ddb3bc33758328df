package io.verigrid.ledger;

import static io.verigrid.ledger.TestChain.TOKEN;
import static io.verigrid.ledger.TestChain.keys;
import static io.verigrid.ledger.TestChain.tx;
import static org.junit.jupiter.api.Assertions.*;

import io.verigrid.ledger.tx.TxBody;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Three real peers in one Ratis group on loopback: every peer reaches the same blocks. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LedgerClusterTest {
    @TempDir
    Path dir;

    @Test
    void threePeersAgreeOnEveryBlockAndAnyPeersClientCanSubmit() throws Exception {
        Genesis genesis = TestChain.genesis();
        List<String> group = new ArrayList<>();
        for (int i = 1; i <= 3; i++) group.add("p" + i + "=127.0.0.1:" + LedgerPeerTest.freePort());
        List<LedgerPeer> peers = new ArrayList<>();
        try {
            for (int i = 1; i <= 3; i++) {
                int port = Integer.parseInt(group.get(i - 1).substring(group.get(i - 1).lastIndexOf(':') + 1));
                peers.add(LedgerPeer.start(new PeerConfig("p" + i, dir.resolve("p" + i), "127.0.0.1", port, group,
                        genesis, 50)));
            }
            Keys alice = keys(1), bob = keys(2);
            TxResult r1 = peers.get(0).client().submit(tx(alice, 1, new TxBody.Transfer(bob.publicKey(), TOKEN)));
            TxResult r2 = peers.get(2).client().submit(tx(bob, 1, new TxBody.Stake(20 * TOKEN)));
            assertTrue(r1.accepted() && r2.accepted(), r1 + " " + r2);
            assertEquals(1, peers.stream().filter(LedgerPeer::isLeader).count(), "exactly one leader");

            long target = peers.get(1).client().status().height() + 3;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (peers.stream().anyMatch(p -> p.localStatus().height() < target)) {
                assertTrue(System.nanoTime() < deadline, "peers did not reach height " + target);
                Thread.sleep(50);
            }
            for (long h = 0; h <= target; h++) {
                BlockView expected = peers.get(0).localBlock(h);
                for (LedgerPeer p : peers) assertEquals(expected, p.localBlock(h), "block " + h + " on " + p.id());
            }
            assertEquals(20 * TOKEN, peers.get(1).client().account(bob.publicKey()).stake());
        } finally {
            peers.forEach(LedgerPeer::close);
        }
    }

    @Test
    void aPeerWhoseStateIsCorruptedHaltsAtTheNextBlockWhileTheOthersGoOn() throws Exception {
        Genesis genesis = TestChain.genesis();
        List<String> group = new ArrayList<>();
        for (int i = 1; i <= 3; i++) group.add("p" + i + "=127.0.0.1:" + LedgerPeerTest.freePort());
        List<LedgerPeer> peers = new ArrayList<>();
        try {
            for (int i = 1; i <= 3; i++) {
                int port = Integer.parseInt(group.get(i - 1).substring(group.get(i - 1).lastIndexOf(':') + 1));
                peers.add(LedgerPeer.start(new PeerConfig("p" + i, dir.resolve("c" + i), "127.0.0.1", port, group, genesis, 0)));
            }
            Keys alice = keys(1), bob = keys(2);
            assertTrue(peers.get(0).client().submit(tx(alice, 1, new TxBody.Transfer(bob.publicKey(), TOKEN))).accepted());
            LedgerPeer leader = awaitLeader(peers);
            LedgerPeer victim = peers.stream().filter(p -> p != leader).findFirst().orElseThrow();
            long target = leader.produceBlock().height();
            awaitHeight(victim, target);
            // A flipped balance on one follower: invisible until a block entry carries the leader's root.
            victim.stateMachine().unsafeState().accounts.get(bob.address()).balance += 1;
            leader.produceBlock();
            leader.produceBlock();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (victim.haltReason() == null) {
                assertTrue(System.nanoTime() < deadline, "the corrupted peer did not halt");
                Thread.sleep(20);
            }
            assertTrue(victim.haltReason().contains("state root mismatch"), victim.haltReason());
            assertTrue(leader.client().submit(tx(alice, 2, new TxBody.Transfer(bob.publicKey(), TOKEN))).accepted(),
                    "the two healthy peers keep a majority");
            for (LedgerPeer p : peers) if (p != victim) assertNull(p.haltReason());
        } finally {
            peers.forEach(LedgerPeer::close);
        }
    }

    private static LedgerPeer awaitLeader(List<LedgerPeer> peers) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            for (LedgerPeer p : peers) if (p.isLeader()) return p;
            Thread.sleep(20);
        }
        throw new AssertionError("no leader");
    }

    private static void awaitHeight(LedgerPeer peer, long height) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (peer.localStatus().height() < height) {
            assertTrue(System.nanoTime() < deadline, peer.id() + " did not reach height " + height);
            Thread.sleep(20);
        }
    }
}
