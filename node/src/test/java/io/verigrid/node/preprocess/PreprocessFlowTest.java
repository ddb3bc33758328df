package io.verigrid.node.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.verigrid.engine.data.ExactDedup;
import io.verigrid.engine.data.InputDataset;
import io.verigrid.engine.data.Normalize;
import io.verigrid.engine.data.Pipeline;
import io.verigrid.engine.data.PipelinePlan;
import io.verigrid.engine.data.PipelineSpec;
import io.verigrid.engine.data.QualityFilter;
import io.verigrid.engine.data.RecordType;
import io.verigrid.engine.data.Resources;
import io.verigrid.engine.data.Sharding;
import io.verigrid.engine.data.Shuffle;
import io.verigrid.engine.data.SyntheticCorpus;
import io.verigrid.engine.data.Tokenize;
import io.verigrid.ledger.DisputeView;
import io.verigrid.ledger.Genesis;
import io.verigrid.ledger.GenesisAccount;
import io.verigrid.ledger.JobView;
import io.verigrid.ledger.Keys;
import io.verigrid.ledger.Params;
import io.verigrid.ledger.PeerConfig;
import io.verigrid.ledger.PreprocessSpec;
import io.verigrid.ledger.UnitView;
import io.verigrid.ledger.tx.PreprocessTx;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.node.blob.BlobNode;
import io.verigrid.node.ledger.LedgerHttp;
import io.verigrid.node.ledger.LedgerNode;
import io.verigrid.node.ledger.Wallet;
import io.verigrid.node.market.MarketOffer;
import io.verigrid.node.provider.ProviderNode;
import io.verigrid.node.verifier.VerifierNode;
import io.verigrid.verify.Hashes;
import io.verigrid.verify.PreprocessFault;
import io.verigrid.verify.PreprocessRun;
import io.verigrid.verify.ShardCommitments;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Verified preprocessing end to end: a real one-peer Ratis ledger, two input replicas, two market providers and a
 * verifier over real HTTP. An honest job is paid shard by shard and a lying challenger loses its bond; then the
 * cheaper provider cheats four ways (a record altered, dropped or duplicated, the data read out of order) and each time
 * the game pins the step, the cheater is slashed and banned, and the honest provider completes the re-leased job. Last,
 * on a token-sharded job, it cuts a shard early: the verifier challenges the cut at that shard, the referee convicts it
 * and the job is re-leased and completed; a liar challenging the cut of an honest token job loses.
 */
@Timeout(240)
class PreprocessFlowTest {
    private static final long TOKEN = Params.UNITS_PER_TOKEN;
    static final PipelineSpec SPEC = new PipelineSpec(RecordType.TEXT, List.of(
            new Normalize(true, true, true), new ExactDedup(), new QualityFilter(20, 10_000, 600_000, 300_000), new Shuffle(31L)),
            Sharding.byRecords(12));
    static final InputDataset INPUT = InputDataset.texts(SyntheticCorpus.texts(17L, 64).texts());
    private static final String GPT2 = tokenizer("gpt2-style");
    static final PipelineSpec TOKEN_SPEC = new PipelineSpec(RecordType.TEXT, List.of(new Normalize(true, true, true),
            new QualityFilter(20, 10_000, 600_000, 300_000), new Tokenize(Resources.tokenizerSha256(GPT2))), Sharding.byTokens(750));
    static final InputDataset TOKEN_INPUT = InputDataset.texts(SyntheticCorpus.texts(41L, 40).texts())
            .withResources(Resources.ofTokenizers(GPT2));

    @TempDir
    Path dir;
    /** Every node's log, shown when a wait times out. */
    private final List<String> log = new CopyOnWriteArrayList<>();

