package io.verigrid.verify;

import io.verigrid.engine.InputRef;
import io.verigrid.engine.OpSpec;
import io.verigrid.engine.Ops;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.Tensor;
import java.util.List;

/**
 * The step of an embedding that no position trace records: the mean over the T prompt positions of their final hidden
 * states (each the output of the final norm, the operator the LM head reads), computed with the engine's
 * {@code mean_axis} over axis 0 of the (T, hidden) rows, whose canonical order makes it the same bits on every
 * machine. The gateway pools this way, a verifier re-executes it this way, and the referee settles a disputed pooling
 * this way from the T rows, each proven at its final-norm leaf of its position's trace.
 */
public final class InferencePooling {
    private InferencePooling() {}

    /** What a provider posts for row t: the fed token and trace root of transcript leaf t, both proofs. */
    public record RowProof(int token, byte[] traceRoot, LeafProof transcriptProof, LeafProof stateProof) {
        public RowProof {
            if (traceRoot == null || traceRoot.length != 32) throw new IllegalArgumentException("traceRoot: must be 32 bytes");
            if (transcriptProof == null || stateProof == null) throw new IllegalArgumentException("both proofs are required");
            traceRoot = traceRoot.clone();
        }

        @Override
        public byte[] traceRoot() {
            return traceRoot.clone();
        }

        void write(CanonicalWriter out) {
            out.u32(token).raw(traceRoot);
            transcriptProof.write(out);
            stateProof.write(out);
        }

        static RowProof read(CanonicalReader in) {
            return new RowProof(in.u32(), in.raw(32), LeafProof.read(in), LeafProof.read(in));
        }
    }

    /**
     * The operator of a position program whose output (1, hidden) is the position's final hidden state: the final
     * norm, which the LM head (the program's last operator) reads.
     */
    public static int hiddenStateOp(List<OpSpec> program) {
        OpSpec head = program.get(program.size() - 1);
        InputRef input = head.inputs().get(0);
        if (input.source() != InputRef.Source.OP) throw new IllegalArgumentException("program: the LM head reads no operator");
        return input.op();
    }

    /** The embedding of (T, hidden) final hidden states: {@code mean_axis} over the positions, shape (hidden). */
    public static Tensor pool(Tensor hiddenStates, Parallelism par) {
        if (hiddenStates == null || hiddenStates.shape().length != 2 || hiddenStates.dim(0) < 1) {
            throw new IllegalArgumentException("hiddenStates: must be (T, hidden) with T >= 1");
        }
        return Ops.execute("mean_axis", new long[] {0, 0}, List.of(hiddenStates), par);
    }

    /** The output root of the pooled embedding. */
    public static byte[] pooledRoot(Tensor pooled) {
        return Commitments.outputRoot(pooled);
    }

    /** The response root of an embedding whose hidden states are {@code hiddenStates}. */
    public static byte[] responseRoot(Tensor hiddenStates) {
        return InferenceCommitments.embeddingRoot(pooledRoot(pool(hiddenStates, Parallelism.single())));
    }

    /** Bytes of the rows a pooling dispute carries: 4 · T · hidden; must be at most max_referee_bytes. */
    public static long evidenceBytes(int tokens, int hidden) {
        return 4L * tokens * hidden;
    }

    /** Row t of (T, hidden) as (1, hidden), the shape the final norm outputs. */
    static Tensor row(Tensor rows, int t) {
        int d = rows.dim(1);
        float[] data = new float[d];
        System.arraycopy(rows.data(), t * d, data, 0, d);
        return Tensor.of(new int[] {1, d}, data);
    }

    /**
     * The referee of a disputed pooling, once every row is proven: pools the rows single-threaded and compares the
     * response root it gives with the provider's and the challenger's.
     */
    static Verdict decide(Tensor rows, byte[] providerRoot, byte[] challengerRoot) {
        return Referee.judge(responseRoot(rows), providerRoot, challengerRoot);
    }
}
