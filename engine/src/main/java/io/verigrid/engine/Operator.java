package io.verigrid.engine;

import java.util.List;

/**
 * One operator kind: its forward arithmetic and, right beside it, its backward rule. {@link Ops} checks
 * arity, attribute count and finiteness before calling {@link #forward}; each implementation checks
 * shapes and attribute values and documents its canonical summation order.
 */
interface Operator {
    String kind();

    int inputCount();

    int attrCount();

    Tensor forward(long[] attrs, List<Tensor> inputs, Parallelism par);

    /** True for a scalar loss, the only kind of operator a backward pass may start from. */
    default boolean isLoss() {
        return false;
    }

    /**
     * Appends to {@code graph} the operators computing the gradient of each input from {@code grad}, the
     * gradient of this operator's output ({@code null} when this operator is the loss, whose upstream
     * gradient is 1). Returns one node per input, {@code null} where the input needs no gradient.
     */
    default List<Graph.Node> backward(Graph graph, long[] attrs, List<Graph.Node> inputs, Graph.Node grad) {
        throw new IllegalStateException(kind() + " has no backward rule");
    }
}
