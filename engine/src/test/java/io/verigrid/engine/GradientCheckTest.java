package io.verigrid.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The engine's backward pass against finite differences of an independent double-precision
 * re-implementation of the MLP loss, on the batch of one step.
 */
class GradientCheckTest {
    private static final MlpJob JOB = new MlpJob(3, 5, 7, 3, 40, 8, 0.05f, 0.9f, 20, 10);
    private static final long STEP = 6;

    @Test
    void theEngineGradientsMatchFiniteDifferencesOfTheLossInDouble() {
        Dataset data = JOB.dataset();
        ModelState state = MlpTrainer.run(JOB, data, JOB.initialState(), STEP - 1, Parallelism.single(), null);
        StepTrace trace = MlpTrainer.step(JOB, data, state, Parallelism.single(), null).trace();

        Map<String, double[]> params = new HashMap<>();
        for (String name : List.of("w1", "b1", "w2", "b2")) {
            params.put(name, toDouble(state.tensor(name).data()));
        }
        int start = (int) (((STEP - 1) * JOB.batch()) % JOB.samples());
        DoubleMlp reference = new DoubleMlp(data, start);

        for (String name : params.keySet()) {
            float[] engine = engineGradient(trace, name);
            double[] values = params.get(name);
            for (int i = 0; i < values.length; i++) {
                double saved = values[i];
                double h = 1e-6;
                values[i] = saved + h;
                double up = reference.loss(params);
                values[i] = saved - h;
                double down = reference.loss(params);
                values[i] = saved;
                double numeric = (up - down) / (2 * h);
                double error = Math.abs(engine[i] - numeric);
                assertTrue(error <= 1e-5 + 1e-3 * Math.abs(numeric),
                        name + "[" + i + "]: engine " + engine[i] + " vs finite difference " + numeric);
            }
        }
    }

    /** The gradient the optimizer consumed for {@code param}: the second input of momentum_update(v_param, g). */
    private static float[] engineGradient(StepTrace trace, String param) {
        for (OpRecord record : trace.ops()) {
            List<InputRef> inputs = record.spec().inputs();
            if (record.spec().kind().equals("momentum_update") && inputs.get(0).equals(InputRef.state("v_" + param))) {
                return trace.ops().get(inputs.get(1).op()).output().data();
            }
        }
        throw new AssertionError("no momentum_update for " + param);
    }

    private static double[] toDouble(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    /** relu(x·w1 + b1)·w2 + b2 → mean softmax cross-entropy, all in double, written independently of Ops. */
    private record DoubleMlp(Dataset data, int start) {
        double loss(Map<String, double[]> p) {
            int n = JOB.batch();
            int in = JOB.inputDim();
            int hid = JOB.hidden();
            int c = JOB.classes();
            float[] x = data.tensor("x").data();
            float[] y = data.tensor("y").data();
            double total = 0;
            for (int r = 0; r < n; r++) {
                int row = (start + r) % JOB.samples();
                double[] h = new double[hid];
                for (int j = 0; j < hid; j++) {
                    double sum = p.get("b1")[j];
                    for (int k = 0; k < in; k++) {
                        sum += x[row * in + k] * p.get("w1")[k * hid + j];
                    }
                    h[j] = Math.max(0, sum);
                }
                double[] logits = new double[c];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < c; j++) {
                    double sum = p.get("b2")[j];
                    for (int k = 0; k < hid; k++) {
                        sum += h[k] * p.get("w2")[k * c + j];
                    }
                    logits[j] = sum;
                    max = Math.max(max, sum);
                }
                double denominator = 0;
                for (double logit : logits) {
                    denominator += StrictMath.exp(logit - max);
                }
                total += StrictMath.log(denominator) - (logits[(int) y[row]] - max);
            }
            return total / n;
        }
    }
}
