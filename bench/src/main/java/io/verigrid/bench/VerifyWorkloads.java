package io.verigrid.bench;

import io.verigrid.engine.CharCorpus;
import io.verigrid.engine.Dataset;
import io.verigrid.engine.FineTuning;
import io.verigrid.engine.GptConfig;
import io.verigrid.engine.GptModel;
import io.verigrid.engine.LearningRate;
import io.verigrid.engine.LmJob;
import io.verigrid.engine.LmTrainer;
import io.verigrid.engine.ModelState;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.Tensor;
import io.verigrid.engine.data.ExactDedup;
import io.verigrid.engine.data.InputDataset;
import io.verigrid.engine.data.MinHashDedup;
import io.verigrid.engine.data.Normalize;
import io.verigrid.engine.data.Pipeline;
import io.verigrid.engine.data.PipelineOutput;
import io.verigrid.engine.data.PipelineSpec;
import io.verigrid.engine.data.QualityFilter;
import io.verigrid.engine.data.RecordType;
import io.verigrid.engine.data.Resources;
import io.verigrid.engine.data.Sha256;
import io.verigrid.engine.data.Sharding;
import io.verigrid.engine.data.Shuffle;
import io.verigrid.engine.data.SyntheticCorpus;
import io.verigrid.engine.data.Tokenize;
import io.verigrid.engine.generate.TinyLlama;
import io.verigrid.engine.io.Safetensors;
import io.verigrid.node.blob.CheckpointCodec;
import io.verigrid.verify.Commitments;
import io.verigrid.verify.Hashes;
import io.verigrid.verify.Sampling;
import io.verigrid.verify.ShardVerifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The work of one job kind on both sides of verification, timed with the wall clock. A provider runs every unit and
 * commits to it; a verifier draws its sample for every unit and re-executes the sampled ones from the fetched
 * checkpoint. Training and fine-tuning units are checkpoint intervals of an {@link LmJob}; preprocessing units are
 * the shards of a {@link Pipeline} over a {@link SyntheticCorpus}. Fine-tuning is a LoRA {@link FineTuning} job
 * continuing from a trained checkpoint.
 */
final class VerifyWorkloads {
    /**
     * What one kind measured: seconds per unit on each side, how many units each side timed, and the verifier's
     * once-per-job cost (checking the job's commitments before the first sampled unit; 0 where every unit carries
     * its own check).
     */
    record Measured(String kind, String workload, int units, double providerSecondsPerUnit, int verifiedUnits,
                    double verifierSecondsPerSampledUnit, double drawSecondsPerUnit, double verifierSecondsPerJob) {
        /**
         * The verifier's expected compute for the job at rate p, as a percentage of the provider's: U units cost
         * U·(p·T_v + T_draw), plus the once-per-job check when at least one unit is sampled (probability
         * 1 − (1 − p)^U), against U·T_p.
         */
        double overheadPct(double p) {
            double anySampled = 1 - Math.pow(1 - p, units);
            double verifier = units * (p * verifierSecondsPerSampledUnit + drawSecondsPerUnit) + anySampled * verifierSecondsPerJob;
            return 100 * verifier / (units * providerSecondsPerUnit);
        }
    }

    /** Sizes of the workloads: {@code quick} is for smoke tests, the default for the recorded figures. */
    record Sizes(int dim, int layers, int batch, int seqLen, int stepsPerUnit, int units, int verifiedUnits,
                 int corpusTexts, int shardRecords) {
        static Sizes of(boolean quick) {
            return quick ? new Sizes(16, 1, 2, 8, 2, 3, 2, 120, 30) : new Sizes(128, 4, 8, 64, 10, 9, 9, 2400, 100);
        }
    }

    private static final byte[] VERIFIER = Hashes.sha256("bench verifier key".getBytes(StandardCharsets.UTF_8));
    private final Parallelism par;
    private final Sizes sizes;

    VerifyWorkloads(Parallelism par, Sizes sizes) {
        this.par = par;
        this.sizes = sizes;
    }

    /** A small GPT trained from its seeded initial weights. */
    Measured training() {
        LmJob job = lmJob(7);
        return lm("training", describe(job, "from seed"), job, job.initialState(), lmData(job, 11));
    }

