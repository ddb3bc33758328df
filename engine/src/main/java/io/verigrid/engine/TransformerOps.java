package io.verigrid.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * The operators language models need, registered in {@link Ops} after the version-1 MLP kinds, by
 * category: broadcast arithmetic, elementwise functions, reductions, softmax and loss, normalisation,
 * embedding and position, attention, regularisation, movement, optimizer.
 */
final class TransformerOps {
    private TransformerOps() {
    }

    static List<Operator> operators() {
        List<Operator> operators = new ArrayList<>(List.of(
                new BroadcastOps.Add(),
                new BroadcastOps.Sub(),
                new BroadcastOps.Mul(),
                new BroadcastOps.Div(),
                new BroadcastOps.DivBackwardRight(),
                new BroadcastOps.SumToLike()));
        for (UnaryOps.Function function : UnaryOps.Function.values()) {
            operators.add(new UnaryOps.Forward(function));
            operators.add(new UnaryOps.Backward(function));
        }
        operators.addAll(List.of(
                new AxisReductions.Forward(AxisReductions.Kind.SUM),
                new AxisReductions.Forward(AxisReductions.Kind.MEAN),
                new AxisReductions.Forward(AxisReductions.Kind.MAX),
                new AxisReductions.SumBackward(),
                new AxisReductions.MaxBackward(),
                new Softmax.Forward(false),
                new Softmax.Forward(true),
                new Softmax.Backward(false),
                new Softmax.Backward(true),
                new CrossEntropy(),
                new CrossEntropy.Backward(),
                new Norms.Forward(false),
                new Norms.Backward(false),
                new Norms.GradWeight(false),
                new Norms.Forward(true),
                new Norms.Backward(true),
                new Norms.GradWeight(true),
                new Embedding(),
                new Embedding.Backward(),
                new Rope(),
                new CausalAttention(),
                new CausalAttention.Backward(),
                new Dropout(),
                new MovementOps.Reshape(),
                new MovementOps.ReshapeLike(),
                new MovementOps.Permute(),
                new MovementOps.Slice(),
                new MovementOps.SliceBackward(),
                new MovementOps.Concat(),
                new MovementOps.ConcatBackward(),
                new MovementOps.CausalMask(),
                new AdamWOps.Moment(false),
                new AdamWOps.Moment(true),
                new AdamWOps.Apply(),
                new AdamWOps.SumSquares(),
                new AdamWOps.ClipCoefficient()));
        return operators;
    }
}
