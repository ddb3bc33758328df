package io.verigrid.verify;

import io.verigrid.engine.data.DataRecord;
import io.verigrid.engine.data.PipelinePlan;
import io.verigrid.engine.data.PipelineSpec;
import io.verigrid.engine.data.Resources;
import io.verigrid.engine.data.Sha256;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a provider posts to answer a challenge of a shard's cut ({@link PreprocessGame#openCut}): its plan (which must
 * hash to the plan SHA-256 it declared on the ledger), the input records of the disputed shard's final records and,
 * unless the shard ends the list, of the record after it — each with its path to the job's input root — and the
 * tokenizer texts a tokenize step needs. Under records sharding the input list is empty: the end follows from the
 * start.
 *
 * <p>Encoding (version 1): u8 1 ‖ bytes plan ‖ u32 count ‖ per input bytes record ‖ u32 index ‖ u32 leafCount ‖
 * path ‖ u32 count ‖ per tokenizer bytes UTF-8 JSON.
 */
public record CutEvidence(byte[] plan, List<PreprocessReferee.ProvenRecord> inputs, List<String> tokenizers) {
    private static final int VERSION = 1;

    public CutEvidence {
        if (plan == null || inputs == null || tokenizers == null) {
            throw new IllegalArgumentException("cut evidence: plan, inputs and tokenizers are required (empty lists where unused)");
        }
        plan = plan.clone();
        inputs = List.copyOf(inputs);
        tokenizers = List.copyOf(tokenizers);
    }

    /**
     * Settles the cut of shard {@code shard} (1-based): a plan other than the declared one ({@code planSha256}), or
     * evidence the referee cannot read, loses for the provider; otherwise {@link PreprocessReferee#judgeCut} decides.
     */
    Verdict judge(PipelineSpec spec, PreprocessReferee.InputCommitment input, byte[] planSha256, int shard, int declaredShards) {
        if (!Arrays.equals(Sha256.of(plan), planSha256)) return Verdict.CHALLENGER_WINS;
        try {
            PipelinePlan decoded = PipelinePlan.decode(plan);
            Resources resources = tokenizers.isEmpty() ? Resources.none() : Resources.ofTokenizers(tokenizers.toArray(String[]::new));
            return PreprocessReferee.judgeCut(spec, resources, input, decoded, shard - 1, declaredShards, inputs);
        } catch (IllegalArgumentException | ClassCastException | NullPointerException e) {
            // A plan that does not decode, a tokenizer the spec does not name, a record of the wrong type.
            return Verdict.CHALLENGER_WINS;
        }
    }

    public byte[] encode() {
        CanonicalWriter out = new CanonicalWriter().u8(VERSION).bytes(plan).u32(inputs.size());
        for (PreprocessReferee.ProvenRecord p : inputs) {
            out.bytes(p.record().encode());
            p.proof().write(out);
        }
        out.u32(tokenizers.size());
        tokenizers.forEach(t -> out.bytes(t.getBytes(StandardCharsets.UTF_8)));
        return out.toByteArray();
    }

    /** Decodes cut evidence; {@link IllegalArgumentException} for anything but exactly one canonical encoding. */
    public static CutEvidence decode(byte[] bytes) {
        CanonicalReader in = new CanonicalReader(bytes);
        if (in.u8() != VERSION) throw new IllegalArgumentException("cut evidence: unknown version");
        byte[] plan = in.bytes();
        int n = bounded(in.u32(), bytes.length / 4, "inputs");
        List<PreprocessReferee.ProvenRecord> inputs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) inputs.add(new PreprocessReferee.ProvenRecord(DataRecord.decode(in.bytes()), LeafProof.read(in)));
        n = bounded(in.u32(), bytes.length / 4, "tokenizers");
        List<String> tokenizers = new ArrayList<>(n);
        for (int i = 0; i < n; i++) tokenizers.add(new String(in.bytes(), StandardCharsets.UTF_8));
        in.expectEnd();
        return new CutEvidence(plan, inputs, tokenizers);
    }

    private static int bounded(int n, int max, String what) {
        if (n > max) throw new IllegalArgumentException("cut evidence: " + n + " " + what + " cannot fit");
        return n;
    }
}
