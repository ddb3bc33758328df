package io.verigrid.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A lazy, symbolic operator graph (a tape): {@link #apply} appends an {@link OpSpec} without computing
 * anything, {@link #backward} appends the gradient operators, micrograd-style. The resulting op list is a
 * step's program; running it in order is the only place tensors are computed.
 */
final class Graph {
    /** A value in the graph: a state or data tensor, or the output of an operator. */
    record Node(InputRef ref, boolean requiresGrad) {
    }

    private final List<OpSpec> specs = new ArrayList<>();
    private final List<List<Node>> inputs = new ArrayList<>();
    private final Map<InputRef, Node> gradients = new HashMap<>();
    /** What a fine-tuning job freezes and adapts; null when every parameter trains and no module is adapted. */
    private final FineTuning tuning;

    Graph() {
        this(null);
    }

    Graph(FineTuning tuning) {
        this.tuning = tuning;
    }

    /**
     * A model weight of the state before the step. It takes a gradient unless the fine-tuning freezes it, so
     * backward emits no operator that only a frozen weight would need.
     */
    Node parameter(String name) {
        return new Node(InputRef.state(name), tuning == null || !tuning.frozen(name));
    }

    /**
     * A linear layer's output with the module's LoRA adapter added when the fine-tuning targets it
     * ({@link LoraAdapter#apply}); {@code output} unchanged otherwise.
     */
    Node adapted(String module, Node input, Node output) {
        return tuning != null && tuning.adapts(module) ? LoraAdapter.apply(this, module, input, output) : output;
    }

    /** A state tensor that takes no gradient (e.g. an optimizer buffer). */
    Node state(String name) {
        return new Node(InputRef.state(name), false);
    }

    Node data(String name) {
        return new Node(InputRef.data(name), false);
    }

    Node apply(String kind, long[] attrs, Node... args) {
        Ops.operator(kind);
        List<InputRef> refs = new ArrayList<>(args.length);
        boolean requiresGrad = false;
        for (Node arg : args) {
            refs.add(arg.ref());
            requiresGrad |= arg.requiresGrad();
        }
        specs.add(new OpSpec(kind, attrs, refs));
        inputs.add(List.of(args));
        return new Node(InputRef.op(specs.size() - 1), requiresGrad);
    }

    /**
     * Appends the backward pass of {@code loss}. Operators are visited in reverse program order, which is a
     * reverse topological order because an operator only reads earlier outputs. A value used twice has its
     * gradients summed with {@code add}, in the order the uses are visited.
     */
    void backward(Node loss) {
        if (loss.ref().source() != InputRef.Source.OP) {
            throw new IllegalStateException("backward must start from an operator output, not " + loss.ref());
        }
        int root = loss.ref().op();
        String rootKind = specs.get(root).kind();
        if (!Ops.operator(rootKind).isLoss()) {
            throw new IllegalStateException("backward must start from a loss operator, not " + rootKind);
        }
        for (int index = root; index >= 0; index--) {
            // Every consumer of op index has a larger index, so its gradient is complete by now.
            Node grad = gradients.get(InputRef.op(index));
            if (index != root && grad == null) {
                continue;
            }
            OpSpec spec = specs.get(index);
            List<Node> args = inputs.get(index);
            if (args.stream().noneMatch(Node::requiresGrad)) {
                continue;
            }
            List<Node> inputGrads = Ops.operator(spec.kind()).backward(this, spec.attrs(), args, grad);
            for (int i = 0; i < args.size(); i++) {
                if (args.get(i).requiresGrad() && inputGrads.get(i) != null) {
                    accumulate(args.get(i), inputGrads.get(i));
                }
            }
        }
    }

    private void accumulate(Node target, Node grad) {
        Node existing = gradients.get(target.ref());
        gradients.put(target.ref(), existing == null ? grad : apply("add", new long[0], existing, grad));
    }

    /** The gradient of {@code node} after {@link #backward}. */
    Node gradient(Node node) {
        Node grad = gradients.get(node.ref());
        if (grad == null) {
            throw new IllegalStateException("no gradient reached " + node.ref());
        }
        return grad;
    }

    List<OpSpec> specs() {
        return List.copyOf(specs);
    }

    /** Attribute list shorthand for graph builders. */
    static long[] attrs(long... values) {
        return values;
    }
}
