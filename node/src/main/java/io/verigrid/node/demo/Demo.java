package io.verigrid.node.demo;

import io.verigrid.engine.Fault;
import io.verigrid.engine.MlpJob;
import io.verigrid.engine.MlpTrainer;
import io.verigrid.engine.OpSpec;
import io.verigrid.ledger.AccountView;
import io.verigrid.ledger.DisputeOutcome;
import io.verigrid.ledger.DisputeView;
import io.verigrid.ledger.Genesis;
import io.verigrid.ledger.GenesisAccount;
import io.verigrid.ledger.JobView;
import io.verigrid.ledger.Keys;
import io.verigrid.ledger.Params;
import io.verigrid.ledger.PeerConfig;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.node.http.HttpJsonClient;
import io.verigrid.node.ledger.LedgerHttp;
import io.verigrid.node.ledger.LedgerNode;
import io.verigrid.node.ledger.Wallet;
import io.verigrid.node.provider.ProviderNode;
import io.verigrid.node.verifier.VerifierNode;
import io.verigrid.verify.Hashes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The whole network on one machine: a one-peer Ratis ledger, two providers and a verifier, each with its own HTTP
 * server on loopback. A buyer posts an honest training job, then a second one that lands on a provider whose
 * fault switch corrupts one operator at one step; the verifier catches it, the dispute is bisected to that
 * operator, the ledger re-executes it, the cheater is slashed and the job finishes with the honest provider.
 */
public final class Demo {
    public static final long TOKEN = Params.UNITS_PER_TOKEN;
    static final List<String> PARTICIPANTS = List.of("buyer", "provider-a", "provider-b", "verifier");

    /** {@code blockMillis}: the ledger's block interval; {@code threads}: engine threads per node. */
    public record Options(Path dataDir, long blockMillis, int threads) {
        public static Options defaults(Path dataDir) {
            return new Options(dataDir, 100, 1);
        }
    }

    private final Options options;
    private final Consumer<String> out;
    private final Consumer<String> nodeLog;
    private final Map<String, Keys> keys = new LinkedHashMap<>();

    private Demo(Options options, Consumer<String> out) {
        this.options = options;
        this.out = out;
        this.nodeLog = line -> out.accept("   " + line);
        for (String name : PARTICIPANTS) {
            keys.put(name, Keys.fromSeed(Hashes.sha256(("verigrid-demo/" + name).getBytes(StandardCharsets.UTF_8))));
        }
    }

    public static DemoReport run(Options options, Consumer<String> out) {
        return new Demo(options, out).run();
    }

    /** Parameters that make the demo's windows and deadlines seconds long instead of minutes. */
    static Params demoParams() {
        Params d = Params.defaults();
        return new Params(d.txFee(), 100 * TOKEN, 10 * TOKEN, 50, 20, 2, 60, 4,
                10 * TOKEN, TOKEN, d.slashPpm(), d.winnerSharePpm(), d.maxTxBytes());
    }

    private Genesis genesis() {
        List<GenesisAccount> accounts = new ArrayList<>();
        accounts.add(new GenesisAccount(keys.get("buyer").publicKey(), 1_000 * TOKEN));
        accounts.add(new GenesisAccount(keys.get("provider-a").publicKey(), 500 * TOKEN));
        accounts.add(new GenesisAccount(keys.get("provider-b").publicKey(), 500 * TOKEN));
        accounts.add(new GenesisAccount(keys.get("verifier").publicKey(), 200 * TOKEN));
        return new Genesis("verigrid-demo", accounts, demoParams());
    }

