package io.verigrid.ledger;

import static io.verigrid.ledger.TestChain.TOKEN;
import static io.verigrid.ledger.TestChain.keys;
import static org.junit.jupiter.api.Assertions.*;

import io.verigrid.engine.Dataset;
import io.verigrid.engine.Fault;
import io.verigrid.engine.GptConfig;
import io.verigrid.engine.GptModel;
import io.verigrid.engine.LearningRate;
import io.verigrid.engine.LmJob;
import io.verigrid.engine.MatmulTiles;
import io.verigrid.engine.OpRecord;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.StepTrace;
import io.verigrid.ledger.tx.SignedTx;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.verify.Bisection;
import io.verigrid.verify.Commitments;
import io.verigrid.verify.DisputeGame;
import io.verigrid.verify.Hashes;
import io.verigrid.verify.LocalRun;
import io.verigrid.verify.TileEvidence;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Spec §2 on the chain: a genesis with a 384 KiB max_referee_bytes makes a tiny LM's lm_head (64 tokens × 64 ·
 * 64 × 2048 vocabulary, 528 KiB of inputs) and its backward matmuls tiles. A provider that corrupts one element of
 * lm_head is bisected by the ledger to the exact tile, the state machine re-executes that tile alone from the
 * chunks the SettleOperator transaction proves, and the provider is slashed; an honest provider wins against a
 * challenger who corrupted a tile of a K-chained backward matmul.
 */
class TiledDisputeLedgerTest {
    private static final long BOUND = 384 * 1024;
    private static final GptModel GPT = new GptModel(new GptConfig(2048, 16, 64, 1, 2, 1e-5f, true));
    private static final LmJob JOB = new LmJob(GPT, 5, 8, 4, 16, 2, 2, new LearningRate(1e-2f, 1e-3f, 1, 2), 0.9f, 0.95f,
            1e-8f, 0.01f, 1f);
    private static final Dataset DATA = tokens();
    private static final TxBody.DatasetBlob BLOB = new TxBody.DatasetBlob(Hashes.hex(Hashes.sha256("blob".getBytes(StandardCharsets.UTF_8))),
            List.of("http://127.0.0.1:9101", "http://127.0.0.1:9102"));
    private static final long GIB = 1L << 30;
    private static LocalRun honest;
    private static StepTrace honestTrace;

    private final Keys buyer = keys(1), provider = keys(2), verifier = keys(3);
    private final Params params = Params.defaults().withMaxRefereeBytes(BOUND);
    private final LedgerState state = LedgerState.fromGenesis(TestChain.genesis(5, params));

