package io.verigrid.engine;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * The operator set: THE one code path that computes an operator, used in training and by the ledger's
 * referee. Every operator is bit-exact on every JVM, CPU and thread count; its canonical summation order
 * is documented next to its code. Float attributes travel as {@link Float#floatToRawIntBits} in a long.
 *
 * <p>Kinds (protocol names): movement {@code slice_rows}; linear algebra {@code matmul}; elementwise
 * {@code add}, {@code add_bias}, {@code relu}, {@code relu_backward}; reductions {@code sum_rows};
 * loss {@code softmax_xent}, {@code softmax_xent_backward}; optimizer {@code momentum_update},
 * {@code sgd_apply}; then the language-model kinds of {@link TransformerOps}.
 */
public final class Ops {
    private static final Map<String, Operator> OPERATORS = register(
            new SliceRows(),
            new Matmul(),
            new ElementwiseOps.Add(),
            new ElementwiseOps.AddBias(),
            new ElementwiseOps.Relu(),
            new ElementwiseOps.ReluBackward(),
            new SumRows(),
            new SoftmaxXent(),
            new SoftmaxXent.Backward(),
            new ElementwiseOps.MomentumUpdate(),
            new ElementwiseOps.SgdApply());

    private Ops() {
    }

    private static Map<String, Operator> register(Operator... operators) {
        Map<String, Operator> byKind = new LinkedHashMap<>();
        for (Operator operator : operators) {
            byKind.put(operator.kind(), operator);
        }
        TransformerOps.operators().forEach(operator -> byKind.put(operator.kind(), operator));
        return Collections.unmodifiableMap(byKind);
    }

    /** The operator kinds of {@link OpSet#VERSION}, in category order. */
    public static Set<String> kinds() {
        return OPERATORS.keySet();
    }

    /**
     * Computes one operator. Throws {@link IllegalArgumentException} naming the kind (and the input index
     * where one is at fault) for an unknown kind, a wrong input or attribute count, a shape mismatch, a
     * non-finite input or an invalid attribute.
     */
    public static Tensor execute(String kind, long[] attrs, List<Tensor> inputs, Parallelism par) {
        Operator operator = operator(kind);
        if (attrs == null || attrs.length != operator.attrCount()) {
            throw new IllegalArgumentException(kind + ": expected " + operator.attrCount() + " attrs, got "
                    + (attrs == null ? "null" : attrs.length));
        }
        if (inputs == null || inputs.size() != operator.inputCount()) {
            throw new IllegalArgumentException(kind + ": expected " + operator.inputCount() + " inputs, got "
                    + (inputs == null ? "null" : inputs.size()));
        }
        if (par == null) {
            throw new IllegalArgumentException(kind + ": parallelism must not be null");
        }
        for (int i = 0; i < inputs.size(); i++) {
            checkFinite(kind, i, inputs.get(i), par);
        }
        return operator.forward(attrs.clone(), inputs, par);
    }

    /**
     * {@code matmul} of a (m×k) and b (k×n) written into {@code out} (m·n floats, every one overwritten), the way
     * BLAS's sgemm writes into a caller's C: the same kernel and bits as {@code execute("matmul", {0, 0}, …)}
     * without a new output array, so a loop that reuses one buffer does not pay for the JVM zeroing fresh memory.
     */
    public static void matmulInto(Tensor a, Tensor b, float[] out, Parallelism par) {
        if (par == null) {
            throw new IllegalArgumentException("matmul: parallelism must not be null");
        }
        checkFinite("matmul", 0, a, par);
        checkFinite("matmul", 1, b, par);
        int[] mkn = Matmul.dims(a, false, b, false);
        long size = (long) mkn[0] * mkn[2];
        if (out == null || out.length != size) {
            throw new IllegalArgumentException("matmul: the output must hold " + mkn[0] + "×" + mkn[2] + " = " + size
                    + " floats, got " + (out == null ? "null" : out.length));
        }
        if (out == a.data() || out == b.data()) {
            throw new IllegalArgumentException(
                    "matmul: the output must not be an input's array (tensors are immutable)");
        }
        Matmul.multiplyInto(a.data(), false, b.data(), false, out, mkn[0], mkn[1], mkn[2], par);
    }

    static Operator operator(String kind) {
        Operator operator = kind == null ? null : OPERATORS.get(kind);
        if (operator == null) {
            throw new IllegalArgumentException("unknown operator kind " + kind + "; known kinds: " + kinds());
        }
        return operator;
    }

    /**
     * Tensors already scanned and found finite. The rule: every tensor is scanned the first time it reaches
     * {@link #execute}, whoever made it (a job's data, loaded weights, an operator's output), and never again —
     * tensors are immutable, so the answer cannot change. Weights a decoder or trainer passes to thousands of
     * operators are thus scanned once, not once per product. Weak keys by identity ({@link Tensor} does not
     * override equals): a tensor nobody holds is forgotten.
     */
    private static final Map<Tensor, Boolean> KNOWN_FINITE = Collections.synchronizedMap(new WeakHashMap<>());
    /** Tensors smaller than this are rescanned instead of remembered: the scan costs less than the lookup. */
    private static final int REMEMBER_FROM = 4096;

    /** Tensors at least this long are scanned by all threads (a step's gradients and optimizer states). */
    private static final int SPLIT_SCAN_FROM = 1 << 18;

    private static void checkFinite(String kind, int input, Tensor tensor, Parallelism par) {
        if (tensor == null) {
            throw bad(kind, input, "is null");
        }
        float[] data = tensor.data();
        boolean remember = data.length >= REMEMBER_FROM;
        if (remember && KNOWN_FINITE.containsKey(tensor)) {
            return;
        }
        if (!allFinite(data, par)) {
            for (int i = 0; i < data.length; i++) {
                if (!Float.isFinite(data[i])) {
                    throw bad(kind, input, "element " + i + " is not finite: " + data[i]);
                }
            }
        }
        if (remember) {
            KNOWN_FINITE.put(tensor, Boolean.TRUE);
        }
    }

    /**
     * Branch-free scan C2 vectorises: an exponent of all ones (infinity or NaN) plus one exponent step carries
     * into the sign bit, and the OR of every element's result has the sign bit set iff one of them did.
     */
    static boolean allFinite(float[] data) {
        return allFinite(data, 0, data.length);
    }

    /** {@link #allFinite(float[])} over [from, to): in lanes when the Vector API is loaded (C2 does not vectorise the OR). */
    static boolean allFinite(float[] data, int from, int to) {
        int i = from;
        int carry = 0;
        if (Matmul.VECTOR_API && to - from >= 64) {
            i = from + VectorLoops.wholeVectors(to - from);
            carry = VectorLoops.finiteCarry(data, from, i);
        }
        for (; i < to; i++) {
            carry |= (Float.floatToRawIntBits(data[i]) & 0x7f800000) + 0x00800000;
        }
        return carry >= 0;
    }

    /** {@link #allFinite(float[])}, long arrays split between the threads (the answer is the same). */
    static boolean allFinite(float[] data, Parallelism par) {
        if (data.length < SPLIT_SCAN_FROM || par.threads() == 1) {
            return allFinite(data);
        }
        java.util.concurrent.atomic.AtomicBoolean finite = new java.util.concurrent.atomic.AtomicBoolean(true);
        par.forRange(data.length, (from, to) -> {
            if (!allFinite(data, from, to)) {
                finite.set(false);
            }
        });
        return finite.get();
    }

    /** The error for a bad input: names the operator kind and the input index. */
    static IllegalArgumentException bad(String kind, int input, String problem) {
        return new IllegalArgumentException(kind + ": input " + input + " " + problem);
    }

    /** Requires {@code tensor} to have the given rank. */
    static void requireRank(String kind, int input, Tensor tensor, int rank) {
        if (tensor.rank() != rank) {
            throw bad(kind, input, "must have rank " + rank + ", got shape " + Arrays.toString(tensor.shape()));
        }
    }

    /** Decodes a float attribute carried as raw int bits; it must be a finite float. */
    static float floatAttr(String kind, long[] attrs, int index) {
        long bits = attrs[index];
        if (bits != (int) bits || !Float.isFinite(Float.intBitsToFloat((int) bits))) {
            throw new IllegalArgumentException(kind + ": attr " + index + " must be the raw bits of a finite float, got "
                    + bits);
        }
        return Float.intBitsToFloat((int) bits);
    }

    /** Decodes a 0/1 flag attribute. */
    static boolean flagAttr(String kind, long[] attrs, int index) {
        if (attrs[index] != 0 && attrs[index] != 1) {
            throw new IllegalArgumentException(kind + ": attr " + index + " must be 0 or 1, got " + attrs[index]);
        }
        return attrs[index] == 1;
    }
}
