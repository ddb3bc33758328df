package io.verigrid.verify;

import io.verigrid.engine.Decoder;
import io.verigrid.engine.InputRef;
import io.verigrid.engine.LlamaModel;
import io.verigrid.engine.OpRecord;
import io.verigrid.engine.OpSet;
import io.verigrid.engine.OpSpec;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.Tensor;
import io.verigrid.engine.generate.Sampler;
import io.verigrid.verify.InferenceCommitments.ResponseLeaf;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;

/**
 * One party's own record of a disputed choice, the inference counterpart of {@link LocalRun}: the fed tokens
 * x_0..x_{T−1} run through the engine's traced position programs ({@link Decoder#positionProgram}), every
 * operator's output root kept, so the party can post (provider) or check (challenger) transcript and trace nodes,
 * and build the evidence for one operator by replaying up to its position.
 */
public final class InferenceTrace {
    /** Changes a position's recorded outputs after it ran: how drills model a provider that computes something else. */
    public interface PositionHook {
        void apply(int position, List<OpRecord> records);
    }

    /** What a party computes with: the model, its weights and (drills only, else null) a hook. */
    public record Replica(LlamaModel model, SortedMap<String, Tensor> weights, PositionHook hook) {
        public Replica {
            if (model == null || weights == null) throw new IllegalArgumentException("model and weights must not be null");
        }

        public int kvWidth() {
            return model.kvWidth();
        }
    }

    private static final LeafProof NO_PROOF = new LeafProof(0, 1, new MerkleProof(List.of()));

    private final Replica replica;
    private final int[] fed;
    private final List<byte[][]> outputRoots = new ArrayList<>();
    private final List<List<byte[]>> traceLeaves = new ArrayList<>();
    private final List<byte[]> transcriptLeaves = new ArrayList<>();

    private InferenceTrace(Replica replica, int[] fed) {
        this.replica = replica;
        this.fed = fed.clone();
    }

    /** Runs {@code fed} (at least one token) position by position and records every operator's output root. */
    public static InferenceTrace run(Replica replica, int[] fed) {
        if (fed == null || fed.length == 0) throw new IllegalArgumentException("fed: at least one token");
        InferenceTrace trace = new InferenceTrace(replica, fed);
        Decoder decoder = new Decoder(replica.model(), replica.weights(), Parallelism.single());
        for (int t = 0; t < fed.length; t++) {
            List<OpRecord> records = trace.step(decoder, t);
            List<OpSpec> program = Decoder.positionProgram(replica.model(), t);
            byte[][] roots = new byte[records.size()][];
            List<byte[]> leaves = new ArrayList<>(records.size());
            for (int j = 0; j < roots.length; j++) {
                roots[j] = Commitments.outputRoot(records.get(j).output());
                leaves.add(Commitments.traceLeaf(j, program.get(j).kind(), OpSet.VERSION, roots[j]));
            }
            trace.outputRoots.add(roots);
            trace.traceLeaves.add(leaves);
            trace.transcriptLeaves.add(InferenceCommitments.transcriptLeaf(t, fed[t], Merkle.root(leaves)));
        }
        return trace;
    }

    private List<OpRecord> step(Decoder decoder, int t) {
        List<OpRecord> records = new ArrayList<>();
        decoder.next(fed[t], records);
        if (replica.hook() != null) replica.hook().apply(t, records);
        return records;
    }

    /**
     * The response leaves this replica gives for {@code request} when each choice c is decoded for exactly
     * {@code lengths[c]} positions (the lengths the provider committed to; stop strings may end a choice early).
     */
    public static List<ResponseLeaf> responseLeaves(Replica replica, InferenceRequest request, int[] lengths) {
        List<ResponseLeaf> leaves = new ArrayList<>();
        for (int c = 0; c < lengths.length; c++) {
            Decoder decoder = new Decoder(replica.model(), replica.weights(), Parallelism.single());
            int[] prompt = request.prompt();
            List<OpRecord> records = new ArrayList<>();
            for (int t = 0; t < prompt.length; t++) {
                records.clear();
                decoder.next(prompt[t], records);
                if (replica.hook() != null) replica.hook().apply(t, records);
            }
            for (int pos = 0; pos < lengths[c]; pos++) {
                float[] logits = records.get(records.size() - 1).output().data();
                int token = Sampler.pick(logits, request.sampling(), c, pos, 0).token();
                leaves.add(new ResponseLeaf(c, pos, token, InferenceCommitments.logitsRoot(logits)));
                if (pos + 1 < lengths[c]) {
                    records.clear();
                    decoder.next(token, records);
                    if (replica.hook() != null) replica.hook().apply(prompt.length + pos, records);
                }
            }
        }
        return leaves;
    }

