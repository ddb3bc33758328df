package io.verigrid.node.provider;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.verigrid.engine.Dataset;
import io.verigrid.engine.Fault;
import io.verigrid.engine.FineTuning;
import io.verigrid.engine.LearningRate;
import io.verigrid.engine.LmJob;
import io.verigrid.engine.ModelState;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.Tensor;
import io.verigrid.engine.TrainingJob;
import io.verigrid.engine.io.Safetensors;
import io.verigrid.ledger.AccountView;
import io.verigrid.ledger.DisputeOutcome;
import io.verigrid.ledger.Genesis;
import io.verigrid.ledger.GenesisAccount;
import io.verigrid.ledger.JobView;
import io.verigrid.ledger.Keys;
import io.verigrid.ledger.MarketViews.OrderView;
import io.verigrid.ledger.Params;
import io.verigrid.ledger.PeerConfig;
import io.verigrid.ledger.UnitView;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.node.blob.BlobNode;
import io.verigrid.node.blob.DatasetCodec;
import io.verigrid.node.blob.LedgerAccessPolicy;
import io.verigrid.node.drill.CheatCase;
import io.verigrid.node.ledger.LedgerHttp;
import io.verigrid.node.ledger.LedgerNode;
import io.verigrid.node.ledger.Wallet;
import io.verigrid.node.market.MarketOffer;
import io.verigrid.node.verifier.VerifierNode;
import io.verigrid.verify.Bisection;
import io.verigrid.verify.Commitments;
import io.verigrid.verify.Hashes;
import io.verigrid.verify.LocalRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Language-model training and fine-tuning jobs through the real network: a one-peer Ratis ledger, two blob
 * replicas holding the token dataset and a base checkpoint, market providers and a verifier over HTTP. Jobs are
 * leased by auction, trained, committed, re-executed by the verifier and paid; a cheating provider is pinpointed to
 * its step and operator, slashed, and its job re-leased to an honest provider that completes it; bad data and a
 * checkpoint that does not match the job's declared root are refused without a commitment.
 */
@Timeout(180)
class TrainingJobsFlowTest {
    private static final long TOKEN = Params.UNITS_PER_TOKEN;
    private static final Dataset DATA = CheatCase.lmDataset();
    private static final SortedMap<String, Tensor> BASE = CheatCase.baseWeights(CheatCase.GPT);

    @TempDir
    Path dir;
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final Params params = tolerant(Params.defaults());
    private LedgerNode ledgerNode;
    private LedgerHttp ledger;
    private Wallet buyer;
    private BlobNode replica1, replica2;
    private String dataBlob, baseBlob;

    private static Keys key(String name) {
        return Keys.fromSeed(Hashes.sha256(("verigrid-training-flow/" + name).getBytes(StandardCharsets.UTF_8)));
    }

    /** Moves get 200 blocks: a loaded machine must not turn a slow move into a lost game. */
    private static Params tolerant(Params d) {
        return new Params(d.txFee(), d.minProviderStake(), d.minVerifierStake(), d.unbondingBlocks(), 40, d.sampleDelayBlocks(),
                200, d.fanout(), d.challengeBond(), d.challengeFee(), d.slashPpm(), d.winnerSharePpm(), 4 << 20);
    }

    @BeforeEach
    void network() {
        List<GenesisAccount> accounts = new java.util.ArrayList<>();
        for (String name : List.of("buyer", "honest", "cheater", "verifier", "r1", "r2")) {
            accounts.add(new GenesisAccount(key(name).publicKey(), 1_000 * TOKEN));
        }
        ledgerNode = LedgerNode.start(PeerConfig.single(dir.resolve("ledger"), LedgerNode.freePort(),
                new Genesis("verigrid-training-flow", accounts, params), 50), 0);
        ledger = new LedgerHttp(ledgerNode.url());
        buyer = new Wallet("buyer", key("buyer"), ledger);
        replica1 = replica("r1");
        replica2 = replica("r2");
        dataBlob = hold(DatasetCodec.encode(DATA));
        baseBlob = hold(Safetensors.encode(BASE, Map.of()));
    }

    @AfterEach
    void stop() {
        replica1.close();
        replica2.close();
        ledgerNode.close();
    }

    private BlobNode replica(String name) {
        BlobNode.Config d = BlobNode.Config.defaults(name, key(name), dir.resolve(name));
        return new BlobNode(new BlobNode.Config(name, key(name), d.dataDir(), 0, 4096, d.limits(), d.clock(), d.authWindow(),
                new LedgerAccessPolicy(ledger, key(name).address())));
    }

    private String hold(byte[] bytes) {
        String id = replica1.store().put(bytes);
        replica1.store().pin(id);
        replica2.store().pin(replica2.store().put(bytes));
        return id;
    }