    /**
     * LoRA fine-tuning: rank-8 adapters on the attention and projection linears of the training workload's model,
     * starting from its weights after one unit (a published checkpoint), on other data. Base weights are frozen and
     * still part of the state each checkpoint carries.
     */
    Measured finetuning() {
        LmJob base = lmJob(7);
        ModelState trained = LmTrainer.run(base, lmData(base, 11), base.initialState(), base.checkpointInterval(), par, null);
        SortedMap<String, Tensor> weights = new TreeMap<>();
        base.model().parameterShapes().keySet().forEach(name -> weights.put(name, trained.tensor(name)));
        byte[] checkpointId = Hashes.sha256(Safetensors.encode(weights, Map.of()));
        List<String> targets = List.of("c_attn", "c_proj");
        LmJob draft = lmJob(8).withFineTuning(FineTuning.lora(checkpointId, new byte[FineTuning.ID_BYTES], 8, 16f, targets));
        ModelState start = draft.initialState(weights);
        LmJob job = lmJob(8).withFineTuning(FineTuning.lora(checkpointId, Commitments.stateRoot(start), 8, 16f, targets));
        return lm("finetuning", describe(job, "LoRA rank 8 on c_attn and c_proj from a trained checkpoint"), job,
                job.initialState(weights), lmData(job, 12));
    }

    /**
     * Provider: run the unit's steps, commit the state root, encode the checkpoint it serves. Verifier: fetch (decode)
     * the checkpoint before the unit, check it against the committed root, re-run the unit, compare its root with
     * the provider's commitment. Each unit is timed on both sides back to back, so load from other processes falls
     * on both alike; the medians over the units are compared.
     */
    private Measured lm(String kind, String workload, LmJob job, ModelState start, Dataset data) {
        int interval = job.checkpointInterval();
        LmTrainer.run(job, data, start, interval, par, null); // warm-up: the JIT compiles the step
        byte[] checkpoint = CheckpointCodec.encode(start);
        byte[] root = Commitments.stateRoot(start);
        int verified = Math.min(sizes.verifiedUnits(), job.units());
        double[] provider = new double[job.units()];
        double[] verifier = new double[verified];
        ModelState state = start;
        for (int unit = 1; unit <= job.units(); unit++) {
            // Odd units the provider goes first, even units the verifier: a drift in the machine's load then
            // favours neither side.
            byte[] verifierRoot = null;
            if (unit <= verified && unit % 2 == 0) {
                long v0 = System.nanoTime();
                verifierRoot = reexecute(kind, job, data, unit, checkpoint, root);
                verifier[unit - 1] = seconds(v0);
            }
            long t0 = System.nanoTime();
            state = LmTrainer.run(job, data, state, state.step() + interval, par, null);
            byte[] committed = Commitments.stateRoot(state);
            byte[] served = CheckpointCodec.encode(state);
            provider[unit - 1] = seconds(t0);
            if (unit <= verified && unit % 2 == 1) {
                long v0 = System.nanoTime();
                verifierRoot = reexecute(kind, job, data, unit, checkpoint, root);
                verifier[unit - 1] = seconds(v0);
            }
            if (verifierRoot != null && !Arrays.equals(verifierRoot, committed)) {
                throw new IllegalStateException(kind + ": re-executing unit " + unit + " gave another root");
            }
            checkpoint = served;
            root = committed;
        }
        return new Measured(kind, workload, job.units(), Timing.median(provider), verified, Timing.median(verifier),
                drawSeconds(job.units()), 0);
    }

    /**
     * A verifier's work on sampled unit {@code unit}: fetch (decode) the checkpoint before it, check it against the
     * committed root, re-run the unit and return the root it reaches (the comparison with the commitment is free).
     */
    private byte[] reexecute(String kind, LmJob job, Dataset data, int unit, byte[] checkpoint, byte[] rootBefore) {
        ModelState fetched = CheckpointCodec.decode(checkpoint);
        if (!Arrays.equals(Commitments.stateRoot(fetched), rootBefore)) {
            throw new IllegalStateException(kind + ": the checkpoint before unit " + unit + " does not match its root");
        }
        return Commitments.stateRoot(LmTrainer.run(job, data, fetched, fetched.step() + job.checkpointInterval(), par, null));
    }

