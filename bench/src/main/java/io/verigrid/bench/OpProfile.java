package io.verigrid.bench;

import io.verigrid.engine.Dataset;
import io.verigrid.engine.InputRef;
import io.verigrid.engine.LmJob;
import io.verigrid.engine.LmTrainer;
import io.verigrid.engine.ModelState;
import io.verigrid.engine.OpRecord;
import io.verigrid.engine.Ops;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a training step's time goes: replays every operator of one recorded step through {@link Ops#execute}
 * with the inputs the step gave it, timing each, and reports the median per operator kind over several rounds.
 * The replay runs the same calls the step runs, one after another, so the kinds' times add up to about a step.
 */
final class OpProfile {
    private OpProfile() {
    }

    /** Milliseconds per operator kind (median over {@code rounds}), largest first. */
    static Map<String, Double> trainStep(LmJob job, Dataset data, ModelState start, Parallelism par, int rounds) {
        List<OpRecord> ops = LmTrainer.step(job, data, start, par, null).trace().ops();
        Map<String, List<Double>> samples = new LinkedHashMap<>();
        for (int round = 0; round < rounds; round++) {
            Map<String, Double> total = new LinkedHashMap<>();
            for (OpRecord op : ops) {
                List<Tensor> inputs = new ArrayList<>();
                for (InputRef ref : op.spec().inputs()) {
                    inputs.add(switch (ref.source()) {
                        case STATE -> start.tensor(ref.name());
                        case DATA -> data.tensor(ref.name());
                        case OP -> ops.get(ref.op()).output();
                    });
                }
                long began = System.nanoTime();
                Ops.execute(op.spec().kind(), op.spec().attrs(), inputs, par);
                total.merge(op.spec().kind(), (System.nanoTime() - began) / 1e6, Double::sum);
            }
            total.forEach((kind, ms) -> samples.computeIfAbsent(kind, k -> new ArrayList<>()).add(ms));
        }
        Map<String, Double> medians = new LinkedHashMap<>();
        samples.entrySet().stream()
                .map(entry -> Map.entry(entry.getKey(), median(entry.getValue())))
                .sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
                .forEach(entry -> medians.put(entry.getKey(), entry.getValue()));
        return medians;
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