    private ProviderNode provider(String name, long ask, Fault fault) {
        new Wallet(name, key(name), ledger).submitOrThrow(new TxBody.Stake(params.minProviderStake()));
        ProviderNode node = new ProviderNode(new ProviderNode.Config(name, key(name), ledger.url(), dir.resolve(name), 1, fault, false,
                "127.0.0.1", 0, new MarketOffer(ask, Duration.ofHours(1))), log::add);
        await(() -> ledger.marketProvider(node.address()) != null, name + " registers on the market");
        return node;
    }

    private VerifierNode verifier(Map<String, String> providers) {
        new Wallet("verifier", key("verifier"), ledger).submitOrThrow(new TxBody.Stake(params.minVerifierStake()));
        return new VerifierNode(new VerifierNode.Config("verifier", key("verifier"), ledger.url(), 1, providers,
                dir.resolve("verifier"), "127.0.0.1", 0), log::add);
    }

    private static LmJob lm(long seed) {
        return new LmJob(CheatCase.GPT, seed, CheatCase.SEQUENCES, 4, CheatCase.SEQ, 4, 2, new LearningRate(1e-2f, 1e-3f, 1, 4),
                0.9f, 0.95f, 1e-8f, 0.01f, 1f);
    }

    /** A LoRA fine-tuning of the base checkpoint, declaring {@code root} (null: the root the checkpoint gives). */
    private LmJob lora(byte[] root) {
        byte[] id = Hashes.unhex(baseBlob);
        LmJob draft = lm(5).withFineTuning(FineTuning.lora(id, new byte[32], 2, 4f, List.of("c_attn")));
        byte[] actual = Commitments.stateRoot(draft.initialState(BASE));
        return lm(5).withFineTuning(FineTuning.lora(id, root == null ? actual : root, 2, 4f, List.of("c_attn")));
    }

    private OrderView post(TrainingJob job, long maxUnitPrice, String blob) {
        buyer.submitOrThrow(new TxBody.PostOrder(job.kind().code(), job.encode(), Commitments.datasetRoot(DATA), maxUnitPrice,
                1_000_000, 0, 0, 6, 100_000, new TxBody.DatasetBlob(blob, List.of(replica1.url(), replica2.url()))));
        return ledger.marketOrders().stream().max(java.util.Comparator.comparingLong(OrderView::id)).orElseThrow();
    }

    private void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting until " + what + "\n" + String.join("\n", log));
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    private JobView awaitDone(long jobId) {
        await(() -> "DONE".equals(ledger.job(jobId).status()), "job " + jobId + " is DONE");
        return ledger.job(jobId);
    }

    @Test
    void anLmTrainingJobAndALoraFineTuningJobAreLeasedCommittedVerifiedAndPaid() {
        try (ProviderNode honest = provider("honest", TOKEN / 4, null);
             VerifierNode verifier = verifier(Map.of(honest.address(), honest.url()))) {
            long before = ledger.account(honest.address()).balance();
            LmJob training = lm(9);
            LmJob tuning = lora(null);
            OrderView first = post(training, TOKEN / 2, dataBlob);
            JobView trained = awaitDone(first.jobId());
            OrderView second = post(tuning, TOKEN / 2, dataBlob);
            JobView tuned = awaitDone(second.jobId());

            for (JobView job : List.of(trained, tuned)) {
                assertEquals(job.units(), job.verifiedUnits(), "every unit verified");
                assertEquals(job.units() * (TOKEN / 4), job.paid(), "each verified unit paid at the winning bid");
                for (UnitView unit : job.commits()) assertEquals(honest.address(), unit.provider());
            }
            assertEquals("lm", trained.kind());
            assertEquals("lm-finetune", tuned.kind());
            assertEquals(Hashes.hex(tuning.fineTuning().initialStateRoot()), tuned.r0(), "the declared root is R_0");
            // The committed result is the engine's own: re-run here from the same checkpoint and data.
            try (Parallelism par = Parallelism.single()) {
                ModelState start = tuning.initialState(BASE);
                LocalRun run = LocalRun.execute(tuning, DATA, start, tuning.steps(), par, null);
                assertEquals(Hashes.hex(run.stateRoot(tuning.steps())), tuned.commits().get(tuned.units() - 1).root());
            }
            // The winning bid's deposit comes back at the block after DONE, so the balance is awaited, not sampled.
            await(() -> ledger.account(honest.address()).balance() > before, "the provider earned its pay");
        }
    }

