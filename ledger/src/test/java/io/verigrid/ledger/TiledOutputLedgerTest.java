package io.verigrid.ledger;

import static io.verigrid.ledger.TestChain.TOKEN;
import static io.verigrid.ledger.TestChain.keys;
import static org.junit.jupiter.api.Assertions.*;

import io.verigrid.engine.Fault;
import io.verigrid.engine.MlpJob;
import io.verigrid.engine.OpRecord;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.StepTrace;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.verify.Bisection;
import io.verigrid.verify.Commitments;
import io.verigrid.verify.DisputeGame;
import io.verigrid.verify.Hashes;
import io.verigrid.verify.LocalRun;
import io.verigrid.verify.Merkle;
import io.verigrid.verify.TileEvidence;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spec §2 on a real one-peer Ratis ledger whose genesis bounds the referee at 256 KiB: an MLP (256 → 32 → 4, 240
 * samples per batch) records x·w1 [2] as two tiles and an assembly leaf (trace entry 4) that add_bias [3] reads, so
 * every dispute below lands where the two tile holes were. A provider that corrupts add_bias proves its input against
 * the assembly leaf and loses; an honest provider whose assembly leaf is disputed wins from the assembled output and
 * its final tiles; a provider that swaps two correct tiles loses at the first one out of place.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TiledOutputLedgerTest {
    private static final long BOUND = 256 * 1024;
    private static final MlpJob JOB = new MlpJob(5, 256, 32, 4, 240, 240, 0.05f, 0.9f, 2, 1);
    private static LocalRun honest;

    @TempDir
    Path dir;
    private final Keys buyer = keys(1), provider = keys(2), verifier = keys(3);
    private final Params params = Params.defaults().withMaxRefereeBytes(BOUND);
    private LedgerClient client;

    @BeforeAll
    static void runUnitOne() {
        honest = LocalRun.execute(JOB, JOB.dataset(), JOB.initialState(), 1, Parallelism.single(), null, BOUND);
        StepTrace trace = honest.trace(1);
        assertTrue(trace.ops().get(3).isTile() && !trace.ops().get(4).isTile() && trace.ops().get(4).programIndex() == 2,
                "x·w1 is two tiles and its assembly leaf");
    }

    private void ok(Keys k, TxBody body) {
        TxResult r = send(k, body);
        assertTrue(r.accepted(), body.getClass().getSimpleName() + " " + r.code() + ": " + r.message());
    }

    private TxResult send(Keys k, TxBody body) {
        return client.submit(TestChain.tx(k, client.account(k.publicKey()).nonce() + 1, body));
    }

    /** Job 1 accepted, unit 1 committed with {@code providerRoot} and challenged with {@code challengerRoot}. */
    private long openDispute(LedgerPeer peer, byte[] providerRoot, byte[] challengerRoot) {
        ok(buyer, new TxBody.PostJob(JOB.encode(), 100 * TOKEN, 100_000));
        ok(provider, new TxBody.Stake(params.minProviderStake()));
        ok(verifier, new TxBody.Stake(params.minVerifierStake()));
        ok(provider, new TxBody.AcceptJob(1));
        ok(provider, new TxBody.CommitUnit(1, 1, providerRoot));
        peer.produceBlock();
        ok(verifier, new TxBody.Challenge(1, 1, challengerRoot));
        return client.job(1).openDisputeId();
    }

    private DisputeGame game(long id) {
        return client.dispute(id).decodeGame();
    }

    /** The trace round the provider posts from {@code leaves}: its root, then the nodes under the disputed node. */
    private TxBody traceMove(long id, DisputeGame game, List<byte[]> leaves) {
        if (game.providerTraceRoot() == null) return new TxBody.PostTraceRoot(id, Merkle.root(leaves), leaves.size());
        int from = game.childStart();
        return new TxBody.PostTraceNodes(id, Merkle.levels(leaves).get(game.childLevel()).subList(from, from + game.childCount()));
    }

    private void assertWithinRoundBound(DisputeOutcome o) {
        int bound = Bisection.ceilLog(params.fanout(), JOB.units()) + Bisection.ceilLog(params.fanout(), JOB.checkpointInterval())
                + Bisection.ceilLog(params.fanout(), honest.trace(1).ops().size()) + 1;
        assertTrue(o.rounds() <= bound, "rounds " + o.rounds() + " within spec §6's bound " + bound + " over the tiled trace"
                + " (the assembly leaves counted)");
    }

    @Test
    void aProviderCorruptingTheReaderOfATiledOutputIsSlashed() throws Exception {
        LocalRun cheat = LocalRun.execute(JOB, JOB.dataset(), JOB.initialState(), 1, Parallelism.single(),
                new Fault(1, 3, 11, 1 << 31), BOUND); // the sign bit: relu passes one value it dropped, or drops one
        try (LedgerPeer peer = LedgerPeer.start(PeerConfig.single(dir, LedgerPeerTest.freePort(), TestChain.genesis(5, params), 0))) {
            client = peer.client();
            assertEquals(BOUND, client.params().maxRefereeBytes());
            long id = openDispute(peer, cheat.stateRoot(1), honest.stateRoot(1));
            TxBody.SettleOperator settlement = null;
            while (client.dispute(id).outcome() == null) {
                DisputeGame game = game(id);
                boolean providerTurn = game.turn() == DisputeGame.Party.PROVIDER;
                TxBody move = providerTurn ? DisputeMoves.provider(id, game, cheat) : DisputeMoves.challenger(id, game, honest);
                if (move instanceof TxBody.SettleOperator s) settlement = s;
                ok(providerTurn ? provider : verifier, move);
            }
            DisputeOutcome o = client.dispute(id).outcome();
            assertEquals("CHALLENGER_WINS", o.verdict());
            assertEquals("REFEREE", o.reason());
            assertEquals(5, o.operatorIndex(), "add_bias, right after x·w1's assembly leaf");
            assertEquals("add_bias", o.opKind());
            assertNotNull(settlement.previous(), "a whole leaf after tiles is settled with the agreed leaf before it");
            assertEquals(2, settlement.previous().programIndex());
            assertWithinRoundBound(o);
            assertEquals(params.minProviderStake() / 2, o.providerSlashed());
        }
    }

    @Test
    void anHonestProviderWhoseAssemblyLeafIsDisputedWins() throws Exception {
        try (LedgerPeer peer = LedgerPeer.start(PeerConfig.single(dir, LedgerPeerTest.freePort(), TestChain.genesis(5, params), 0))) {
            client = peer.client();
            long id = openDispute(peer, honest.stateRoot(1), Hashes.sha256("a lying challenger's root".getBytes()));
            TxBody.SettleOperator settlement = null;
            while (client.dispute(id).outcome() == null) {
                DisputeGame game = game(id);
                if (game.turn() == DisputeGame.Party.PROVIDER) {
                    TxBody move = DisputeMoves.provider(id, game, honest);
                    if (move instanceof TxBody.SettleOperator s) settlement = s;
                    ok(provider, move);
                } else {
                    // The challenger steers the descent to entry 4, x·w1's (correct) assembly leaf, and disputes it.
                    int level = game.childLevel();
                    ok(verifier, new TxBody.PickTraceNode(id, (4 >> level) - game.childStart(),
                            level == 0 ? Hashes.sha256("another output".getBytes()) : null));
                }
            }
            DisputeOutcome o = client.dispute(id).outcome();
            assertEquals("PROVIDER_WINS", o.verdict(), o.toString());
            assertEquals(4, o.operatorIndex());
            assertEquals("matmul", o.opKind());
            assertNotNull(settlement.tiledOutput(), "the assembly leaf is settled from the assembled output");
            assertTrue(settlement.tiledOutput().inputBytes() <= BOUND);
            assertEquals(2, settlement.tiledOutput().finalTiles().size());
            assertEquals(0, o.providerSlashed());
            assertEquals(params.challengeBond(), o.challengerForfeited());
            assertWithinRoundBound(o);
        }
    }

    @Test
    void aProviderThatSwapsTwoCorrectTilesLosesAtTheFirst() throws Exception {
        StepTrace trace = honest.trace(1);
        List<OpRecord> swapped = new ArrayList<>(trace.ops());
        OpRecord a = swapped.get(2), b = swapped.get(3);
        swapped.set(2, new OpRecord(2, b.spec(), b.output(), b.programIndex()));
        swapped.set(3, new OpRecord(3, a.spec(), a.output(), a.programIndex()));
        StepTrace cheat = new StepTrace(1, swapped);
        List<byte[]> leaves = Commitments.traceLeaves(cheat);
        try (LedgerPeer peer = LedgerPeer.start(PeerConfig.single(dir, LedgerPeerTest.freePort(), TestChain.genesis(5, params), 0))) {
            client = peer.client();
            long id = openDispute(peer, Hashes.sha256("a wrong state".getBytes()), honest.stateRoot(1));
            while (client.dispute(id).outcome() == null) {
                DisputeGame game = game(id);
                if (game.turn() == DisputeGame.Party.CHALLENGER) {
                    ok(verifier, DisputeMoves.challenger(id, game, honest));
                } else if (game.phase() == DisputeGame.Phase.TRACE) {
                    ok(provider, traceMove(id, game, leaves));
                } else {
                    // Each tile is right; only its place is not. Its evidence is what an honest provider of this trace posts.
                    assertEquals(2, game.operator());
                    TileEvidence evidence = TileEvidence.forTile(JOB.program(1), cheat, 2, JOB.initialState(), JOB.dataset());
                    assertNotNull(evidence.previous());
                    ok(provider, new TxBody.SettleOperator(id, evidence, Commitments.outputRoot(cheat.ops().get(2).output())));
                }
            }
            DisputeOutcome o = client.dispute(id).outcome();
            assertEquals("CHALLENGER_WINS", o.verdict());
            assertEquals("REFEREE", o.reason());
            assertEquals(2, o.operatorIndex());
            assertEquals(params.minProviderStake() / 2, o.providerSlashed());
        }
    }
}