    public int length() {
        return fed.length;
    }

    public int token(int t) {
        return fed[t];
    }

    public byte[] root() {
        return Merkle.root(transcriptLeaves);
    }

    public List<byte[]> transcriptLeaves() {
        return List.copyOf(transcriptLeaves);
    }

    public LeafProof transcriptProof(int t) {
        return new LeafProof(t, fed.length, Merkle.proof(transcriptLeaves, t));
    }

    public byte[] traceRoot(int t) {
        return Merkle.root(traceLeaves.get(t));
    }

    public List<byte[]> traceLeaves(int t) {
        return List.copyOf(traceLeaves.get(t));
    }

    public LeafProof traceProof(int t, int j) {
        return new LeafProof(j, traceLeaves.get(t).size(), Merkle.proof(traceLeaves.get(t), j));
    }

    public byte[] outputRoot(int t, int j) {
        return outputRoots.get(t)[j].clone();
    }

    /** The logits (1, vocab) of the last position, by replaying it. */
    public Tensor lastLogits() {
        List<List<OpRecord>> replayed = replay(fed.length - 1);
        List<OpRecord> last = replayed.get(replayed.size() - 1);
        return last.get(last.size() - 1).output();
    }

    /** The nodes of {@code leaves}' tree at {@code level}, positions start..start+count−1. */
    public static List<byte[]> nodes(List<byte[]> leaves, int level, int start, int count) {
        return List.copyOf(Merkle.levels(leaves).get(level).subList(start, start + count));
    }

    /** The evidence for operator {@code j} of position {@code t}, replaying positions 0..t. */
    public List<InputEvidence> evidence(int t, int j) {
        List<List<OpRecord>> replayed = replay(t);
        List<OpRecord> now = replayed.get(replayed.size() - 1);
        List<OpRecord> before = replayed.size() > 1 ? replayed.get(0) : null;
        List<OpSpec> program = Decoder.positionProgram(replica.model(), t);
        List<InputEvidence> evidence = new ArrayList<>();
        for (InputRef ref : program.get(j).inputs()) {
            evidence.add(switch (ref.source()) {
                case STATE -> {
                    if (!InferenceReferee.isCache(ref.name())) {
                        yield new InputEvidence(replica.weights().get(ref.name()),
                                InferenceCommitments.weightProof(replica.weights(), ref.name()));
                    }
                    if (t == 0) yield new InputEvidence(Tensor.zeros(0, replica.kvWidth()), NO_PROOF);
                    int writer = InferenceReferee.cacheWriter(program, ref.name());
                    yield new InputEvidence(before.get(writer).output(), traceProof(t - 1, writer));
                }
                case DATA -> new InputEvidence(Tensor.of(new int[] {1}, new float[] {fed[t]}), NO_PROOF);
                case OP -> new InputEvidence(now.get(ref.op()).output(), traceProof(t, ref.op()));
            });
        }
        return evidence;
    }

    /** Records of positions t−1 (when t &gt; 0) and t, replayed from the start. */
    private List<List<OpRecord>> replay(int t) {
        Decoder decoder = new Decoder(replica.model(), replica.weights(), Parallelism.single());
        List<List<OpRecord>> kept = new ArrayList<>();
        for (int p = 0; p <= t; p++) {
            List<OpRecord> records = step(decoder, p);
            if (p >= t - 1) kept.add(records);
        }
        return kept;
    }
}