    private static Dataset tokens() {
        int[] stream = new int[8 * 16 + 1];
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < stream.length; i++) stream[i] = random.nextInt(2048);
        return LmJob.windows(stream, 16, 2048);
    }

    @BeforeAll
    static void runUnitOne() {
        honest = LocalRun.execute(JOB, DATA, JOB.initialState(), 2, Parallelism.single(), null, BOUND);
        honestTrace = honest.trace(2);
    }

    /** The program index of the first tiled matmul whose tiles satisfy {@code chained} (a K-chain or not). */
    private static int tiled(boolean chained) {
        for (OpRecord r : honestTrace.ops()) {
            if (r.isTile() && (MatmulTiles.Tile.ofAttrs(r.spec().attrs()).k0() > 0) == chained) return r.programIndex();
        }
        throw new AssertionError("no tiled matmul with chained = " + chained);
    }

    private TxResult send(Keys k, TxBody body) {
        return state.apply(TestChain.tx(k, state.account(k.publicKey()).nonce() + 1, body));
    }

    private void ok(Keys k, TxBody body) {
        TxResult r = send(k, body);
        assertTrue(r.accepted(), r.code() + ": " + r.message());
    }

    private void lease() {
        ok(provider, new TxBody.Stake(params.minProviderStake()));
        ok(provider, new TxBody.RegisterProvider("http://127.0.0.1:9000", 1_000, 8 * GIB, 100 * GIB));
        ok(verifier, new TxBody.Stake(params.minVerifierStake()));
        ok(buyer, new TxBody.PostOrder(JOB.kind().code(), JOB.encode(), Commitments.datasetRoot(DATA), TOKEN, 1_000_000, 0, 0,
                3, 200, BLOB));
        ok(provider, new TxBody.PlaceBid(1, TOKEN));
        for (int i = 0; i < 3; i++) state.applyBlock();
        assertEquals("LEASED", state.job(1).status());
    }

    /** What the game did: its outcome and the tile evidence the provider posted (null if it settled a whole op). */
    private record Played(DisputeOutcome outcome, TileEvidence evidence, int position) {}

    /** Plays the dispute through encoded, signed transactions until it settles. */
    private Played play(LocalRun providerRun, LocalRun challengerRun) {
        ok(provider, new TxBody.CommitUnit(1, 1, providerRun.stateRoot(2)));
        state.applyBlock();
        ok(verifier, new TxBody.Challenge(1, 1, challengerRun.stateRoot(2)));
        long id = state.job(1).openDisputeId();
        TileEvidence evidence = null;
        int position = -1;
        DisputeView view = state.dispute(id);
        while (view.outcome() == null) {
            DisputeGame game = view.decodeGame();
            boolean providerTurn = game.turn() == DisputeGame.Party.PROVIDER;
            TxBody move = providerTurn ? DisputeMoves.provider(id, game, providerRun) : DisputeMoves.challenger(id, game, challengerRun);
            if (move instanceof TxBody.PostTraceRoot t) {
                // A trace shorter than the program cannot be this step's: refused, nothing changes.
                byte[] root = state.stateRoot();
                TxResult r = send(provider, new TxBody.PostTraceRoot(id, t.traceRoot(), JOB.program(2).size() - 1));
                assertEquals("WRONG_COUNT", r.code(), r.message());
                assertArrayEquals(root, state.stateRoot(), "a rejected move changes nothing");
            }
            if (move instanceof TxBody.SettleOperator s) {
                evidence = s.tile();
                position = game.operator();
            }
            Keys mover = providerTurn ? provider : verifier;
            SignedTx tx = TestChain.tx(mover, state.account(mover.publicKey()).nonce() + 1, move);
            TxResult r = state.applyEncoded(SignedTx.decode(tx.encode()).encode());
            assertTrue(r.accepted(), move.getClass().getSimpleName() + " " + r.code() + ": " + r.message());
            view = state.dispute(id);
        }
        return new Played(view.outcome(), evidence, position);
    }

    private void assertWithinRoundBound(DisputeOutcome o) {
        int bound = Bisection.ceilLog(params.fanout(), JOB.units()) + Bisection.ceilLog(params.fanout(), JOB.checkpointInterval())
                + Bisection.ceilLog(params.fanout(), honestTrace.ops().size()) + 1;
        assertTrue(o.rounds() <= bound, "rounds " + o.rounds() + " within spec §6's bound " + bound + " over the tiled trace");
    }

    @Test
    void theGenesisBoundTilesTheLmHeadAndLeavesTheDefaultTracesWhole() {
        assertEquals(BOUND, state.params().maxRefereeBytes());
        assertTrue(honestTrace.ops().size() > JOB.program(2).size(), "lm_head and its backward matmuls are tiles");
        StepTrace whole = LocalRun.execute(JOB, DATA, JOB.initialState(), 2, Parallelism.single(), null,
                Params.DEFAULT_MAX_REFEREE_BYTES).trace(2);
        assertEquals(JOB.program(2).size(), whole.ops().size(), "nothing of this job is tiled at 4 MiB");
        assertArrayEquals(Commitments.traceRoot(LocalRun.execute(JOB, DATA, JOB.initialState(), 2, Parallelism.single(), null)
                .trace(2)), Commitments.traceRoot(whole), "the 4 MiB trace is the untiled one, root for root");
        assertArrayEquals(honest.stateRoot(2), LocalRun.execute(JOB, DATA, JOB.initialState(), 2, Parallelism.single(), null)
                .stateRoot(2), "tiling changes what is recorded, not one bit of the state");
    }

    @Test
    void aProviderCorruptingOneElementOfATiledMatmulIsBisectedToItsTileAndSlashed() {
        lease();
        int lmHead = tiled(false);
        LocalRun faulty = LocalRun.execute(JOB, DATA, JOB.initialState(), 2, Parallelism.single(),
                Fault.bitFlip(2, lmHead, 3 * 2048 + 700, 1 << 22), BOUND);
        Played p = play(faulty, honest);
        DisputeOutcome o = p.outcome();
        assertEquals("CHALLENGER_WINS", o.verdict());
        assertEquals("REFEREE", o.reason());
        assertEquals(2, o.step());
        assertEquals(MatmulTiles.TILE_KIND, o.opKind());
        assertNotNull(p.evidence(), "the provider settled with tile evidence");
        OpRecord reached = faulty.trace(2).ops().get(p.position());
        assertTrue(reached.isTile());
        assertEquals(lmHead, reached.programIndex());
        MatmulTiles.Tile tile = MatmulTiles.Tile.ofAttrs(reached.spec().attrs());
        assertTrue(tile.row0() <= 3 && 3 < tile.row0() + tile.rows() && tile.col0() <= 700 && 700 < tile.col0() + tile.cols(),
                "the exact tile holding the corrupted element: " + tile);
        assertTrue(tile.cols() < 2048, "the tile is a part of the operator, not all of it");
        assertTrue(p.evidence().inputBytes() <= BOUND, "the referee reads " + p.evidence().inputBytes() + " bytes");
        assertWithinRoundBound(o);
        assertEquals(params.minProviderStake() / 2, o.providerSlashed());
        assertTrue(state.job(1).bannedProviders().contains(provider.address()));
    }

    @Test
    void anHonestProviderWinsAgainstAChallengerWhoCorruptedAChainedTile() {
        lease();
        int backward = tiled(true);
        LocalRun lying = LocalRun.execute(JOB, DATA, JOB.initialState(), 2, Parallelism.single(),
                Fault.bitFlip(2, backward, 5, 1 << 22), BOUND);
        long challengerBalance = state.account(verifier.publicKey()).balance();
        Played p = play(honest, lying);
        DisputeOutcome o = p.outcome();
        assertEquals("PROVIDER_WINS", o.verdict());
        assertEquals("REFEREE", o.reason());
        assertNotNull(p.evidence());
        assertEquals(backward, p.evidence().programIndex());
        assertTrue(p.evidence().inputBytes() <= BOUND, "the referee reads " + p.evidence().inputBytes() + " bytes");
        assertEquals(0, o.providerSlashed());
        assertEquals(params.challengeBond(), o.challengerForfeited());
        assertTrue(state.account(verifier.publicKey()).balance() < challengerBalance, "the challenger lost its bond");
        assertWithinRoundBound(o);
    }
}
