package io.verigrid.engine;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * LoRA adapters as ordinary operators. For a targeted linear {@code y = linear(x)} the step program computes
 * <pre>
 *   low = matmul(x, A, transB)          // (rows, r)     A = &lt;module&gt;.lora_A.weight  (r, in)
 *   up  = matmul(low, B, transB)        // (rows, out)   B = &lt;module&gt;.lora_B.weight  (out, r)
 *   y'  = add(y, bcast_mul(up, lora.scaling))            lora.scaling = alpha / r, a frozen state scalar
 * </pre>
 * so the dispute game bisects to any of them and the referee re-executes it like any other operator; the
 * scaling is a state tensor rather than a new operator kind so the operator set stays as it is.
 */
public final class LoraAdapter {
    /** The state scalar holding alpha / r. */
    public static final String SCALING = "lora.scaling";
    private static final String A = ".lora_A.weight";
    private static final String B = ".lora_B.weight";

    private LoraAdapter() {
    }

    /** The down-projection's state name, PEFT-style: {@code <module>.lora_A.weight}, shape (r, in). */
    public static String a(String module) {
        return module + A;
    }

    /** The up-projection's state name: {@code <module>.lora_B.weight}, shape (out, r). */
    public static String b(String module) {
        return module + B;
    }

    static boolean isAdapterTensor(String name) {
        return name.endsWith(A) || name.endsWith(B);
    }

    /** The targeted modules of {@code model}, in name order. */
    static SortedMap<String, LanguageModel.Linear> targets(LanguageModel model, FineTuning.Lora lora) {
        SortedMap<String, LanguageModel.Linear> targets = new TreeMap<>();
        for (Map.Entry<String, LanguageModel.Linear> entry : model.linearModules().entrySet()) {
            if (lora.adapts(entry.getKey())) {
                targets.put(entry.getKey(), entry.getValue());
            }
        }
        return targets;
    }

    /** Every adapter tensor's name and shape, in name order. */
    static SortedMap<String, int[]> shapes(LanguageModel model, FineTuning.Lora lora) {
        SortedMap<String, int[]> shapes = new TreeMap<>();
        targets(model, lora).forEach((module, linear) -> {
            shapes.put(a(module), new int[] {lora.rank(), linear.in()});
            shapes.put(b(module), new int[] {linear.out(), lora.rank()});
        });
        return shapes;
    }

    /**
     * Fresh adapters: A uniform(−1/√in, 1/√in) from the counter RNG keyed by (seed, tensor name, index), the
     * bound PEFT's Kaiming-uniform default gives; B zero, so the adapted model starts equal to the base.
     */
    static SortedMap<String, Tensor> initial(LanguageModel model, FineTuning.Lora lora, long seed) {
        SortedMap<String, Tensor> tensors = new TreeMap<>();
        targets(model, lora).forEach((module, linear) -> {
            float bound = (float) (1.0 / StrictMath.sqrt(linear.in()));
            tensors.put(a(module), LanguageModel.Init.uniform(seed, a(module), bound, lora.rank(), linear.in()));
            tensors.put(b(module), Tensor.zeros(linear.out(), lora.rank()));
        });
        return tensors;
    }

    /** Appends the adapter of {@code module} to linear output {@code output} of {@code input}. */
    static Graph.Node apply(Graph g, String module, Graph.Node input, Graph.Node output) {
        Graph.Node low = g.apply("matmul", Graph.attrs(0, 1), input, g.parameter(a(module)));
        Graph.Node up = g.apply("matmul", Graph.attrs(0, 1), low, g.parameter(b(module)));
        return g.apply("add", Graph.attrs(), output, g.apply("bcast_mul", Graph.attrs(), up, g.state(SCALING)));
    }

    /**
     * Base weights with the adapters folded in for serving: W + scaling·(B·A) per target, (B·A)ᵀ for weights
     * stored (in, out). Each product is one {@code matmul} (in-order FMA over r), then one {@code bcast_mul} and one
     * {@code add}, so the merged bits are the same on every machine and thread count. {@code adapter} holds
     * state names ({@link #a}, {@link #b}).
     */
    static SortedMap<String, Tensor> merge(LanguageModel model, FineTuning.Lora lora, SortedMap<String, Tensor> base,
            SortedMap<String, Tensor> adapter, Parallelism par) {
        model.checkWeights(base);
        SortedMap<String, int[]> shapes = shapes(model, lora);
        if (!shapes.keySet().equals(adapter.keySet())) {
            throw new IllegalArgumentException("the adapter has tensors " + adapter.keySet() + ", the job's targets need "
                    + shapes.keySet());
        }
        shapes.forEach((name, shape) -> {
            if (!java.util.Arrays.equals(shape, adapter.get(name).shape())) {
                throw new IllegalArgumentException("adapter tensor " + name + " has shape "
                        + java.util.Arrays.toString(adapter.get(name).shape()) + ", expected "
                        + java.util.Arrays.toString(shape));
            }
        });
        Tensor scaling = Tensor.of(new int[] {1}, new float[] {lora.scaling()});
        SortedMap<String, Tensor> merged = new TreeMap<>(base);
        targets(model, lora).forEach((module, linear) -> {
            Tensor a = adapter.get(a(module));
            Tensor b = adapter.get(b(module));
            // (B·A)[o][i] and (Aᵀ·Bᵀ)[i][o] run the same products in the same order of r: equal bits either way.
            Tensor delta = linear.inOut()
                    ? Ops.execute("matmul", Graph.attrs(1, 1), List.of(a, b), par)
                    : Ops.execute("matmul", Graph.attrs(0, 0), List.of(b, a), par);
            Tensor scaled = Ops.execute("bcast_mul", Graph.attrs(), List.of(delta, scaling), par);
            String weight = module + ".weight";
            merged.put(weight, Ops.execute("add", Graph.attrs(), List.of(base.get(weight), scaled), par));
        });
        return merged;
    }
}
