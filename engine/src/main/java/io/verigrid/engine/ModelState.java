package io.verigrid.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An immutable model state: named tensors (parameters and optimizer buffers) in name order, plus the number
 * of completed training steps.
 */
public final class ModelState {
    private final SortedMap<String, Tensor> tensors;
    private final long step;

    public ModelState(SortedMap<String, Tensor> tensors, long step) {
        if (tensors == null) {
            throw new IllegalArgumentException("tensors must not be null");
        }
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
        TreeMap<String, Tensor> copy = new TreeMap<>();
        for (Map.Entry<String, Tensor> entry : tensors.entrySet()) {
            checkName(entry.getKey());
            if (entry.getValue() == null) {
                throw new IllegalArgumentException("tensor " + entry.getKey() + " must not be null");
            }
            copy.put(entry.getKey(), entry.getValue());
        }
        this.tensors = Collections.unmodifiableSortedMap(copy);
        this.step = step;
    }

    private static void checkName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("tensor name must not be empty");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > 0xFFFF) {
            throw new IllegalArgumentException("tensor name longer than 65535 UTF-8 bytes: " + name.substring(0, 32));
        }
    }

    /** The tensors in name order; unmodifiable. */
    public SortedMap<String, Tensor> tensors() {
        return tensors;
    }

    public Tensor tensor(String name) {
        Tensor tensor = tensors.get(name);
        if (tensor == null) {
            throw new IllegalArgumentException("model state has no tensor named " + name + "; it has "
                    + tensors.keySet());
        }
        return tensor;
    }

    /** Completed training steps. */
    public long step() {
        return step;
    }

    /** This state with tensor {@code name} added or replaced. */
    public ModelState with(String name, Tensor tensor) {
        TreeMap<String, Tensor> next = new TreeMap<>(tensors);
        next.put(name, tensor);
        return new ModelState(next, step);
    }

    public ModelState withStep(long newStep) {
        return new ModelState(tensors, newStep);
    }

    /**
     * A quick SHA-256 fingerprint for determinism gates: for each tensor in name order, the name (u16 length
     * + UTF-8), rank (u32), dims (u32 each) and canonical bytes; then the step (i64). All little-endian.
     * The protocol's Merkle state root is computed in {@code verify}, not here.
     */
    public byte[] digest() {
        MessageDigest sha256 = sha256();
        for (Map.Entry<String, Tensor> entry : tensors.entrySet()) {
            byte[] name = entry.getKey().getBytes(StandardCharsets.UTF_8);
            Tensor tensor = entry.getValue();
            ByteBuffer header = ByteBuffer.allocate(2 + name.length + 4 + 4 * tensor.rank())
                    .order(ByteOrder.LITTLE_ENDIAN);
            header.putShort((short) name.length).put(name).putInt(tensor.rank());
            for (int axis = 0; axis < tensor.rank(); axis++) {
                header.putInt(tensor.dim(axis));
            }
            sha256.update(header.array());
            sha256.update(tensor.toBytes());
        }
        sha256.update(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(step).array());
        return sha256.digest();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK provides SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "ModelState(step " + step + ", " + tensors.keySet() + ")";
    }
}
