package io.verigrid.cli;

import io.verigrid.engine.FineTuneResult;
import io.verigrid.engine.GptModel;
import io.verigrid.engine.LlamaModel;
import io.verigrid.engine.LmJob;
import io.verigrid.engine.MatmulTiles;
import io.verigrid.engine.MlpJob;
import io.verigrid.engine.Tensor;
import io.verigrid.engine.TrainingJob;
import io.verigrid.engine.ModelState;
import io.verigrid.engine.io.Safetensors;
import io.verigrid.ledger.JobView;
import io.verigrid.ledger.Keys;
import io.verigrid.ledger.MarketViews.BidView;
import io.verigrid.ledger.MarketViews.LeaseView;
import io.verigrid.ledger.MarketViews.OrderView;
import io.verigrid.ledger.MarketViews.ProviderView;
import io.verigrid.ledger.PreprocessJobView;
import io.verigrid.ledger.TxResult;
import io.verigrid.ledger.UnitView;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.node.blob.BlobStore;
import io.verigrid.node.blob.CheckpointCodec;
import io.verigrid.node.blob.RetrievabilityChallenge;
import io.verigrid.node.http.HttpJsonClient;
import io.verigrid.node.http.RequestSigner;
import io.verigrid.node.ledger.LedgerHttp;
import io.verigrid.node.ledger.Wallet;
import io.verigrid.verify.Commitments;
import io.verigrid.verify.Hashes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code verigrid job init|submit|status|cancel|logs|result}: a buyer's jobs on the compute market. A job is
 * posted as an order (its id is the job's handle here); providers bid, the winner leases it, and the buyer pays
 * per verified unit.
 */
@Command(name = "job", mixinStandardHelpOptions = true, description = "Submit jobs to the compute market and follow them.",
        subcommands = {JobCommand.Init.class, JobCommand.Submit.class, JobCommand.Status.class, JobCommand.Cancel.class,
                JobCommand.Logs.class, JobCommand.Result.class})
final class JobCommand {
    static final Set<String> FINAL = Set.of("DONE", "CANCELLED", "EXPIRED");

    private JobCommand() {}

    /** The end of a job as the buyer sees it: what was verified, what it cost, and why cheating it did not pay. */
    record Report(long orderId, long jobId, String status, int units, int verifiedUnits, long spent, long costPerVerifiedUnit,
                  long refunded, List<LeaseView> leases, JobEconomics economics) {
        String text() {
            StringBuilder sb = new StringBuilder();
            sb.append("order ").append(orderId).append(" (job ").append(jobId).append("): ").append(status).append('\n');
            sb.append("  verified units      ").append(verifiedUnits).append(" of ").append(units).append('\n');
            sb.append("  spent               ").append(LedgerOptions.tokens(spent)).append(" tokens\n");
            sb.append("  cost per verified unit ").append(verifiedUnits == 0 ? "-" : LedgerOptions.tokens(costPerVerifiedUnit)).append(" tokens\n");
            sb.append("  refunded            ").append(LedgerOptions.tokens(refunded)).append(" tokens\n");
            for (LeaseView l : leases) {
                sb.append("  lease ").append(l.id()).append(": ").append(l.provider(), 0, 16).append("… at ")
                        .append(LedgerOptions.tokens(l.unitPrice())).append("/unit, ").append(l.status())
                        .append(l.reason().isEmpty() ? "" : " (" + l.reason() + ")").append('\n');
            }
            sb.append(economics.text()).append('\n');
            return sb.toString().stripTrailing();
        }
    }

    static Report report(LedgerHttp ledger, long orderId) {
        OrderView o = order(ledger, orderId);
        JobView j = ledger.job(o.jobId());
        long escrowed = o.maxUnitPrice() * o.units();
        long refunded = FINAL.contains(o.status()) ? escrowed - j.paid() - j.escrow() : 0;
        List<LeaseView> leases = ledger.marketLeases().stream().filter(l -> l.orderId() == orderId).toList();
        // The job's units: a preprocessing job's first shard lowers the order's maximum to the plan's shard count.
        JobEconomics economics = JobEconomics.of(j, ledger.params(), j.lessee() == null ? null : ledger.account(j.lessee()));
        return new Report(o.id(), o.jobId(), o.status(), j.units(), j.verifiedUnits(), j.paid(),
                j.verifiedUnits() == 0 ? 0 : j.paid() / j.verifiedUnits(), refunded, leases, economics);
    }

    static OrderView order(LedgerHttp ledger, long id) {
        try {
            return ledger.marketOrder(id);
        } catch (io.verigrid.node.http.ApiException e) {
            if (e.status() == 404) throw new IllegalArgumentException("no order " + id + " on this ledger");
            throw e;
        }
    }

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = "Write a manifest: the demo MLP job (dataset root filled in), a tiny language-model job with its files, or a preprocessing job over a corpus.")
    static final class Init implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "FILE", description = "Where to write the manifest.")
        Path file;

        @Option(names = "--kind", defaultValue = "mlp", description = "mlp, lm (training from seed), lm-finetune (LoRA on a checkpoint) or preprocess. Default: ${DEFAULT-VALUE}.")
        String kind;

        @Option(names = "--replica", description = "A blob node that will hold the data (lm kinds and preprocess; repeat, at least 2).")
        List<String> replicas = new ArrayList<>();

        @Option(names = "--max-price", defaultValue = "1", description = "Maximum tokens per verified unit. Default: ${DEFAULT-VALUE}.")
        String maxPrice;

        @Option(names = "--steps", defaultValue = "200", description = "Training steps (10 per checkpoint unit... see docs). Default: ${DEFAULT-VALUE}.")
        int steps;

        @Option(names = "--input", description = "preprocess: the JSON Lines corpus ({\"text\": …} per line); default: a seeded"
                + " synthetic corpus written next to the manifest as corpus.jsonl.")
        Path input;

        @Override
        public Integer call() throws IOException {
            if ("preprocess".equals(kind)) return PreprocessInit.write(file, input, replicas, maxPrice);
            if (!List.of("mlp", "lm", "lm-finetune").contains(kind)) {
                throw new IllegalArgumentException("--kind must be mlp, lm, lm-finetune or preprocess, got " + kind);
            }
            TrainingJob.Kind jobKind = TrainingJob.Kind.ofTag(kind);
            if (jobKind != TrainingJob.Kind.MLP) {
                List<String> nodes = replicas.isEmpty() ? List.of("http://127.0.0.1:7401", "http://127.0.0.1:7402") : replicas;
                List<String> written = LmJobFiles.write(file.toAbsolutePath().getParent(), jobKind);
                Files.writeString(file, JobManifest.lmTemplate(jobKind, maxPrice, nodes));
                System.out.println("wrote " + file + " and " + String.join(", ", written) + " (" + jobKind.tag() + ": 4 units of 5 steps"
                        + (replicas.isEmpty() ? "; set dataset.replicas to your blob nodes" : "") + ")");
                return 0;
            }
            MlpJob d = MlpJob.demo();
            MlpJob spec = new MlpJob(d.seed(), d.inputDim(), d.hidden(), d.classes(), d.samples(), d.batch(), d.learningRate(),
                    d.momentum(), steps, d.checkpointInterval());
            // The chain's bound is not known offline: the template must at least fit the default one.
            RefereeCheck.check(spec, spec.dataset(), null, MatmulTiles.DEFAULT_MAX_REFEREE_BYTES);
            Files.writeString(file, JobManifest.template(spec, maxPrice));
            System.out.println("wrote " + file + " (" + spec.units() + " units of " + spec.checkpointInterval() + " steps)");
            return 0;
        }
    }

    @Command(name = "submit", mixinStandardHelpOptions = true,
            description = "Post a manifest as an order, show progress until it ends, and report the cost per verified unit.")
    static final class Submit implements Callable<Integer> {
        @Mixin
        LedgerOptions opts;

        @Parameters(index = "0", paramLabel = "MANIFEST", description = "The job manifest (YAML).")
        Path manifest;

        @Option(names = "--key", required = true, description = "The buyer's key name.")
        String key;

        @Option(names = "--no-wait", description = "Print the order id and return without following it.")
        boolean noWait;

        @Option(names = "--timeout", defaultValue = "3600", description = "Seconds to follow the job. Default: ${DEFAULT-VALUE}.")
        long timeoutSeconds;

        @Override
        public Integer call() throws InterruptedException {
            PreprocessManifest pm = PreprocessManifest.isPreprocess(manifest) ? PreprocessManifest.read(manifest) : null;
            JobManifest m = pm == null ? JobManifest.read(manifest) : null;
            LedgerHttp ledger = opts.ledger();
            Keys keys = opts.keys().load(key);
            Wallet wallet = new Wallet(key, keys, ledger);
            JobManifest.BlobDataset blob = m == null ? null : m.blobDataset();
            boolean published = blob != null || pm != null;
            // The blob is private to the job the order opens: job ids are sequential, so that is the next one.
            long expectedJob = !published ? 0 : opts.call(ledger, () -> ledger.jobs().stream().mapToLong(JobView::id).max().orElse(0) + 1);
            // A training job with an operator no dispute could settle within the chain's bound is refused here, before
            // anything is posted or replicated.
            long maxRefereeBytes = pm != null ? 0 : opts.call(ledger, () -> ledger.params().maxRefereeBytes());
            if (m != null && blob == null && m.jobKind("manifest") == TrainingJob.Kind.MLP) {
                MlpJob spec = m.spec("manifest");
                RefereeCheck.check(spec, spec.dataset(), null, maxRefereeBytes);
            }
            TxBody.PostOrder body = pm != null ? PreprocessJobs.publish(pm, manifest, opts.home(), keys, expectedJob)
                    : blob == null ? m.toOrder() : publish(m, manifest, opts.home(), keys, expectedJob, maxRefereeBytes);
            TxResult r = opts.call(ledger, () -> wallet.submit(body));
            if (!r.accepted()) throw new IllegalArgumentException("order rejected: " + r.code() + ": " + r.message());
            OrderView order = ledger.marketOrders().stream()
                    .filter(o -> o.buyer().equals(wallet.address()) && o.postedHeight() == r.height())
                    .max(Comparator.comparingLong(OrderView::id))
                    .orElseThrow(() -> new IllegalStateException("order accepted in block " + r.height() + " but not found"));
            if (published && order.jobId() != expectedJob) {
                wallet.submit(new TxBody.CancelOrder(order.id()));
                throw new IllegalStateException("another job took id " + expectedJob + " while the dataset was replicated, so the replicas hold it"
                        + " private to that job; order " + order.id() + " (job " + order.jobId() + ") was cancelled: submit again");
            }
            if (noWait) {
                opts.print(order, "order " + order.id() + " posted (job " + order.jobId() + "), auction closes at block " + order.auctionEndHeight());
                return 0;
            }
            if (!opts.json) System.out.println("order " + order.id() + " posted (job " + order.jobId() + "); waiting for bids");
            long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
            try (ProgressBar bar = new ProgressBarBuilder().setTaskName("order " + order.id()).setInitialMax(order.units())
                    .setUpdateIntervalMillis(200).continuousUpdate().build()) {
                while (true) {
                    OrderView o = ledger.marketOrder(order.id());
                    JobView j = ledger.job(o.jobId());
                    bar.stepTo(j.verifiedUnits());
                    bar.setExtraMessage(o.status() + (j.lessee() == null ? "" : " " + j.lessee().substring(0, 8)) + " committed " + (j.nextUnit() - 1));
                    if (FINAL.contains(o.status())) break;
                    if (System.nanoTime() > deadline) throw new IllegalStateException("order " + order.id() + " still " + o.status() + " after " + timeoutSeconds + " s");
                    Thread.sleep(250);
                }
            }
            Report report = report(ledger, order.id());
            opts.print(report, report.text());
            return "DONE".equals(report.status()) ? 0 : 1;
        }
    }

    /** Publishes the manifest's dataset blob to its replicas, proves they hold it, and returns the order to post. */
    static TxBody.PostOrder publish(JobManifest m, Path manifestFile, Path home, Keys keys, long jobId, long maxRefereeBytes) {
        JobManifest.BlobDataset blob = m.blobDataset();
        Path dir = manifestFile.toAbsolutePath().getParent();
        BlobStore local = new BlobStore(home.resolve("blobs"));
        TrainingJob spec = m.spec(dir, local); // a fine-tuning checkpoint lands in the local store here
        var dataset = DatasetPublisher.read(dir.resolve(blob.file()), spec);
        RefereeCheck.check(spec, dataset, local, maxRefereeBytes);
        HttpJsonClient http = new HttpJsonClient(Duration.ofSeconds(60), new RequestSigner(keys, Clock.systemUTC()));
        DatasetPublisher publisher = new DatasetPublisher(local, http, new RetrievabilityChallenge(local, http, new SecureRandom()));
        DatasetPublisher.Published published = publisher.publish(dataset, blob.replicas(), jobId);
        published.log().forEach(System.err::println);
        if (spec.baseCheckpoint().isPresent()) {
            // Providers and verifiers fetch the base checkpoint from the dataset's replicas, by its blob id.
            DatasetPublisher.Published base = publisher.publishBlob(Hashes.hex(spec.baseCheckpoint().get()), published.blob().replicas(), jobId);
            base.log().forEach(System.err::println);
        }
        return m.toOrder(spec, published.datasetRoot(), published.blob());
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "An order's state, its job's progress and its leases.")
    static final class Status implements Callable<Integer> {
        @Mixin
        LedgerOptions opts;

        @Parameters(index = "0", paramLabel = "ORDER", description = "The order id (from `job submit`).")
        long id;

        @Override
        public Integer call() {
            LedgerHttp ledger = opts.ledger();
            Report report = opts.call(ledger, () -> report(ledger, id));
            PreprocessJobView preprocess = PreprocessJobs.view(ledger, report.jobId());
            if (preprocess == null) {
                opts.print(report, report.text());
            } else {
                PreprocessJobs.Status shards = new PreprocessJobs.Status(preprocess, ledger.job(report.jobId()).commits());
                opts.print(Map.of("order", report, "preprocess", shards), report.text() + "\n" + shards.text());
            }
            return 0;
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancel an order; unspent escrow comes back.")
    static final class Cancel implements Callable<Integer> {
        @Mixin
        LedgerOptions opts;

        @Parameters(index = "0", paramLabel = "ORDER", description = "The order id.")
        long id;

        @Option(names = "--key", required = true, description = "The buyer's key name.")
        String key;

        @Override
        public Integer call() {
            return TxCommand.submit(opts, key, new TxBody.CancelOrder(id));
        }
    }

    /** One line of a job's history, from the ledger. */
    record Event(long height, String what) {}

    @Command(name = "logs", mixinStandardHelpOptions = true, description = "The order's history on the ledger: bids, leases, commits, verifications.")
    static final class Logs implements Callable<Integer> {
        @Mixin
        LedgerOptions opts;

        @Parameters(index = "0", paramLabel = "ORDER", description = "The order id.")
        long id;

        @Override
        public Integer call() {
            LedgerHttp ledger = opts.ledger();
            List<Event> events = opts.call(ledger, () -> events(ledger, id));
            StringBuilder text = new StringBuilder();
            for (Event e : events) text.append(String.format("[block %6d] %s%n", e.height(), e.what()));
            opts.print(events, text.toString().stripTrailing());
            return 0;
        }
    }

    static List<Event> events(LedgerHttp ledger, long id) {
        OrderView o = order(ledger, id);
        JobView j = ledger.job(o.jobId());
        List<Event> events = new ArrayList<>();
        events.add(new Event(o.postedHeight(), "order posted: " + o.units() + " units, at most " + LedgerOptions.tokens(o.maxUnitPrice()) + " per unit"));
        for (BidView b : ledger.marketBids(id)) {
            events.add(new Event(b.height(), "bid " + b.id() + " (round " + b.round() + ") by " + b.provider().substring(0, 16) + "… at "
                    + LedgerOptions.tokens(b.unitPrice()) + ": " + b.status()));
        }
        for (LeaseView l : ledger.marketLeases()) {
            if (l.orderId() != id) continue;
            events.add(new Event(l.startHeight(), "lease " + l.id() + " to " + l.provider().substring(0, 16) + "… at "
                    + LedgerOptions.tokens(l.unitPrice()) + " per unit, " + l.unitBlocks() + " blocks per unit"));
            if (!"ACTIVE".equals(l.status())) events.add(new Event(l.endHeight(), "lease " + l.id() + " " + l.status() + ": " + l.reason()));
        }
        for (UnitView u : j.commits()) {
            events.add(new Event(u.commitHeight(), "unit " + u.unit() + " committed by " + u.provider().substring(0, 16) + "…"));
            if (u.verified()) {
                events.add(new Event(u.verifiedHeight(), "unit " + u.unit() + " verified (" + u.verifiedBy() + "), paid " + LedgerOptions.tokens(u.paid())));
            }
        }
        events.sort(Comparator.comparingLong(Event::height));
        return events;
    }

    @Command(name = "result", mixinStandardHelpOptions = true,
            description = "Fetch a finished job's result from its provider, check it against the ledger and write it (mlp: the state as"
                    + " safetensors; lm: model.safetensors and config.json; lm-finetune: the LoRA adapter or the tuned weights;"
                    + " preprocess: its shards and manifest).")
    static final class Result implements Callable<Integer> {
        @Mixin
        LedgerOptions opts;

        @Parameters(index = "0", paramLabel = "ORDER", description = "The order id.")
        long id;

        @Option(names = "--key", required = true, description = "The buyer's key name (checkpoints are served to the buyer).")
        String key;

        @Option(names = "--out", description = "Output: a file for mlp (default model.safetensors), a directory for lm kinds (default job-ID) and preprocessing (default job-ID-shards).")
        Path out;

        @Override
        public Integer call() {
            LedgerHttp ledger = opts.ledger();
            OrderView o = opts.call(ledger, () -> order(ledger, id));
            JobView j = ledger.job(o.jobId());
            if (!"DONE".equals(j.status())) throw new IllegalArgumentException("order " + id + " is " + o.status() + "; results exist once it is DONE");
            PreprocessJobView preprocess = PreprocessJobs.view(ledger, j.id());
            if (preprocess != null) {
                Path dir = out != null ? out : Path.of("job-" + j.id() + "-shards");
                PreprocessJobs.Downloaded d = PreprocessJobs.download(ledger, j, preprocess, opts.keys().load(key), dir);
                opts.print(d, "wrote " + d.shards() + " shards (" + d.records() + " records), manifest.json and plan.bin to " + dir
                        + " (every shard root matches the ledger)");
                return 0;
            }
            Path out = this.out != null ? this.out : Path.of("model.safetensors");
            UnitView last = j.commits().get(j.units() - 1);
            ProviderView provider = ledger.marketProvider(last.provider());
            if (provider == null) throw new IllegalStateException("the provider of the final unit " + last.provider() + " is not registered");
            Keys keys = opts.keys().load(key);
            byte[] bytes = new HttpJsonClient(Duration.ofSeconds(60), new RequestSigner(keys, Clock.systemUTC()))
                    .getBytes(provider.url() + "/jobs/" + j.id() + "/checkpoints/" + j.units());
            ModelState state = CheckpointCodec.decode(bytes);
            String root = Hashes.hex(Commitments.stateRoot(state));
            if (!root.equals(last.root())) {
                throw new IllegalStateException("the provider served weights with root " + root + ", the ledger's final root is " + last.root());
            }
            TrainingJob spec = j.spec();
            Path file;
            if (spec instanceof LmJob lm) {
                file = writeLm(lm, state, out == null ? Path.of("job-" + j.id()) : out);
            } else {
                file = out == null ? Path.of("model.safetensors") : out;
                Safetensors.write(file, state.tensors(), Map.of("verigrid.job", Long.toString(j.id()), "verigrid.state_root", root,
                        "verigrid.step", Long.toString(state.step())));
            }
            opts.print(Map.of("file", file.toString(), "stateRoot", root, "step", state.step()),
                    "wrote " + file + ": " + spec.kind().tag() + " result after step " + state.step() + ", state root " + root + " (matches the ledger)");
            return 0;
        }
    }

    /**
     * A language-model job's result in Hugging Face form under {@code dir}: fine-tuning as {@link FineTuneResult}
     * writes it (PEFT adapter, or tuned weights); training from seed the model's weights (no optimizer moments) as
     * model.safetensors plus config.json. Returns the safetensors file.
     */
    static Path writeLm(LmJob job, ModelState state, Path dir) {
        if (job.fineTuning() != null) return FineTuneResult.write(job, state, dir);
        java.util.SortedMap<String, Tensor> weights = new java.util.TreeMap<>();
        for (String name : job.model().parameterShapes().keySet()) weights.put(name, state.tensor(name));
        Map<String, Object> config = job.model() instanceof GptModel gpt ? gpt.config().toJson() : ((LlamaModel) job.model()).config().toJson();
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve(FineTuneResult.WEIGHTS_FILE);
            Safetensors.write(file, weights, Map.of("format", "pt"));
            Files.writeString(dir.resolve(FineTuneResult.CONFIG), io.verigrid.node.http.Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(config));
            return file;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write the result to " + dir, e);
        }
    }
}