    private DemoReport run() {
        Path dir = options.dataDir();
        deleteRecursively(dir);
        Path genesisFile = createDirectories(dir).resolve("genesis.json");
        genesis().write(genesisFile);
        Genesis genesis = Genesis.read(genesisFile);
        stage("1. network", "genesis " + dir.resolve("genesis.json") + " (chain verigrid-demo, " + genesis.accounts().size()
                + " accounts, supply " + tokens(genesis.supply()) + ")");

        PeerConfig peerConfig = PeerConfig.single(dir.resolve("ledger"), LedgerNode.freePort(), genesis, options.blockMillis());
        try (LedgerNode ledgerNode = LedgerNode.start(peerConfig, 0);
             ProviderNode providerA = new ProviderNode(new ProviderNode.Config("provider-a", keys.get("provider-a"), ledgerNode.url(),
                     dir.resolve("provider-a"), options.threads(), null, false), nodeLog);
             ProviderNode providerB = new ProviderNode(new ProviderNode.Config("provider-b", keys.get("provider-b"), ledgerNode.url(),
                     dir.resolve("provider-b"), options.threads(), faultOf(job2()), true), nodeLog)) {
            out.accept("   ledger     Ratis peer " + peerConfig.host() + ":" + peerConfig.port() + ", HTTP " + ledgerNode.url()
                    + ", a block every " + options.blockMillis() + " ms");
            out.accept("              dashboard " + ledgerNode.url() + "/dashboard (while the demo runs)");
            out.accept("   provider-a " + providerA.url() + "  (honest)");
            out.accept("   provider-b " + providerB.url() + "  (fault switch: " + describe(faultOf(job2()), job2()) + "; joins later)");
            LedgerHttp ledger = new LedgerHttp(ledgerNode.url());
            Map<String, String> providerUrls = Map.of(providerA.address(), providerA.url(), providerB.address(), providerB.url());
            try (VerifierNode verifier = new VerifierNode(new VerifierNode.Config("verifier", keys.get("verifier"), ledgerNode.url(),
                    options.threads(), providerUrls), nodeLog)) {
                out.accept("   verifier   " + verifier.url());
                Wallet buyer = new Wallet("buyer", keys.get("buyer"), ledger);
                Map<String, Long> before = holdings(ledger);

                stage("2. stake", "providers and the verifier lock stake on the ledger");
                providerA.wallet().submitOrThrow(new TxBody.Stake(150 * TOKEN));
                providerB.wallet().submitOrThrow(new TxBody.Stake(150 * TOKEN));
                verifier.wallet().submitOrThrow(new TxBody.Stake(20 * TOKEN));
                printBalances(ledger);

                stage("3. honest job", "buyer posts job 1: " + describe(job1()) + ", 40 tokens in escrow, sampling p = 0.30");
                buyer.submitOrThrow(new TxBody.PostJob(job1().encode(), 40 * TOKEN, 300_000));
                JobView done1 = await(ledger, "job 1 to finish", Duration.ofSeconds(60), () -> "DONE".equals(ledger.job(1).status()), 1);
                out.accept("   job 1 DONE: " + done1.verifiedUnits() + "/" + done1.units() + " units verified, provider paid " + tokens(done1.paid()));
                printBalances(ledger);

                stage("4. faulty job", "provider-a drains for maintenance; provider-b joins; buyer posts job 2: "
                        + describe(job2()) + ", 40 tokens in escrow, full audit p = 1.00");
                new HttpJsonClient(Duration.ofSeconds(5)).post(providerA.url() + "/admin/pause", Map.of(), Map.class);
                new HttpJsonClient(Duration.ofSeconds(5)).post(providerB.url() + "/admin/resume", Map.of(), Map.class);
                buyer.submitOrThrow(new TxBody.PostJob(job2().encode(), 40 * TOKEN, 1_000_000));
                JobView disputed = await(ledger, "a dispute on job 2", Duration.ofSeconds(60), () -> ledger.job(2).openDisputeId() != 0, 2);
                long disputeId = disputed.openDisputeId();
                DisputeView settled = awaitDispute(ledger, disputeId);
                DisputeOutcome outcome = settled.outcome();
                out.accept("   dispute " + disputeId + " settled by the " + outcome.reason().toLowerCase() + ": " + outcome.verdict() + " after "
                        + outcome.rounds() + " rounds; pinpointed step " + outcome.step() + ", operator #" + outcome.operatorIndex() + " (" + outcome.opKind() + ")");
                printBalances(ledger);

                stage("5. re-lease", "job 2 is open again from the last agreed root; provider-a resumes and takes it");
                new HttpJsonClient(Duration.ofSeconds(5)).post(providerA.url() + "/admin/resume", Map.of(), Map.class);
                JobView done2 = await(ledger, "job 2 to finish", Duration.ofSeconds(90), () -> "DONE".equals(ledger.job(2).status()), 2);
                out.accept("   job 2 DONE: " + done2.verifiedUnits() + "/" + done2.units() + " units verified");

                DemoReport report = new DemoReport(List.of(ledger.job(1), ledger.job(2)), ledger.dispute(disputeId), before,
                        holdings(ledger), names(), ledger.status());
                stage("6. summary", "");
                report.print(out);
                return report;
            }
        }
    }