    /**
     * Text cleaning and tokenization: normalize, exact and near-duplicate removal, quality filter, tokenize,
     * shuffle, cut into shards. The provider runs the whole pipeline and hashes every shard into the manifest; the
     * verifier recomputes a sampled shard from the committed plan ({@link ShardVerifier}).
     */
    Measured preprocessing() {
        String tokenizer = tokenizerJson();
        InputDataset input = InputDataset.texts(SyntheticCorpus.texts(99L, sizes.corpusTexts()).texts())
                .withResources(Resources.ofTokenizers(tokenizer));
        PipelineSpec spec = new PipelineSpec(RecordType.TEXT, List.of(
                new Normalize(true, true, true),
                new ExactDedup(),
                new MinHashDedup(5, 128, 32, 11L, 700_000),
                new QualityFilter(20, 10_000, 600_000, 300_000),
                new Tokenize(Resources.tokenizerSha256(tokenizer)),
                new Shuffle(77L)), Sharding.byRecords(sizes.shardRecords()));
        Pipeline.run(spec, input, par, null); // warm-up
        int rounds = 3;
        double[] providerTotals = new double[rounds];
        double[] jobChecks = new double[rounds];
        List<Double> shardChecks = new java.util.ArrayList<>();
        int shards = 0;
        for (int round = 0; round < rounds; round++) { // provider and verifier alternate, sharing the machine's load
            long t0 = System.nanoTime();
            PipelineOutput output = Pipeline.run(spec, input, par, null);
            providerTotals[round] = seconds(t0);
            shards = output.shards().size();
            // Once per job: the fetched input, the spec and the committed plan must be the manifest's.
            long j0 = System.nanoTime();
            boolean manifestMatches = output.manifest().inputSha256().equals(Sha256.hex(input.sha256()))
                    && output.manifest().specSha256().equals(Sha256.hex(spec.sha256()))
                    && output.manifest().planSha256().equals(Sha256.hex(output.plan().sha256()));
            jobChecks[round] = seconds(j0);
            if (!manifestMatches) throw new IllegalStateException("preprocessing: the manifest does not name this job");
            // Per sampled shard: recompute it from the committed plan alone and compare its hash.
            for (int i = 0; i < Math.min(sizes.verifiedUnits(), shards); i++) {
                int k = shards - 1 - i;
                long s0 = System.nanoTime();
                String recomputed = Sha256.hex(Pipeline.runShard(spec, input, output.plan(), k).sha256());
                shardChecks.add(seconds(s0));
                if (!recomputed.equals(output.manifest().shards().get(k).sha256())) {
                    throw new IllegalStateException("preprocessing: shard " + k + " failed its check");
                }
            }
            if (!ShardVerifier.check(spec, input, output.plan(), output.manifest(), 0).passed()) { // the same check, whole
                throw new IllegalStateException("preprocessing: ShardVerifier rejects shard 0");
            }
        }
        double[] verifier = shardChecks.stream().mapToDouble(Double::doubleValue).toArray();
        String workload = "text pipeline over " + sizes.corpusTexts() + " synthetic documents (normalize, exact + MinHash dedup, "
                + "quality filter, BPE tokenize, shuffle), " + shards + " shards of " + sizes.shardRecords() + " records";
        return new Measured("preprocessing", workload, shards, Timing.median(providerTotals) / shards, verifier.length,
                Timing.median(verifier), drawSeconds(shards), Timing.median(jobChecks));
    }

    /** Seconds per unit for a verifier to decide, with the real draw, whether it samples the unit. */
    private static double drawSeconds(int units) {
        byte[] blockHash = Hashes.sha256("bench block".getBytes(StandardCharsets.UTF_8));
        int rounds = 2000;
        long t0 = System.nanoTime();
        int sampled = 0;
        for (int i = 0; i < rounds; i++) {
            sampled += Sampling.sample(blockHash, i, VERIFIER, units, Sampling.PPM / 100).size();
        }
        double perUnit = seconds(t0) / ((double) rounds * units);
        return sampled < 0 ? 0 : perUnit; // keeps the draws from being optimised away
    }

    private LmJob lmJob(long seed) {
        int vocab = CharCorpus.ALPHABET.length();
        GptModel model = new GptModel(new GptConfig(vocab, sizes.seqLen(), sizes.dim(), sizes.layers(),
                Math.max(1, sizes.dim() / 32), 1e-5f, true));
        int steps = sizes.stepsPerUnit() * sizes.units();
        int sequences = sizes.batch() * 16;
        return new LmJob(model, seed, sequences, sizes.batch(), sizes.seqLen(), steps, sizes.stepsPerUnit(),
                new LearningRate(3e-3f, 3e-4f, Math.min(10, steps), steps), 0.9f, 0.95f, 1e-8f, 0.01f, 1f);
    }

    private static Dataset lmData(LmJob job, long seed) {
        int vocab = CharCorpus.ALPHABET.length();
        return LmJob.windows(CharCorpus.tokens(seed, job.sequences() * job.seqLen() + 1), job.seqLen(), vocab);
    }

    private String describe(LmJob job, String start) {
        return "GPT dim " + sizes.dim() + ", " + sizes.layers() + " layers, seq " + job.seqLen() + ", batch " + job.batch()
                + ", " + job.checkpointInterval() + " AdamW steps per unit, " + job.units() + " units, " + start;
    }

    /** A seeded tiny BPE tokenizer, as {@code verigrid model create-tiny} writes it. */
    private static String tokenizerJson() {
        try {
            Path dir = Files.createTempDirectory("verigrid-bench-tokenizer");
            try {
                TinyLlama.write(dir, 3);
                return Files.readString(dir.resolve("tokenizer.json"));
            } finally {
                try (var files = Files.walk(dir)) {
                    for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the bench tokenizer", e);
        }
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
