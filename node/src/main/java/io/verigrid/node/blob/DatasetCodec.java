package io.verigrid.node.blob;

import io.verigrid.engine.Dataset;
import io.verigrid.engine.io.Safetensors;
import java.util.Map;
import java.util.TreeMap;

/**
 * A job's dataset as blob bytes: canonical safetensors of its named tensors (little-endian float32, names sorted),
 * tagged as a dataset so a checkpoint is never mistaken for one. Two parties holding the same tensors hold the same
 * bytes, hence the same blob id.
 */
public final class DatasetCodec {
    private static final Map<String, String> METADATA = Map.of("verigrid.kind", "dataset");

    private DatasetCodec() {}

    public static byte[] encode(Dataset dataset) {
        return Safetensors.encode(new TreeMap<>(dataset.tensors()), METADATA);
    }

    /** The dataset in {@code bytes}; {@link IllegalArgumentException} when they are not a Verigrid dataset. */
    public static Dataset decode(byte[] bytes) {
        Safetensors.Contents contents = Safetensors.decode(bytes);
        if (!"dataset".equals(contents.metadata().get("verigrid.kind"))) {
            throw new IllegalArgumentException("bytes are not a Verigrid dataset (metadata verigrid.kind = "
                    + contents.metadata().get("verigrid.kind") + ")");
        }
        return new Dataset(contents.tensors());
    }
}
