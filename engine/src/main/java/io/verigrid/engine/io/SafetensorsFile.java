package io.verigrid.engine.io;

import io.verigrid.engine.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A validated safetensors file whose data section stays on disk, memory-mapped: opening reads only the
 * header, and {@link #load(String)} copies out one tensor, so a multi-gigabyte checkpoint costs heap only
 * for the tensors actually loaded. Files beyond 2 GiB are mapped as several segments.
 *
 * <p>Layout: an unsigned little-endian u64 header length {@code N}, {@code N} bytes of UTF-8 JSON, then the
 * data section that the header's {@code data_offsets} index. Every structural error (truncation, bad JSON,
 * offsets out of range, overlapping or not matching shape × dtype size) is an {@link IllegalArgumentException}
 * naming the file and, where there is one, the tensor. Instances are immutable and safe to share between
 * threads.
 */
public final class SafetensorsFile {
    static final long DEFAULT_SEGMENT_BYTES = 1L << 30;
    private static final int COPY_CHUNK_BYTES = 1 << 20;

    private final String source;
    private final SafetensorsHeader header;
    private final SortedSet<String> names;
    private final List<ByteBuffer> segments;
    private final long segmentBytes;

    private SafetensorsFile(String source, SafetensorsHeader header, List<ByteBuffer> segments, long segmentBytes) {
        this.source = source;
        this.header = header;
        this.names = Collections.unmodifiableSortedSet(new TreeSet<>(header.tensors().keySet()));
        this.segments = segments;
        this.segmentBytes = segmentBytes;
    }

    /** Opens and validates {@code path}, mapping its data section read-only. */
    public static SafetensorsFile open(Path path) {
        return open(path, DEFAULT_SEGMENT_BYTES);
    }

