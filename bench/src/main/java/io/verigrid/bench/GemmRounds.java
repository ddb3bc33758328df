package io.verigrid.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GEMM timings taken in rounds that alternate Verigrid and PyTorch, so that both sides see the same drift of a
 * shared machine (readings here move by ±10 % within minutes); every figure is the median over the rounds. A
 * round without a PyTorch answer leaves PyTorch's side with the rounds that had one.
 */
final class GemmRounds {
    /** Per size, per round: {reused output, new output} seconds. */
    private final Map<Integer, List<double[]>> verigrid = new LinkedHashMap<>();
    private final Map<Integer, List<double[]>> torch = new LinkedHashMap<>();

    void addVerigrid(int size, double[] seconds) {
        verigrid.computeIfAbsent(size, s -> new ArrayList<>()).add(seconds.clone());
    }

    /** Takes one PyTorch round's GEMM figures; an outcome without a reference adds nothing. */
    void addTorch(TorchReference.Outcome outcome) {
        if (!outcome.available()) {
            return;
        }
        outcome.json().path("gemm").fields().forEachRemaining(entry -> {
            JsonNode figures = entry.getValue();
            if (figures.has("seconds") && figures.has("new_output_seconds")) {
                double[] seconds = {figures.get("seconds").asDouble(), figures.get("new_output_seconds").asDouble()};
                torch.computeIfAbsent(Integer.parseInt(entry.getKey()), s -> new ArrayList<>()).add(seconds);
            }
        });
    }

    /** Verigrid's median seconds per size, into one reused output ({@code newOutput} false) or a new one. */
    Map<String, Double> verigridSeconds(boolean newOutput) {
        Map<String, Double> medians = new LinkedHashMap<>();
        verigrid.forEach((size, rounds) -> medians.put(Integer.toString(size), median(rounds, newOutput ? 1 : 0)));
        return medians;
    }

    /**
     * {@code reference} with its {@code gemm} section replaced by the medians of the PyTorch rounds (the fields the
     * report reads); {@code reference} itself when there is no reference or no PyTorch round answered.
     */
    TorchReference.Outcome mergeInto(TorchReference.Outcome reference) {
        if (!reference.available() || torch.isEmpty()) {
            return reference;
        }
        ObjectNode merged = reference.json().deepCopy();
        ObjectNode gemm = JsonNodeFactory.instance.objectNode();
        torch.forEach((size, rounds) -> gemm.putObject(Integer.toString(size))
                .put("seconds", median(rounds, 0))
                .put("new_output_seconds", median(rounds, 1))
                .put("rounds", rounds.size()));
        merged.set("gemm", gemm);
        return new TorchReference.Outcome(merged, null);
    }

    private static double median(List<double[]> rounds, int field) {
        double[] values = new double[rounds.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = rounds.get(i)[field];
        }
        return Timing.median(values);
    }
}
