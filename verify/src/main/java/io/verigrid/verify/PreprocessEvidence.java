package io.verigrid.verify;

import io.verigrid.engine.data.DataRecord;
import io.verigrid.engine.data.PipelinePlan;
import io.verigrid.engine.data.PipelineSpec;
import io.verigrid.engine.data.Resources;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a provider posts to settle a {@link PreprocessGame} at its disputed leaf: every leaf of its trace (checked
 * against its trace root, so the leaves before the disputed one are the agreed ones), its plan, its claim for a
 * records leaf (record count and batch roots), the shard's records before the step, the input records the referee
 * reads with their paths to the input root, and the tokenizer texts a tokenize step needs. Also the two claim
 * encodings a challenger states on the pick that reaches a leaf.
 *
 * <p>Encoding (version 1): u8 1 ‖ u32 n ‖ n leaves ‖ bytes plan ‖ u32 recordsCount ‖ u32 m ‖ m batch roots ‖
 * u32 count ‖ per record bytes record ‖ u32 count ‖ per proven record bytes record ‖ u32 index ‖ u32 leafCount ‖
 * path ‖ u32 count ‖ per tokenizer bytes UTF-8 JSON.
 */
public record PreprocessEvidence(List<byte[]> leaves, byte[] plan, int recordsCount, List<byte[]> batches,
                                 List<DataRecord> before, List<PreprocessReferee.ProvenRecord> proven,
                                 List<String> tokenizers) {
    private static final int VERSION = 1;
    private static final int PLAN_CLAIM = 1;
    private static final int RECORDS_CLAIM = 2;

    /** The referee's verdict and the batch it looked at (−1 when the evidence failed before that). */
    public record Judgement(Verdict verdict, int batch) {}

    public PreprocessEvidence {
        if (leaves == null || plan == null || batches == null || before == null || proven == null || tokenizers == null) {
            throw new IllegalArgumentException("evidence: every field is required (empty lists where unused)");
        }
        leaves = List.copyOf(leaves);
        batches = List.copyOf(batches);
        before = List.copyOf(before);
        proven = List.copyOf(proven);
        tokenizers = List.copyOf(tokenizers);
        plan = plan.clone();
        if (recordsCount < 0) throw new IllegalArgumentException("recordsCount: must be >= 0, got " + recordsCount);
    }

    /** The challenger's claim for a plan leaf: the origin list after the step. */
    public static byte[] planClaim(int[] origins) {
        CanonicalWriter out = new CanonicalWriter().u8(PLAN_CLAIM).u32(origins.length);
        for (int origin : origins) out.u32(origin);
        return out.toByteArray();
    }

    /** The challenger's claim for a records leaf: the shard's record count after the step and its batch roots. */
    public static byte[] recordsClaim(int count, List<byte[]> batches) {
        CanonicalWriter out = new CanonicalWriter().u8(RECORDS_CLAIM).u32(count).u32(batches.size());
        batches.forEach(out::raw);
        return out.toByteArray();
    }

    /** True when {@code claim} decodes as a plan claim ({@code plan}) or a records claim. */
    static boolean claimFits(byte[] claim, boolean plan) {
        try {
            if (plan) decodePlanClaim(claim);
            else decodeRecordsClaim(claim);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    public static int[] decodePlanClaim(byte[] claim) {
        CanonicalReader in = new CanonicalReader(claim);
        if (in.u8() != PLAN_CLAIM) throw new IllegalArgumentException("claim: not a plan claim");
        int n = in.u32();
        if (n > claim.length / 4) throw new IllegalArgumentException("claim: " + n + " origins in " + claim.length + " bytes");
        int[] origins = new int[n];
        for (int i = 0; i < n; i++) origins[i] = in.u32();
        in.expectEnd();
        return origins;
    }

    /** The count and batch roots of a records claim, as {@code [count]} and the list. */
    public static PreprocessReferee.RecordsClaim decodeRecordsClaim(byte[] claim) {
        CanonicalReader in = new CanonicalReader(claim);
        if (in.u8() != RECORDS_CLAIM) throw new IllegalArgumentException("claim: not a records claim");
        int count = in.u32();
        int n = in.u32();
        if (n > claim.length / Hashes.LENGTH) throw new IllegalArgumentException("claim: " + n + " batches in " + claim.length + " bytes");
        List<byte[]> batches = new ArrayList<>(n);
        for (int i = 0; i < n; i++) batches.add(in.raw(Hashes.LENGTH));
        in.expectEnd();
        // The leaf is not part of the claim: the referee recomputes it from the count and batches.
        return new PreprocessReferee.RecordsClaim(new byte[Hashes.LENGTH], count, batches);
    }

    /**
     * Settles leaf {@code leaf} of shard {@code shard} (1-based): this evidence against the provider's
     * {@code traceRoot} and the challenger's {@code claim}.
     */
    Judgement judge(PipelineSpec spec, PreprocessReferee.InputCommitment input, byte[] traceRoot, int shard, int leaf,
                    byte[] claim, PreprocessReferee.ProvenRecord challengerWitness) {
        int steps = spec.steps().size();
        if (leaves.size() != 2 * (steps + 1) || !Arrays.equals(Merkle.root(leaves), traceRoot)) return lost();
        PipelinePlan decoded;
        Resources resources;
        try {
            decoded = PipelinePlan.decode(plan);
            resources = tokenizers.isEmpty() ? Resources.none() : Resources.ofTokenizers(tokenizers.toArray(String[]::new));
        } catch (IllegalArgumentException e) {
            return lost();
        }
        if (decoded.steps() != steps) return lost();
        List<byte[]> agreed = leaves.subList(0, leaf);
        try {
            if (leaf <= steps) return judgePlan(spec, resources, input, decoded, leaf, agreed, decodePlanClaim(claim), challengerWitness);
            int step = leaf - steps - 1;
            PreprocessReferee.RecordsClaim theirs = decodeRecordsClaim(claim);
            String kind = PipelineTrace.kind(spec, step);
            PreprocessReferee.RecordsClaim challenger = new PreprocessReferee.RecordsClaim(
                    ShardCommitments.recordsLeaf(step, kind, theirs.count(), Merkle.root(theirs.batches())), theirs.count(), theirs.batches());
            PreprocessReferee.RecordsClaim provider = new PreprocessReferee.RecordsClaim(leaves.get(leaf), recordsCount, batches);
            int batch = PipelineTrace.firstDifference(provider.batches(), challenger.batches());
            Verdict verdict = step == 0
                    ? PreprocessReferee.judgeInputRecords(spec, decoded, shard - 1, input, agreed, proven, provider, challenger)
                    : PreprocessReferee.judgeRecords(spec, resources, decoded, shard - 1, step, agreed, before, provider, challenger);
            return new Judgement(verdict, batch);
        } catch (IllegalArgumentException | ClassCastException | NullPointerException e) {
            // Evidence the referee cannot even read (a shard the plan lacks, records of the wrong type): the provider's loss.
            return lost();
        }
    }

    private Judgement judgePlan(PipelineSpec spec, Resources resources, PreprocessReferee.InputCommitment input,
                                PipelinePlan decoded, int step, List<byte[]> agreed, int[] challengerOrigins,
                                PreprocessReferee.ProvenRecord challengerWitness) {
        int[] providerOrigins = decoded.originsAfter(step);
        byte[] providerLeaf = leaves.get(step);
        byte[] challengerLeaf = planLeaf(spec, step, challengerOrigins);
        int batch = firstDifference(providerOrigins, challengerOrigins) / ShardCommitments.BATCH_RECORDS;
        boolean providerValid = Arrays.equals(planLeaf(spec, step, providerOrigins), providerLeaf);
        if (step == 0) {
            // The input list is 0..n−1 for the job's n input records: nothing to re-execute.
            int[] expected = java.util.stream.IntStream.range(0, input.count()).toArray();
            boolean providerRight = providerValid && Arrays.equals(providerOrigins, expected);
            boolean challengerRight = Arrays.equals(challengerOrigins, expected);
            return new Judgement(providerRight ? Verdict.PROVIDER_WINS : challengerRight ? Verdict.CHALLENGER_WINS : Verdict.BOTH_LOSE, batch);
        }
        if (providerValid && Arrays.equals(providerOrigins, challengerOrigins)) return new Judgement(Verdict.PROVIDER_WINS, -1);
        PreprocessReferee.ProvenRecord disputed = proven.isEmpty() ? null : proven.get(0);
        // Whichever party skipped the disputed record names the kept one it duplicates; a valid witness is a fact,
        // so the referee may take it from either side.
        PreprocessReferee.ProvenRecord witness = proven.size() > 1 ? proven.get(1) : challengerWitness;
        Verdict verdict = PreprocessReferee.judgePlan(spec, resources, input, step, agreed, decoded.originsAfter(step - 1),
                new PreprocessReferee.PlanClaim(providerLeaf, providerOrigins),
                new PreprocessReferee.PlanClaim(challengerLeaf, challengerOrigins), disputed, witness);
        return new Judgement(verdict, batch);
    }

    /** A witness as the challenger posts it: bytes record ‖ u32 index ‖ u32 leafCount ‖ path. */
    public static byte[] encodeWitness(PreprocessReferee.ProvenRecord witness) {
        CanonicalWriter out = new CanonicalWriter().bytes(witness.record().encode());
        witness.proof().write(out);
        return out.toByteArray();
    }

    public static PreprocessReferee.ProvenRecord decodeWitness(byte[] bytes) {
        CanonicalReader in = new CanonicalReader(bytes);
        PreprocessReferee.ProvenRecord witness = new PreprocessReferee.ProvenRecord(DataRecord.decode(in.bytes()), LeafProof.read(in));
        in.expectEnd();
        return witness;
    }

    static byte[] planLeaf(PipelineSpec spec, int step, int[] origins) {
        return ShardCommitments.planLeaf(step, PipelineTrace.kind(spec, step), origins.length, ShardCommitments.planRoot(step, origins));
    }

    static int firstDifference(int[] a, int[] b) {
        int common = Math.min(a.length, b.length);
        for (int i = 0; i < common; i++) if (a[i] != b[i]) return i;
        return common;
    }

    private static Judgement lost() {
        return new Judgement(Verdict.CHALLENGER_WINS, -1);
    }

    public byte[] encode() {
        CanonicalWriter out = new CanonicalWriter().u8(VERSION).u32(leaves.size());
        leaves.forEach(out::raw);
        out.bytes(plan).u32(recordsCount).u32(batches.size());
        batches.forEach(out::raw);
        out.u32(before.size());
        before.forEach(r -> out.bytes(r.encode()));
        out.u32(proven.size());
        for (PreprocessReferee.ProvenRecord p : proven) {
            out.bytes(p.record().encode());
            p.proof().write(out);
        }
        out.u32(tokenizers.size());
        tokenizers.forEach(t -> out.bytes(t.getBytes(StandardCharsets.UTF_8)));
        return out.toByteArray();
    }

    /** Decodes evidence; {@link IllegalArgumentException} for anything but exactly one canonical encoding. */
    public static PreprocessEvidence decode(byte[] bytes) {
        CanonicalReader in = new CanonicalReader(bytes);
        if (in.u8() != VERSION) throw new IllegalArgumentException("evidence: unknown version");
        List<byte[]> leaves = hashes(in, bytes.length);
        byte[] plan = in.bytes();
        int recordsCount = in.u32();
        List<byte[]> batches = hashes(in, bytes.length);
        int n = bounded(in.u32(), bytes.length / 4, "records");
        List<DataRecord> before = new ArrayList<>(n);
        for (int i = 0; i < n; i++) before.add(DataRecord.decode(in.bytes()));
        n = bounded(in.u32(), bytes.length / 4, "proven records");
        List<PreprocessReferee.ProvenRecord> proven = new ArrayList<>(n);
        for (int i = 0; i < n; i++) proven.add(new PreprocessReferee.ProvenRecord(DataRecord.decode(in.bytes()), LeafProof.read(in)));
        n = bounded(in.u32(), bytes.length / 4, "tokenizers");
        List<String> tokenizers = new ArrayList<>(n);
        for (int i = 0; i < n; i++) tokenizers.add(new String(in.bytes(), StandardCharsets.UTF_8));
        in.expectEnd();
        return new PreprocessEvidence(leaves, plan, recordsCount, batches, before, proven, tokenizers);
    }

    private static List<byte[]> hashes(CanonicalReader in, int total) {
        int n = bounded(in.u32(), total / Hashes.LENGTH, "hashes");
        List<byte[]> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(in.raw(Hashes.LENGTH));
        return out;
    }

    private static int bounded(int n, int max, String what) {
        if (n > max) throw new IllegalArgumentException("evidence: " + n + " " + what + " cannot fit");
        return n;
    }
}
