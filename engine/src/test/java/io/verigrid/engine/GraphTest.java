package io.verigrid.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class GraphTest {
    @Test
    void aValueUsedTwiceGetsItsGradientsSummedWithAdd() {
        // loss(w) = xent(x·w + x·w): the gradient of w is the sum of two identical matmul gradients.
        Graph graph = new Graph();
        Graph.Node x = graph.data("x");
        Graph.Node w = graph.parameter("w");
        Graph.Node twice = graph.apply("add", Graph.attrs(), graph.apply("matmul", Graph.attrs(0, 0), x, w),
                graph.apply("matmul", Graph.attrs(0, 0), x, w));
        graph.backward(graph.apply("softmax_xent", Graph.attrs(), twice, graph.data("y")));
        List<OpSpec> ops = graph.specs();
        OpSpec accumulated = ops.get(graph.gradient(w).ref().op());
        assertEquals("add", accumulated.kind());

        Tensor xv = Tensor.of(new int[] {2, 2}, new float[] {1, 2, -1, 0.5f});
        Tensor wv = Tensor.of(new int[] {2, 3}, new float[] {0.1f, -0.2f, 0.3f, 0.4f, 0f, -0.1f});
        Tensor yv = Tensor.of(new int[] {2}, new float[] {2, 0});
        Tensor[] out = new Tensor[ops.size()];
        for (int i = 0; i < ops.size(); i++) {
            List<Tensor> inputs = ops.get(i).inputs().stream().map(ref -> switch (ref.source()) {
                case STATE -> wv;
                case DATA -> ref.name().equals("x") ? xv : yv;
                case OP -> out[ref.op()];
            }).toList();
            out[i] = Ops.execute(ops.get(i).kind(), ops.get(i).attrs(), inputs, Parallelism.single());
        }
        Tensor gradient = out[graph.gradient(w).ref().op()];
        Tensor oneUse = out[accumulated.inputs().get(0).op()];
        for (int i = 0; i < gradient.size(); i++) {
            assertEquals(2 * oneUse.data()[i], gradient.data()[i], 1e-7f, "element " + i);
        }
    }

    @Test
    void dataTakesNoGradientAndTheLossMustBeTheRoot() {
        Graph graph = new Graph();
        Graph.Node x = graph.data("x");
        Graph.Node w = graph.parameter("w");
        Graph.Node logits = graph.apply("matmul", Graph.attrs(0, 0), x, w);
        graph.backward(graph.apply("softmax_xent", Graph.attrs(), logits, graph.data("y")));
        assertThrows(IllegalStateException.class, () -> graph.gradient(x));
        assertNotEquals(null, graph.gradient(w));

        Graph notALoss = new Graph();
        Graph.Node loss = notALoss.apply("softmax_xent", Graph.attrs(), notALoss.parameter("z"), notALoss.data("y"));
        Graph.Node doubled = notALoss.apply("add", Graph.attrs(), loss, loss);
        assertThrows(IllegalStateException.class, () -> notALoss.backward(doubled));
    }

    @Test
    void opSpecsCompareByContentIncludingTheirAttributes() {
        OpSpec a = new OpSpec("matmul", new long[] {0, 1}, List.of(InputRef.op(0), InputRef.state("w")));
        OpSpec b = new OpSpec("matmul", new long[] {0, 1}, List.of(InputRef.op(0), InputRef.state("w")));
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, new OpSpec("matmul", new long[] {1, 1}, a.inputs()));
        long[] attrs = a.attrs();
        attrs[0] = 7;
        assertEquals(0, a.attrs()[0]);
        assertTrue(a.toString().contains("matmul"));
    }

    @Test
    void inputRefsOfEachSourceAreValidated() {
        assertEquals(InputRef.Source.DATA, InputRef.data("x").source());
        assertEquals(3, InputRef.op(3).op());
        assertThrows(IllegalArgumentException.class, () -> InputRef.op(-1));
        assertThrows(IllegalArgumentException.class, () -> InputRef.state(""));
    }
}
