package io.verigrid.node.provider;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.verigrid.engine.Fault;
import io.verigrid.engine.MatmulTiles;
import io.verigrid.engine.MlpJob;
import io.verigrid.engine.OpRecord;
import io.verigrid.engine.Parallelism;
import io.verigrid.ledger.DisputeOutcome;
import io.verigrid.ledger.Genesis;
import io.verigrid.ledger.GenesisAccount;
import io.verigrid.ledger.Keys;
import io.verigrid.ledger.Params;
import io.verigrid.ledger.PeerConfig;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.node.ledger.LedgerHttp;
import io.verigrid.node.ledger.LedgerNode;
import io.verigrid.node.ledger.Wallet;
import io.verigrid.node.verifier.VerifierNode;
import io.verigrid.verify.Hashes;
import io.verigrid.verify.LocalRun;
import io.verigrid.verify.RefereeBounds;
import io.verigrid.verify.TiledOutputEvidence;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spec §2 through the nodes: under a genesis max_referee_bytes of 384 KiB an MLP's first-layer matmul (128 × 256 ·
 * 256 × 1024) is traced as tiles by the provider and the verifier alike, which read the bound from the ledger's
 * params; a provider that corrupts one element of it is challenged, bisected over HTTP to the tile, and its
 * DisputePlayer's SettleOperator carries the tile evidence the ledger's referee convicts it with. A provider that
 * corrupts the operator reading a tiled matmul's output is convicted there, its input proven against the assembly leaf.
 */
@Timeout(150)
class TiledDisputeFlowTest {
    private static final long TOKEN = Params.UNITS_PER_TOKEN;
    /** 256 → 32 → 4 on 240-sample batches under 256 KiB: x·w1 is two tiles and an assembly leaf; every leaf settles. */
    private static final long BOUND = 256 * 1024;
    private static final MlpJob JOB = new MlpJob(5, 256, 32, 4, 240, 240, 0.05f, 0.9f, 2, 1);
    @TempDir
    Path dir;

