package io.verigrid.engine.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.verigrid.engine.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Writes float32 tensors in the safetensors format, and reads whole images from memory.
 *
 * <p>Verigrid's files are canonical: the header is compact JSON with {@code __metadata__} first (only when
 * there is metadata, keys sorted), then the tensors in name order, each {@code {"dtype":"F32","shape":[…],
 * "data_offsets":[begin,end]}}, packed back to back; the header is padded with spaces to a multiple of 8
 * bytes so every tensor starts 8-byte aligned. The same tensors and metadata therefore always give the same
 * bytes. To read a file, use {@link SafetensorsFile#open(Path)}, which maps it instead of loading it.
 */
public final class Safetensors {
    private static final JsonFactory JSON = new JsonFactory();

    private Safetensors() {
    }

    /** What {@link #decode(byte[])} found: tensors and metadata, both sorted by name. */
    public record Contents(SortedMap<String, Tensor> tensors, SortedMap<String, String> metadata) {
    }

    /** The canonical safetensors image of {@code tensors} with {@code metadata} (may be empty, not null). */
    public static byte[] encode(SortedMap<String, Tensor> tensors, Map<String, String> metadata) {
        byte[] header = header(tensors, metadata);
        long total = Long.BYTES + header.length + dataLength(tensors);
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensors need " + total
                    + " bytes, too many for an in-memory image; write them to a file instead");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) total);
        try {
            writeTo(out, header, tensors);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Reads a whole in-memory safetensors image, validating it as {@link SafetensorsFile} does. */
    public static Contents decode(byte[] bytes) {
        SafetensorsFile file = SafetensorsFile.of(bytes, "safetensors bytes");
        return new Contents(file.loadAll(), file.metadata());
    }

    /**
     * Writes the canonical image to {@code path}: first to a sibling temporary file, then moved into place,
     * so {@code path} never holds a partial file.
     */
    public static void write(Path path, SortedMap<String, Tensor> tensors, Map<String, String> metadata) {
        if (path == null) {
            throw new IllegalArgumentException("path must not be null");
        }
        byte[] header = header(tensors, metadata);
        Path temporary = path.resolveSibling(path.getFileName() + ".partial");
        try {
            try (OutputStream out = Files.newOutputStream(temporary)) {
                writeTo(out, header, tensors);
            }
            try {
                Files.move(temporary, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, path, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": cannot write safetensors file", e);
        } finally {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException ignored) {
                // The write itself already succeeded or reported its own failure.
            }
        }
    }

    private static void writeTo(OutputStream out, byte[] header, SortedMap<String, Tensor> tensors)
            throws IOException {
        out.write(ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
        out.write(header);
        for (Tensor tensor : tensors.values()) {
            out.write(tensor.toBytes());
        }
    }

    private static long dataLength(SortedMap<String, Tensor> tensors) {
        long length = 0;
        for (Tensor tensor : tensors.values()) {
            length += (long) tensor.size() * Float.BYTES;
        }
        return length;
    }

    /** The header JSON, padded with spaces to a multiple of 8 bytes. */
    static byte[] header(SortedMap<String, Tensor> tensors, Map<String, String> metadata) {
        checkArguments(tensors, metadata);
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        try (JsonGenerator out = JSON.createGenerator(json)) {
            out.writeStartObject();
            if (!metadata.isEmpty()) {
                out.writeObjectFieldStart(SafetensorsHeader.METADATA_KEY);
                for (Map.Entry<String, String> entry : new TreeMap<>(metadata).entrySet()) {
                    out.writeStringField(entry.getKey(), entry.getValue());
                }
                out.writeEndObject();
            }
            long offset = 0;
            for (Map.Entry<String, Tensor> entry : tensors.entrySet()) {
                Tensor tensor = entry.getValue();
                long end = offset + (long) tensor.size() * Float.BYTES;
                out.writeObjectFieldStart(entry.getKey());
                out.writeStringField("dtype", Dtype.F32.name());
                out.writeFieldName("shape");
                int[] shape = tensor.shape();
                out.writeArray(shape, 0, shape.length);
                out.writeFieldName("data_offsets");
                out.writeArray(new long[] {offset, end}, 0, 2);
                out.writeEndObject();
                offset = end;
            }
            out.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] unpadded = json.toByteArray();
        byte[] padded = Arrays.copyOf(unpadded, (unpadded.length + 7) / 8 * 8);
        Arrays.fill(padded, unpadded.length, padded.length, (byte) ' ');
        return padded;
    }

    private static void checkArguments(SortedMap<String, Tensor> tensors, Map<String, String> metadata) {
        if (tensors == null) {
            throw new IllegalArgumentException("tensors must not be null");
        }
        if (metadata == null) {
            throw new IllegalArgumentException("metadata must not be null (pass an empty map)");
        }
        if (tensors.comparator() != null) {
            throw new IllegalArgumentException("tensors must be sorted by natural name order");
        }
        for (Map.Entry<String, Tensor> entry : tensors.entrySet()) {
            if (entry.getKey() == null || entry.getKey().isEmpty()) {
                throw new IllegalArgumentException("tensors: a tensor name is null or empty");
            }
            if (entry.getKey().equals(SafetensorsHeader.METADATA_KEY)) {
                throw new IllegalArgumentException("tensors: '" + SafetensorsHeader.METADATA_KEY
                        + "' is reserved for metadata");
            }
            if (entry.getValue() == null) {
                throw new IllegalArgumentException("tensors: tensor '" + entry.getKey() + "' is null");
            }
        }
        for (Map.Entry<String, String> entry : metadata.entrySet()) {
            if (entry.getKey() == null || entry.getValue() == null) {
                throw new IllegalArgumentException("metadata: keys and values must not be null (key "
                        + entry.getKey() + ")");
            }
        }
    }
}
