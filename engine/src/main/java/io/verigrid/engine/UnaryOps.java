package io.verigrid.engine;

import java.util.List;

/**
 * Elementwise functions {@code exp}, {@code log}, {@code tanh}, {@code sigmoid}, {@code silu}, {@code gelu}
 * (the tanh approximation GPT-2 uses), {@code neg}, each with a {@code <kind>_backward} operator taking
 * [grad, x] and giving grad · f′(x).
 *
 * <p>Arithmetic: every value is computed in double from the float input with {@link StrictMath} (fdlibm,
 * specified bit for bit on every JVM) and plain double operations, then rounded to float once. So the
 * result is within one float ulp of the exact function and identical everywhere; no summation is involved.
 * GELU is written through the identity 0.5·(1 + tanh u) = sigmoid(2u): x·sigmoid(2u), with u = √(2/π)·(x +
 * 0.044715·x³). The tanh form cancels for negative x (1 + tanh u is many ulps off near −7 and rounds to 0 below
 * −7.2, where the exact GELU is a normal float down to −10.2) and needs fdlibm's tanh, one scalar call per element;
 * the sigmoid form needs only exp. exp, sigmoid, silu and gelu run in double lanes ({@link VectorExp}: fdlibm's
 * exp, the same bits) when they can.
 */
final class UnaryOps {
    static final double GELU_C = StrictMath.sqrt(2.0 / StrictMath.PI);
    static final double GELU_K = 0.044715;
    /** exp, sigmoid and silu in double lanes ({@link VectorExp}, the same bits) when the Vector API is loaded. */
    private static final boolean LANES = Matmul.VECTOR_API && VectorExp.ENABLED;

    private UnaryOps() {
    }

    /** A function and its derivative, both in double. */
    enum Function {
        EXP("exp") {
            double value(double x) {
                return StrictMath.exp(x);
            }

            double derivative(double x) {
                return StrictMath.exp(x);
            }
        },
        LOG("log") {
            double value(double x) {
                return StrictMath.log(x);
            }

            double derivative(double x) {
                return 1.0 / x;
            }
        },
        TANH("tanh") {
            double value(double x) {
                return StrictMath.tanh(x);
            }

            double derivative(double x) {
                double t = StrictMath.tanh(x);
                return 1.0 - t * t;
            }
        },
        SIGMOID("sigmoid") {
            double value(double x) {
                return sigmoid(x);
            }

            double derivative(double x) {
                double s = sigmoid(x);
                return s * (1.0 - s);
            }
        },
        SILU("silu") {
            double value(double x) {
                return x * sigmoid(x);
            }

            double derivative(double x) {
                double s = sigmoid(x);
                return s + x * s * (1.0 - s);
            }
        },
        GELU("gelu") {
            double value(double x) {
                return x * sigmoid(2.0 * geluInner(x));
            }

            double derivative(double x) {
                double s = sigmoid(2.0 * geluInner(x));
                return s + 2.0 * x * s * (1.0 - s) * geluInnerSlope(x);
            }
        },
        NEG("neg") {
            double value(double x) {
                return -x;
            }

            double derivative(double x) {
                return -1.0;
            }
        };

        final String kind;

        Function(String kind) {
            this.kind = kind;
        }

        abstract double value(double x);

        abstract double derivative(double x);

        private static double sigmoid(double x) {
            return 1.0 / (1.0 + StrictMath.exp(-x));
        }

        /** GELU's tanh argument u = √(2/π)·(x + 0.044715·x³). */
        static double geluInner(double x) {
            return GELU_C * (x + GELU_K * x * x * x);
        }

        /** du/dx = √(2/π)·(1 + 3·0.044715·x²). */
        static double geluInnerSlope(double x) {
            return GELU_C * (1.0 + 3.0 * GELU_K * x * x);
        }
    }

    /** The forward operator of one function. */
    static final class Forward extends BaseOperator {
        private final Function function;

        Forward(Function function) {
            super(function.kind, 1, 0);
            this.function = function;
        }

        @Override
        public Tensor forward(long[] attrs, List<Tensor> inputs, Parallelism par) {
            float[] x = inputs.get(0).data();
            if (function == Function.LOG) {
                for (int i = 0; i < x.length; i++) {
                    if (!(x[i] > 0f)) {
                        throw bad(0, "element " + i + " must be > 0 for log, got " + x[i]);
                    }
                }
            }
            float[] out = new float[x.length];
            par.forRange(out.length, 8L * out.length, (from, to) -> {
                int i = LANES && VectorExp.covers(function) ? VectorExp.unary(function, null, x, out, from, to) : from;
                for (; i < to; i++) {
                    out[i] = (float) function.value(x[i]);
                }
            });
            return Tensor.wrap(inputs.get(0).shape(), out);
        }

        @Override
        public List<Graph.Node> backward(Graph graph, long[] attrs, List<Graph.Node> inputs, Graph.Node grad) {
            return List.of(graph.apply(kind() + "_backward", Graph.attrs(), grad, inputs.get(0)));
        }
    }

    /** {@code <kind>_backward}, inputs [grad, x] of one shape: (float) (grad · f′(x)) in double. */
    static final class Backward extends BaseOperator {
        private final Function function;

        Backward(Function function) {
            super(function.kind + "_backward", 2, 0);
            this.function = function;
        }

        @Override
        public Tensor forward(long[] attrs, List<Tensor> inputs, Parallelism par) {
            Tensor grad = inputs.get(0);
            Tensor x = inputs.get(1);
            if (!java.util.Arrays.equals(grad.shape(), x.shape())) {
                throw bad(1, "has shape " + java.util.Arrays.toString(x.shape()) + " but input 0 has shape "
                        + java.util.Arrays.toString(grad.shape()));
            }
            float[] g = grad.data();
            float[] xv = x.data();
            float[] out = new float[g.length];
            par.forRange(out.length, 8L * out.length, (from, to) -> {
                int i = LANES && VectorExp.covers(function) ? VectorExp.unary(function, g, xv, out, from, to) : from;
                for (; i < to; i++) {
                    out[i] = (float) (g[i] * function.derivative(xv[i]));
                }
            });
            return Tensor.wrap(grad.shape(), out);
        }
    }
}