    private static String tokenizer(String name) {
        try {
            return Files.readString(Path.of("..", "engine", "src", "test", "resources", "tokenizer", name + ".tokenizer.json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Keys key(String name) {
        return Keys.fromSeed(Hashes.sha256(("verigrid-preprocess-flow/" + name).getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void honestWorkIsPaidEveryCheatIsPinnedSlashedAndReLeasedAndALyingChallengerLoses() throws Exception {
        Keys buyerKey = key("buyer"), cheatKey = key("cheap"), honestKey = key("honest"), verifierKey = key("verifier"),
                liarKey = key("liar"), r1 = key("r1"), r2 = key("r2");
        Params d = Params.defaults();
        // 8 KiB transactions: orders, commitments and attestations fit, but evidence carrying the 12 KiB tokenizer does
        // not, so those moves arrive in parts (PostMovePart) — as a real tokenizer would need under the 4 MiB default.
        Params params = new Params(d.txFee(), 100 * TOKEN, 10 * TOKEN, 50, 60, 2, 40, 4, 10 * TOKEN, TOKEN, d.slashPpm(),
                d.winnerSharePpm(), 8 * 1024);
        Genesis genesis = new Genesis("verigrid-preprocess-flow", List.of(new GenesisAccount(buyerKey.publicKey(), 1_000 * TOKEN),
                new GenesisAccount(cheatKey.publicKey(), 4_000 * TOKEN), new GenesisAccount(honestKey.publicKey(), 1_000 * TOKEN),
                new GenesisAccount(verifierKey.publicKey(), 200 * TOKEN), new GenesisAccount(liarKey.publicKey(), 200 * TOKEN)), params);
        try (LedgerNode ledgerNode = LedgerNode.start(PeerConfig.single(dir.resolve("ledger"), LedgerNode.freePort(), genesis, 100), 0);
             BlobNode one = new BlobNode(BlobNode.Config.defaults("r1", r1, dir.resolve("r1")));
             BlobNode two = new BlobNode(BlobNode.Config.defaults("r2", r2, dir.resolve("r2")));
             ProviderNode cheap = new ProviderNode(new ProviderNode.Config("cheap", cheatKey, ledgerNode.url(), dir.resolve("cheap"), 1, null,
                     false, "127.0.0.1", 0, new MarketOffer(TOKEN / 4, Duration.ofHours(1))), log::add);
             ProviderNode honest = new ProviderNode(new ProviderNode.Config("honest", honestKey, ledgerNode.url(), dir.resolve("honest"), 1,
                     null, false, "127.0.0.1", 0, new MarketOffer(TOKEN / 2, Duration.ofHours(1))), log::add);
             VerifierNode verifier = new VerifierNode(new VerifierNode.Config("verifier", verifierKey, ledgerNode.url(), 1, Map.of(),
                     dir.resolve("verifier"), "127.0.0.1", 0), log::add)) {
            LedgerHttp ledger = new LedgerHttp(ledgerNode.url());
            cheap.wallet().submitOrThrow(new TxBody.Stake(1_600 * TOKEN));
            honest.wallet().submitOrThrow(new TxBody.Stake(150 * TOKEN));
            verifier.wallet().submitOrThrow(new TxBody.Stake(20 * TOKEN));
            Wallet liar = new Wallet("liar", liarKey, ledger);
            liar.submitOrThrow(new TxBody.Stake(20 * TOKEN));
            Wallet buyer = new Wallet("buyer", buyerKey, ledger);
            String blob = one.store().put(INPUT.encode());
            two.store().put(INPUT.encode());
            TxBody.DatasetBlob input = new TxBody.DatasetBlob(blob, List.of(one.url(), two.url()));
            await(() -> ledger.marketProviders().size() == 2, "both providers registered", ledger);
            PipelinePlan plan = Pipeline.plan(SPEC, INPUT);

            // 1. Honest work, audited by nobody but a liar: the liar loses its bond, the shards are paid after the window.
            long job1 = post(buyer, ledger, input, 0);
            JobView leased = await(() -> ledger.job(job1).commits().size() > 0 ? ledger.job(job1) : null, "job 1's first shard", ledger);
            assertEquals(cheap.address(), leased.lessee());
            PipelinePlan lie = PreprocessFault.plan(SPEC, INPUT, new PreprocessFault(PreprocessFault.Kind.ALTER, 1, plan.shardOrigins(0)[0]));
            PreprocessRun liarRun = PreprocessRun.of(SPEC, INPUT, lie,
                    PreprocessFault.trace(SPEC, INPUT, lie, 0, new PreprocessFault(PreprocessFault.Kind.ALTER, 1, plan.shardOrigins(0)[0])));
            liar.submitOrThrow(new PreprocessTx.ChallengeShard(job1, 1, liarRun.shardRoot()));
            long liarDispute = ledger.job(job1).openDisputeId();
            PreprocessPlayer liarPlayer = new PreprocessPlayer(liar, ledger, log::add);
            liarPlayer.track(liarDispute, liarRun);
            DisputeView lost = await(() -> {
                liarPlayer.playAll();
                DisputeView v = ledger.dispute(liarDispute);
                return v.verdict() == null ? null : v;
            }, "the liar's dispute to settle", ledger);
            assertEquals("PROVIDER_WINS", lost.verdict());
            assertEquals(params.challengeBond() / 2 + params.challengeFee(), lost.outcome().toProvider());
            JobView done = await(() -> "DONE".equals(ledger.job(job1).status()) ? ledger.job(job1) : null, "job 1 to finish", ledger);
            assertEquals(plan.shardCount(), done.verifiedUnits());
            // At the default rate the honest verifier samples a shard now and then; the rest are paid by the window.
            assertTrue(done.commits().stream().allMatch(u -> u.verifiedBy().equals("WINDOW")
                    || u.verifiedBy().equals("ATTEST:" + verifier.wallet().address())), "paid after the window or the honest audit");
            assertEquals(plan.shardCount(), ledger.preprocessJob(job1).shardCount());

            // 2. The cheaper provider cheats four ways; the sampled shards betray it every time.
            int[] shard0 = plan.shardOrigins(0);
            int quiet = 0; // an altered record that tips no later dedup or filter decision: the fault stays in the records
            while (!PreprocessFault.plan(SPEC, INPUT, new PreprocessFault(PreprocessFault.Kind.ALTER, 1, shard0[quiet])).equals(plan)) quiet++;
            List<PreprocessFault> cheats = List.of(new PreprocessFault(PreprocessFault.Kind.ALTER, 1, shard0[quiet]),
                    new PreprocessFault(PreprocessFault.Kind.DROP, 3, shard0[2]),
                    new PreprocessFault(PreprocessFault.Kind.DUPLICATE, 2, shard0[4]),
                    new PreprocessFault(PreprocessFault.Kind.REORDER, 4, shard0[3]));
            List<String> pinned = List.of("records:normalize", "plan:filter", "plan:dedup_exact", "plan:shuffle");
            for (int c = 0; c < cheats.size(); c++) {
                cheap.preprocess().fault(cheats.get(c));
                keepStaked(cheap, ledger, params);
                long stakeBefore = ledger.account(cheap.address()).stake();
                long job = post(buyer, ledger, input, 1_000_000);
                DisputeView settled = await(() -> settledDispute(ledger, job), "the dispute over " + cheats.get(c), ledger);
                assertEquals("CHALLENGER_WINS", settled.verdict(), cheats.get(c).toString());
                assertEquals(cheap.address(), settled.provider());
                assertTrue(settled.outcome().opKind().startsWith(pinned.get(c)), cheats.get(c) + " pinned at " + settled.outcome().opKind());
                assertEquals(cheats.get(c).step(), settled.outcome().step(), "the faulty step");
                assertTrue(ledger.account(cheap.address()).stake() < stakeBefore, "slashed");
                JobView finished = await(() -> "DONE".equals(ledger.job(job).status()) ? ledger.job(job) : null, "job " + job + " re-leased and done", ledger);
                assertTrue(finished.bannedProviders().contains(cheap.address()), "banned from the job");
                assertEquals(honest.address(), finished.lessee(), "the honest provider completed it");
                for (UnitView u : finished.commits()) {
                    assertEquals(Hashes.hex(PreprocessRun.of(SPEC, INPUT, plan, u.unit() - 1).shardRoot()), u.root(), "shard " + u.unit());
                }
            }

            // 3. Token sharding: a shard cut one record early is challenged as a cut at that very shard.
            String tokenBlob = one.store().put(PreprocessInputs.encode(TOKEN_INPUT));
            two.store().put(PreprocessInputs.encode(TOKEN_INPUT));
            TxBody.DatasetBlob tokenInput = new TxBody.DatasetBlob(tokenBlob, List.of(one.url(), two.url()));
            PipelinePlan tokenPlan = Pipeline.plan(TOKEN_SPEC, TOKEN_INPUT);
            PreprocessFault cut = new PreprocessFault(PreprocessFault.Kind.CUT_EARLY, 2, 0);
            cheap.preprocess().fault(cut);
            keepStaked(cheap, ledger, params);
            long stakeBefore = ledger.account(cheap.address()).stake();
            long cutJob = post(buyer, ledger, tokenInput, TOKEN_SPEC, TOKEN_INPUT, 1_000_000);
            DisputeView convicted = await(() -> settledDispute(ledger, cutJob), "the dispute over " + cut, ledger);
            assertEquals("CHALLENGER_WINS", convicted.verdict());
            assertEquals(cheap.address(), convicted.provider());
            assertEquals("cut:tokens shard 2", convicted.outcome().opKind(), "pinned at the shard cut wrongly");
            assertEquals(2, convicted.unit());
            assertTrue(ledger.account(cheap.address()).stake() < stakeBefore, "slashed");
            JobView recut = await(() -> "DONE".equals(ledger.job(cutJob).status()) ? ledger.job(cutJob) : null, "the token job re-leased and done", ledger);
            assertTrue(recut.bannedProviders().contains(cheap.address()), "banned from the job");
            assertEquals(honest.address(), recut.lessee(), "the honest provider completed it");
            assertEquals(tokenPlan.shardCount(), recut.commits().size());
            for (UnitView u : recut.commits()) {
                assertEquals(Hashes.hex(PreprocessRun.of(TOKEN_SPEC, TOKEN_INPUT, tokenPlan, u.unit() - 1).shardRoot()), u.root(), "shard " + u.unit());
            }

            // 4. An honest token job, and a liar who says its first shard is cut wrongly: the liar loses.
            cheap.preprocess().fault(null);
            long honestJob = post(buyer, ledger, tokenInput, TOKEN_SPEC, TOKEN_INPUT, 0);
            await(() -> ledger.job(honestJob).commits().size() > 0, "the honest token job's first shard", ledger);
            liar.submitOrThrow(new PreprocessTx.ChallengeShardCut(honestJob, 1));
            DisputeView upheld = await(() -> settledDispute(ledger, honestJob), "the liar's cut dispute", ledger);
            assertEquals("PROVIDER_WINS", upheld.verdict());
            assertEquals("cut:tokens shard 1", upheld.outcome().opKind());
            await(() -> "DONE".equals(ledger.job(honestJob).status()), "the honest token job to finish", ledger);
            assertTrue(log.stream().anyMatch(l -> l.contains("challenges the cut")), String.join("\n", log));
            assertTrue(log.stream().anyMatch(l -> l.contains("for the cut of shard") && l.matches(".* in \\d+ parts$")),
                    "the cut evidence went in parts:\n" + String.join("\n", log));
            assertTrue(log.stream().anyMatch(l -> l.contains("recomputed job") && l.contains("attests: accepted")), String.join("\n", log));
        }
    }

    /**
     * Tops the cheater's stake up to twice the provider minimum, so it can still win the next auction. A cheat can be
     * convicted more than once: when the verifier first challenges a later wrong shard, the earlier wrong shard stays
     * committed (the job re-leases from the disputed one) and is challenged and slashed on its own.
     */
    private static void keepStaked(ProviderNode provider, LedgerHttp ledger, Params params) {
        long stake = ledger.account(provider.address()).stake();
        long floor = 2 * params.minProviderStake();
        if (stake < floor) provider.wallet().submitOrThrow(new TxBody.Stake(floor - stake));
    }

    /** The settled dispute of {@code job}, or null while there is none. */
    private static DisputeView settledDispute(LedgerHttp ledger, long job) {
        for (long id = 1; id <= 30; id++) {
            try {
                DisputeView v = ledger.dispute(id);
                if (v.jobId() == job && v.verdict() != null) return v;
            } catch (RuntimeException e) {
                return null; // no such dispute yet
            }
        }
        return null;
    }

    private static long post(Wallet buyer, LedgerHttp ledger, TxBody.DatasetBlob input, int samplePpm) {
        return post(buyer, ledger, input, SPEC, INPUT, samplePpm);
    }

    private static long post(Wallet buyer, LedgerHttp ledger, TxBody.DatasetBlob input, PipelineSpec spec, InputDataset data, int samplePpm) {
        int before = ledger.jobs().size();
        buyer.submitOrThrow(new TxBody.PostOrder(4, new PreprocessSpec(data.size(), spec).encode(), ShardCommitments.inputRoot(data),
                TOKEN, samplePpm, 0, 0, 12, 4_000, input)); // 12-block auctions: both providers bid in time
        return ledger.jobs().get(before).id();
    }

    interface Probe<T> {
        T get() throws Exception;
    }

    private <T> T await(Probe<T> probe, String what, LedgerHttp ledger) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            T value = probe.get();
            if (value != null && !(value instanceof Boolean b && !b)) return value;
            Thread.sleep(50);
        }
        StringBuilder state = new StringBuilder();
        for (JobView j : ledger.jobs()) state.append("\n  job ").append(j.id()).append(' ').append(j.status()).append(" lessee ").append(j.lessee());
        for (DisputeView v : ledger.disputes()) {
            state.append("\n  dispute ").append(v.id()).append(" job ").append(v.jobId()).append(" unit ").append(v.unit())
                    .append(" by ").append(v.challenger(), 0, 8).append(": ").append(v.verdict());
        }
        throw new AssertionError("timed out waiting for " + what + state + "\nlast log lines:\n"
                + String.join("\n", log.subList(Math.max(0, log.size() - 60), log.size())));
    }
}