    static MlpJob job1() {
        return MlpJob.demo();
    }

    static MlpJob job2() {
        MlpJob d = MlpJob.demo();
        return new MlpJob(8, d.inputDim(), d.hidden(), d.classes(), d.samples(), d.batch(), d.learningRate(), d.momentum(), d.steps(), d.checkpointInterval());
    }

    /** provider-b's fault switch: one bit of one element of the second forward matmul at step 13. */
    static Fault faultOf(MlpJob job) {
        List<OpSpec> program = MlpTrainer.program(job, 13);
        int matmuls = 0;
        for (int i = 0; i < program.size(); i++) {
            if (program.get(i).kind().equals("matmul") && ++matmuls == 2) return new Fault(13, i, 5, 1 << 20);
        }
        throw new IllegalStateException("the demo job's program has fewer than two matmuls");
    }

    private static String describe(Fault fault, MlpJob job) {
        return "flip bit 20 of element " + fault.element() + " of operator #" + fault.opIndex() + " ("
                + MlpTrainer.program(job, fault.step()).get(fault.opIndex()).kind() + ") at step " + fault.step();
    }

    private static String describe(MlpJob job) {
        return "MLP " + job.inputDim() + "-" + job.hidden() + "-" + job.classes() + " on " + job.samples() + " generated samples (seed "
                + job.seed() + "), " + job.steps() + " steps, checkpoint every " + job.checkpointInterval();
    }

    private Map<String, String> names() {
        Map<String, String> names = new LinkedHashMap<>();
        keys.forEach((name, k) -> names.put(k.address(), name));
        return names;
    }

    /** balance + stake + unbonding of every participant: what each one owns. */
    private Map<String, Long> holdings(LedgerHttp ledger) {
        Map<String, Long> holdings = new LinkedHashMap<>();
        keys.forEach((name, k) -> {
            AccountView a = ledger.account(k.address());
            holdings.put(name, a.balance() + a.stake() + a.unbondingTotal());
        });
        return holdings;
    }

    private void printBalances(LedgerHttp ledger) {
        StringBuilder line = new StringBuilder("   balances:");
        keys.forEach((name, k) -> {
            AccountView a = ledger.account(k.address());
            line.append(String.format("  %s %s (stake %s)", name, tokens(a.balance()), tokens(a.stake())));
        });
        out.accept(line.toString());
    }

    private void stage(String title, String what) {
        out.accept("");
        out.accept("== " + title + (what.isEmpty() ? "" : ": " + what));
    }

    private JobView await(LedgerHttp ledger, String what, Duration timeout, BooleanSupplier done, long jobId) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("demo: timed out after " + timeout.toSeconds() + " s waiting for " + what
                        + "; job " + jobId + " is " + ledger.job(jobId));
            }
            sleep(50);
        }
        return ledger.job(jobId);
    }

    private DisputeView awaitDispute(LedgerHttp ledger, long disputeId) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            DisputeView view = ledger.dispute(disputeId);
            if (view.outcome() != null) return view;
            if (System.nanoTime() > deadline) throw new IllegalStateException("demo: dispute " + disputeId + " did not settle: " + view);
            sleep(50);
        }
    }

    static String tokens(long units) {
        return String.format("%.3f", units / (double) TOKEN);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("demo interrupted");
        }
    }

    private static Path createDirectories(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }

    /** The demo starts from a clean directory each run, so a previous run's chain never leaks into this one. */
    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear the demo directory " + dir, e);
        }
    }
}