    @Test
    void aCheatingLmProviderIsPinpointedSlashedAndItsJobReLeasedToAnHonestProviderThatCompletesIt() {
        LmJob job = lm(13);
        int op = 0;
        while (!job.program(3).get(op).kind().equals("matmul")) op++;
        Fault fault = Fault.bitFlip(3, op, 2 * 48 + 4, 1 << 21); // a query of position 2 in the first layer's projection
        try (Parallelism par = Parallelism.single()) {
            assertFalse(java.util.Arrays.equals(LocalRun.execute(job, DATA, job.initialState(), 4, par, null).stateRoot(4),
                    LocalRun.execute(job, DATA, job.initialState(), 4, par, fault).stateRoot(4)), "the cheat changes R_2");
        }
        try (ProviderNode cheater = provider("cheater", TOKEN / 8, fault);
             ProviderNode honest = provider("honest", TOKEN / 4, null);
             VerifierNode verifier = verifier(Map.of(cheater.address(), cheater.url(), honest.address(), honest.url()))) {
            OrderView order = post(job, TOKEN / 2, dataBlob);
            JobView done = awaitDone(order.jobId());

            DisputeOutcome o = ledger.dispute(1).outcome();
            assertEquals("CHALLENGER_WINS", o.verdict());
            assertEquals("REFEREE", o.reason());
            assertEquals(2, o.unit(), "the unit holding step 3");
            assertEquals(3, o.step(), "the faulty step");
            assertEquals(op, o.operatorIndex(), "the faulty operator");
            assertEquals("matmul", o.opKind());
            int bound = Bisection.ceilLog(params.fanout(), job.units()) + Bisection.ceilLog(params.fanout(), job.checkpointInterval())
                    + Bisection.ceilLog(params.fanout(), job.program(3).size()) + 1;
            assertTrue(o.rounds() <= bound, "rounds " + o.rounds() + " within spec §6's bound " + bound);

            AccountView slashed = ledger.account(cheater.address());
            assertEquals(params.minProviderStake() / 2, o.providerSlashed());
            assertEquals(params.minProviderStake() - o.providerSlashed(), slashed.stake());
            assertEquals(List.of(order.jobId()), slashed.bannedFromJobs());
            assertEquals(params.minProviderStake(), ledger.account(honest.address()).stake(), "the honest provider keeps its stake");
            assertEquals(done.units(), done.verifiedUnits());
            assertEquals(honest.address(), done.commits().get(1).provider(), "the re-leased unit is the honest provider's");
        }
    }

    @Test
    void dataNoReplicaHoldsAndACheckpointThatDoesNotMatchItsCommitmentAreRefusedWithoutACommitment() {
        try (ProviderNode honest = provider("honest", TOKEN / 4, null)) {
            String missing = Hashes.hex(Hashes.sha256("no replica holds this".getBytes(StandardCharsets.UTF_8)));
            OrderView lost = post(lm(3), TOKEN / 2, missing);
            await(() -> log.stream().anyMatch(l -> l.contains(missing)), "the provider reports the missing dataset");
            assertTrue(ledger.job(lost.jobId()).commits().isEmpty(), "nothing was committed on data nobody holds");
            buyer.submitOrThrow(new TxBody.CancelOrder(lost.id()));

            byte[] wrong = Hashes.sha256("not the checkpoint's root".getBytes(StandardCharsets.UTF_8));
            OrderView tuned = post(lora(wrong), TOKEN / 2, dataBlob);
            await(() -> log.stream().anyMatch(l -> l.contains("checkpoint does not match its commitment")),
                    "the provider refuses the checkpoint");
            JobView job = ledger.job(tuned.jobId());
            assertTrue(job.commits().isEmpty(), "nothing was committed on a checkpoint that does not give R_0");
            assertArrayEquals(wrong, Hashes.unhex(job.r0()));
        }
    }

    @Test
    void aVerifierThatCannotFetchTheDatasetReportsItAndNeitherAttestsNorChallenges() throws Exception {
        try (ProviderNode honest = provider("honest", TOKEN / 4, null)) {
            OrderView order = post(lm(21), TOKEN / 2, dataBlob);
            await(() -> !ledger.job(order.jobId()).commits().isEmpty(), "the provider commits unit 1");
            for (BlobNode replica : List.of(replica1, replica2)) { // the replicas drop the data after the provider fetched it
                replica.store().unpin(dataBlob);
                replica.store().gc(Duration.ZERO);
                assertFalse(replica.store().has(dataBlob));
            }
            try (VerifierNode verifier = verifier(Map.of(honest.address(), honest.url()))) {
                await(() -> log.stream().anyMatch(l -> l.startsWith("verifier") && l.contains(dataBlob)), "the verifier reports the missing dataset");
                JobView job = ledger.job(order.jobId());
                assertEquals(0, job.openDisputeId(), "no challenge on data the verifier could not read");
                assertTrue(job.commits().stream().noneMatch(u -> u.verifiedBy().startsWith("ATTEST:")), "and no attestation");
            }
        }
    }
}
