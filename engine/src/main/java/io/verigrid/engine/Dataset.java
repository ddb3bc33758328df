package io.verigrid.engine;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/** The named tensors a job trains on (for an MLP job: {@code x} samples × features, {@code y} class ids). */
public record Dataset(SortedMap<String, Tensor> tensors) {
    public Dataset {
        if (tensors == null) {
            throw new IllegalArgumentException("tensors must not be null");
        }
        tensors.forEach((name, tensor) -> {
            if (name == null || name.isEmpty() || tensor == null) {
                throw new IllegalArgumentException("dataset entries need a name and a tensor, got " + name);
            }
        });
        tensors = Collections.unmodifiableSortedMap(new TreeMap<>(tensors));
    }

    public Tensor tensor(String name) {
        Tensor tensor = tensors.get(name);
        if (tensor == null) {
            throw new IllegalArgumentException("dataset has no tensor named " + name + "; it has " + tensors.keySet());
        }
        return tensor;
    }
}