    private static Keys key(String name) {
        return Keys.fromSeed(Hashes.sha256(("verigrid-tiled-flow/" + name).getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aProviderCorruptingATiledMatmulIsConvictedFromTheTileEvidenceItsOwnNodePosts() throws Exception {
        int target = -1;
        Fault fault;
        try (Parallelism par = Parallelism.single()) {
            LocalRun honest = LocalRun.execute(JOB, JOB.dataset(), JOB.initialState(), 1, par, null, BOUND);
            for (OpRecord r : honest.trace(1).ops()) {
                if (r.isTile()) {
                    target = r.programIndex();
                    break;
                }
            }
            assertTrue(target >= 0, "the bound tiles a matmul of this job");
            fault = new Fault(1, target, 3 * 32 + 7, 1 << 31); // the sign: through the relu either way
            assertFalse(java.util.Arrays.equals(honest.stateRoot(1),
                    LocalRun.execute(JOB, JOB.dataset(), JOB.initialState(), 1, par, fault, BOUND).stateRoot(1)), "the cheat changes R_1");
        }
        Played played = play(JOB, BOUND, fault);
        DisputeOutcome o = played.outcome();
        List<String> log = played.log();
        assertEquals("CHALLENGER_WINS", o.verdict(), String.join("\n", log));
        assertEquals("REFEREE", o.reason());
        assertEquals(1, o.step());
        assertEquals(MatmulTiles.TILE_KIND, o.opKind(), "settled on a tile, not the whole matmul");
        assertTrue(o.operatorIndex() >= target, "a trace position at or after the matmul's program index");
        assertEquals(150 * TOKEN / 2, o.providerSlashed(), "half of the 150 tokens it staked");
        assertTrue(log.stream().anyMatch(line -> line.contains("input bytes of tile #" + o.operatorIndex())),
                "the provider's DisputePlayer posted tile evidence:\n" + String.join("\n", log));
    }

    @Test
    void aProviderCorruptingTheReaderOfATiledOutputIsConvictedFromTheAssemblyLeaf() throws Exception {
        // 256 → 32 → 4 on 240-sample batches under 256 KiB: x·w1 [2] is two tiles and an assembly leaf (trace entry 4),
        // which add_bias [3] reads. The provider flips the sign of one add_bias element; the dispute lands on add_bias,
        // whose input the provider's node proves against the assembly leaf, opening that leaf as the one before it.
        MlpJob job = new MlpJob(5, 256, 32, 4, 240, 240, 0.05f, 0.9f, 2, 1);
        long bound = 256 * 1024;
        Fault fault = new Fault(1, 3, 11, 1 << 31);
        try (Parallelism par = Parallelism.single()) {
            LocalRun honest = LocalRun.execute(job, job.dataset(), job.initialState(), 1, par, null, bound);
            assertTrue(TiledOutputEvidence.isAssembly(honest.trace(1), 4), "entry 4 is x·w1's assembly leaf");
            assertDoesNotThrow(() -> RefereeBounds.check(job, job.dataset(), job.initialState(), bound),
                    "every leaf of this job can be settled within the bound");
        }
        Played played = play(job, bound, fault);
        DisputeOutcome o = played.outcome();
        assertEquals("CHALLENGER_WINS", o.verdict(), String.join("\n", played.log()));
        assertEquals("REFEREE", o.reason());
        assertEquals(5, o.operatorIndex(), "add_bias, the entry after the assembly leaf");
        assertEquals("add_bias", o.opKind());
        assertTrue(played.log().stream().anyMatch(line -> line.contains("proves 2 inputs of operator #5 after agreed leaf #4")),
                "the provider's DisputePlayer proved add_bias's input against the assembly leaf:\n" + String.join("\n", played.log()));
    }

    @Test
    void anHonestProviderTakesNoJobWhoseDisputesNoEvidenceCouldSettle() throws Exception {
        // 256 → 1024 → 4 on 256-sample batches under 384 KiB: x·w1's assembled output (and add_bias reading it) is
        // 1 MiB, more than any evidence may carry, so a dispute landing there could not be answered. The provider
        // checks before it leases and stays out.
        MlpJob unsettleable = new MlpJob(3, 256, 1024, 4, 256, 128, 0.05f, 0.9f, 2, 1);
        long bound = 384 * 1024;
        Keys buyerKey = key("buyer"), providerKey = key("provider");
        Params d = Params.defaults();
        Genesis genesis = new Genesis("verigrid-tiled-flow", List.of(new GenesisAccount(buyerKey.publicKey(), 1_000 * TOKEN),
                new GenesisAccount(providerKey.publicKey(), 500 * TOKEN)), d.withMaxRefereeBytes(bound));
        List<String> log = new CopyOnWriteArrayList<>();
        try (LedgerNode ledgerNode = LedgerNode.start(PeerConfig.single(dir.resolve("ledger"), LedgerNode.freePort(), genesis, 50), 0);
             ProviderNode provider = new ProviderNode(new ProviderNode.Config("provider", providerKey, ledgerNode.url(),
                     dir.resolve("provider"), 1, null, false), log::add)) {
            LedgerHttp ledger = new LedgerHttp(ledgerNode.url());
            provider.wallet().submitOrThrow(new TxBody.Stake(150 * TOKEN));
            new Wallet("buyer", buyerKey, ledger).submitOrThrow(new TxBody.PostJob(unsettleable.encode(), 4 * TOKEN, 1_000_000));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (log.stream().noneMatch(line -> line.contains("takes no part in job 1")) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            Thread.sleep(1_000); // a few more passes of its work loop
            assertTrue(log.stream().anyMatch(line -> line.contains("takes no part in job 1: job: operator #")
                            && line.contains("no dispute on it could be settled")),
                    String.join("\n", log));
            assertEquals("OPEN", ledger.job(1).status(), "nobody leased it");
            assertEquals(150 * TOKEN, ledger.account(provider.address()).stake());
        }
    }

    private record Played(DisputeOutcome outcome, List<String> log) {}

    /** A one-peer ledger whose genesis bounds the referee at {@code bound}, a provider cheating with {@code fault}, a verifier. */
    private Played play(MlpJob job, long bound, Fault fault) throws Exception {
        Keys buyerKey = key("buyer"), providerKey = key("provider"), verifierKey = key("verifier");
        Params d = Params.defaults();
        Params params = new Params(d.txFee(), 100 * TOKEN, 10 * TOKEN, 50, 20, 2, 60, 4, 10 * TOKEN, TOKEN, d.slashPpm(),
                d.winnerSharePpm(), d.maxTxBytes()).withMaxRefereeBytes(bound);
        Genesis genesis = new Genesis("verigrid-tiled-flow", List.of(new GenesisAccount(buyerKey.publicKey(), 1_000 * TOKEN),
                new GenesisAccount(providerKey.publicKey(), 500 * TOKEN), new GenesisAccount(verifierKey.publicKey(), 200 * TOKEN)),
                params);
        List<String> log = new CopyOnWriteArrayList<>();
        try (LedgerNode ledgerNode = LedgerNode.start(PeerConfig.single(dir.resolve("ledger"), LedgerNode.freePort(), genesis, 50), 0);
             ProviderNode provider = new ProviderNode(new ProviderNode.Config("provider", providerKey, ledgerNode.url(),
                     dir.resolve("provider"), 1, fault, false), log::add);
             VerifierNode verifier = new VerifierNode(new VerifierNode.Config("verifier", verifierKey, ledgerNode.url(), 1,
                     Map.of(provider.address(), provider.url()), dir.resolve("verifier"), "127.0.0.1", 0), log::add)) {
            LedgerHttp ledger = new LedgerHttp(ledgerNode.url());
            assertEquals(bound, ledger.params().maxRefereeBytes(), "the params read API carries the bound");
            provider.wallet().submitOrThrow(new TxBody.Stake(150 * TOKEN));
            verifier.wallet().submitOrThrow(new TxBody.Stake(20 * TOKEN));
            new Wallet("buyer", buyerKey, ledger).submitOrThrow(new TxBody.PostJob(job.encode(), 4 * TOKEN, 1_000_000));
            return new Played(awaitOutcome(ledger, log), log);
        }
    }

    private static DisputeOutcome awaitOutcome(LedgerHttp ledger, List<String> log) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                DisputeOutcome o = ledger.dispute(1).outcome();
                if (o != null) {
                    // The list the dashboard reads, newest first, carries the same settled dispute.
                    assertEquals(o, ledger.disputes().stream().filter(d -> d.id() == 1).findFirst().orElseThrow().outcome());
                    return o;
                }
            } catch (RuntimeException notYet) {
                // no dispute 1 yet
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no dispute settled:\n" + String.join("\n", log));
    }
}