    /** As {@link #open(Path)} with mappings of at most {@code segmentBytes} each (small in tests). */
    static SafetensorsFile open(Path path, long segmentBytes) {
        if (path == null) {
            throw new IllegalArgumentException("path must not be null");
        }
        String source = path.toString();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long fileSize = channel.size();
            if (fileSize < Long.BYTES) {
                throw new IllegalArgumentException(source + ": file has " + fileSize
                        + " bytes, too short for the 8-byte header length (truncated file?)");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0, source);
            long headerLength = checkedHeaderLength(lengthBytes.getLong(0), fileSize - Long.BYTES, source);
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            readFully(channel, headerBytes, Long.BYTES, source);
            long dataStart = Long.BYTES + headerLength;
            long dataLength = fileSize - dataStart;
            SafetensorsHeader header = SafetensorsHeader.parse(headerBytes.array(), dataLength, source);
            List<ByteBuffer> segments = new ArrayList<>();
            for (long position = 0; position < dataLength; position += segmentBytes) {
                long size = Math.min(segmentBytes, dataLength - position);
                segments.add(channel.map(FileChannel.MapMode.READ_ONLY, dataStart + position, size));
            }
            // The mappings stay valid after the channel closes.
            return new SafetensorsFile(source, header, List.copyOf(segments), segmentBytes);
        } catch (IOException e) {
            throw new UncheckedIOException(source + ": cannot read safetensors file", e);
        }
    }

    /** Validates an in-memory safetensors image; {@code source} names it in error messages. */
    static SafetensorsFile of(byte[] bytes, String source) {
        if (bytes == null) {
            throw new IllegalArgumentException("bytes must not be null");
        }
        if (bytes.length < Long.BYTES) {
            throw new IllegalArgumentException(source + ": " + bytes.length
                    + " bytes, too short for the 8-byte header length (truncated?)");
        }
        ByteBuffer all = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = (int) checkedHeaderLength(all.getLong(0), bytes.length - Long.BYTES, source);
        byte[] headerJson = new byte[headerLength];
        all.get(Long.BYTES, headerJson);
        int dataStart = Long.BYTES + headerLength;
        SafetensorsHeader header = SafetensorsHeader.parse(headerJson, bytes.length - dataStart, source);
        ByteBuffer data = ByteBuffer.wrap(bytes, dataStart, bytes.length - dataStart).slice();
        return new SafetensorsFile(source, header, List.of(data), Math.max(1, data.capacity()));
    }

    private static long checkedHeaderLength(long headerLength, long available, String source) {
        if (headerLength < 0 || headerLength > SafetensorsHeader.MAX_HEADER_BYTES) {
            throw new IllegalArgumentException(source + ": header length " + Long.toUnsignedString(headerLength)
                    + " exceeds the limit of " + SafetensorsHeader.MAX_HEADER_BYTES + " bytes");
        }
        if (headerLength > available) {
            throw new IllegalArgumentException(source + ": header length " + headerLength
                    + " runs beyond the end of the file (" + available + " bytes follow the length)");
        }
        return headerLength;
    }

    private static void readFully(FileChannel channel, ByteBuffer target, long position, String source)
            throws IOException {
        while (target.hasRemaining()) {
            int read = channel.read(target, position + target.position());
            if (read < 0) {
                throw new IllegalArgumentException(source + ": file ended while reading the header");
            }
        }
    }

    /** The tensor names, sorted. */
    public SortedSet<String> names() {
        return names;
    }

    /** The header entry for {@code name}: dtype, shape and byte range. */
    public TensorInfo info(String name) {
        TensorInfo info = header.tensors().get(name);
        if (info == null) {
            throw new IllegalArgumentException(source + ": no tensor named '" + name + "'");
        }
        return info;
    }

    public int[] shape(String name) {
        return info(name).shape();
    }

    public Dtype dtype(String name) {
        return info(name).dtype();
    }

    /** The {@code __metadata__} map, sorted by key; empty when the header has none. */
    public SortedMap<String, String> metadata() {
        return header.metadata();
    }

    /**
     * Reads tensor {@code name} into a float32 tensor, converting F16 and BF16 exactly. Other dtypes are
     * refused with an {@link IllegalArgumentException} naming the tensor and its dtype.
     */
    public Tensor load(String name) {
        TensorInfo info = info(name);
        if (!info.dtype().loadsAsFloat32()) {
            throw new IllegalArgumentException(source + ": tensor '" + name + "' has dtype " + info.dtype()
                    + "; Verigrid loads only F32, F16 and BF16 tensors");
        }
        long count = info.elementCount();
        if (count > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(source + ": tensor '" + name + "' has " + count
                    + " elements, more than one float array holds");
        }
        float[] values = new float[(int) count];
        int elementBytes = info.dtype().bytes();
        byte[] chunk = new byte[(int) Math.min(COPY_CHUNK_BYTES, info.end() - info.begin())];
        ByteBuffer chunkView = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
        int next = 0;
        for (long position = info.begin(); position < info.end(); position += chunk.length) {
            int length = (int) Math.min(chunk.length, info.end() - position);
            copy(position, chunk, length);
            for (int offset = 0; offset < length; offset += elementBytes) {
                values[next++] = switch (info.dtype()) {
                    case F32 -> chunkView.getFloat(offset);
                    case F16 -> HalfFloats.halfToFloat(chunkView.getShort(offset));
                    case BF16 -> HalfFloats.bfloat16ToFloat(chunkView.getShort(offset));
                    default -> throw new IllegalStateException("unreachable dtype " + info.dtype());
                };
            }
        }
        return Tensor.of(info.shape(), values);
    }

    /** Every tensor, loaded, by name. */
    public SortedMap<String, Tensor> loadAll() {
        SortedMap<String, Tensor> tensors = new TreeMap<>();
        for (String name : names()) {
            tensors.put(name, load(name));
        }
        return tensors;
    }

    /** Copies data-section bytes {@code [position, position + length)} into {@code target}, across segments. */
    private void copy(long position, byte[] target, int length) {
        int copied = 0;
        while (copied < length) {
            long at = position + copied;
            ByteBuffer segment = segments.get((int) (at / segmentBytes));
            int offset = (int) (at % segmentBytes);
            int count = Math.min(length - copied, segment.capacity() - offset);
            segment.get(offset, target, copied, count);
            copied += count;
        }
    }
}
