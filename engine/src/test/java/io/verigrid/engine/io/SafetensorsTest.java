package io.verigrid.engine.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.verigrid.engine.Tensor;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
    @TempDir
    Path dir;

    private static SortedMap<String, Tensor> sample() {
        SortedMap<String, Tensor> tensors = new TreeMap<>();
        tensors.put("layer.weight", Tensor.of(new int[] {2, 3},
                new float[] {1f, -0f, Float.NaN, Float.MIN_VALUE, Float.NEGATIVE_INFINITY, 0.1f}));
        tensors.put("layer.bias", Tensor.of(new int[] {3}, new float[] {Float.intBitsToFloat(0x7fc00123), 2f, -3f}));
        tensors.put("step", Tensor.scalar(7f));
        tensors.put("empty", Tensor.zeros(0, 5));
        return tensors;
    }

    /** A safetensors image with the given header text and data bytes. */
    private static byte[] image(String header, byte[] data) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(json.length).put(json).put(data).array();
    }

    private static void assertSameTensors(SortedMap<String, Tensor> want, SortedMap<String, Tensor> got) {
        assertEquals(want.keySet(), got.keySet());
        want.forEach((name, tensor) -> assertTrue(tensor.bitEquals(got.get(name)), name + ": " + got.get(name)));
    }

    private static String rejection(byte[] image) {
        return assertThrows(IllegalArgumentException.class, () -> Safetensors.decode(image)).getMessage();
    }

    @Test
    void encodeThenDecodeKeepsEveryBitAndTheMetadata() {
        Map<String, String> metadata = Map.of("format", "pt", "verigrid.step", "7");
        Safetensors.Contents contents = Safetensors.decode(Safetensors.encode(sample(), metadata));
        assertSameTensors(sample(), contents.tensors());
        assertEquals(new TreeMap<>(metadata), contents.metadata());
    }

    @Test
    void encodingIsCanonicalCompactJsonPaddedToEightBytesWithTensorsInNameOrder() {
        SortedMap<String, Tensor> tensors = new TreeMap<>();
        tensors.put("b", Tensor.of(new int[] {2}, new float[] {1f, 2f}));
        tensors.put("a", Tensor.scalar(3f));
        Map<String, String> metadata = new HashMap<>();
        metadata.put("z", "last");
        metadata.put("k", "first");
        byte[] bytes = Safetensors.encode(tensors, metadata);
        String json = "{\"__metadata__\":{\"k\":\"first\",\"z\":\"last\"},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        int padded = (json.length() + 7) / 8 * 8;
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(padded, buffer.getLong(0));
        assertEquals(json + " ".repeat(padded - json.length()),
                new String(bytes, 8, padded, StandardCharsets.UTF_8));
        assertEquals(3f, buffer.getFloat(8 + padded));
        assertEquals(2f, buffer.getFloat(8 + padded + 8));
        assertEquals(8 + padded + 12, bytes.length);
    }

    @Test
    void noMetadataMeansNoMetadataEntry() {
        byte[] bytes = Safetensors.encode(new TreeMap<>(Map.of("x", Tensor.scalar(1f))), Map.of());
        assertFalse(new String(bytes, StandardCharsets.UTF_8).contains("__metadata__"));
        assertTrue(Safetensors.decode(bytes).metadata().isEmpty());
    }

    @Test
    void writtenFileOpensWithItsNamesShapesDtypesAndMetadata() {
        Path path = dir.resolve("model.safetensors");
        Safetensors.write(path, sample(), Map.of("format", "pt"));
        SafetensorsFile file = SafetensorsFile.open(path);
        assertEquals(List.of("empty", "layer.bias", "layer.weight", "step"), List.copyOf(file.names()));
        assertArrayEquals(new int[] {2, 3}, file.shape("layer.weight"));
        assertArrayEquals(new int[0], file.shape("step"));
        assertEquals(Dtype.F32, file.dtype("layer.bias"));
        assertEquals(Map.of("format", "pt"), file.metadata());
        assertSameTensors(sample(), file.loadAll());
        assertFalse(Files.exists(dir.resolve("model.safetensors.partial")));
    }

    @Test
    void fileAndInMemoryEncodingAreTheSameBytes() throws IOException {
        Path path = dir.resolve("same.safetensors");
        Safetensors.write(path, sample(), Map.of("a", "b"));
        assertArrayEquals(Safetensors.encode(sample(), Map.of("a", "b")), Files.readAllBytes(path));
    }

    @Test
    void tensorsSpanningSeveralMappingsLoadIntact() {
        Path path = dir.resolve("segmented.safetensors");
        Safetensors.write(path, sample(), Map.of());
        // 3-byte mappings split every float across two segments.
        assertSameTensors(sample(), SafetensorsFile.open(path, 3).loadAll());
        assertSameTensors(sample(), SafetensorsFile.open(path, 8).loadAll());
    }

    /**
     * A sparse 3 GiB file: a large U8 tensor, then an F32 tensor straddling the 3 GiB mark, so it is read
     * from two of the default 1 GiB mappings at offsets beyond what an int can address.
     */
    @Test
    @EnabledOnOs({OS.LINUX, OS.MAC})
    void tensorsBeyondTwoGibibytesLoadAcrossMappings() throws IOException {
        long bulk = (3L << 30) - 2;
        String header = "{\"bulk\":{\"dtype\":\"U8\",\"shape\":[2," + bulk / 2 + "],\"data_offsets\":[0," + bulk
                + "]},\"tail\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[" + bulk + "," + (bulk + 8) + "]}}";
        byte[] start = image(header, new byte[0]);
        Path path = dir.resolve("large.safetensors");
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
            file.write(start);
            file.seek(start.length + bulk);
            file.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.25f).putFloat(-3f).array());
        }
        SafetensorsFile large = SafetensorsFile.open(path);
        assertEquals(Dtype.U8, large.dtype("bulk"));
        assertArrayEquals(new float[] {1.25f, -3f}, large.load("tail").data());
    }

    @Test
    void loadReadsHalfAndBfloat16TensorsExactly() {
        byte[] data = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                .putShort((short) 0x3c00).putShort((short) 0xc100).putShort((short) 0x3f80).putShort((short) 0xc040)
                .array();
        byte[] bytes = image("{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[4,8]}}", data);
        SortedMap<String, Tensor> tensors = Safetensors.decode(bytes).tensors();
        assertArrayEquals(new float[] {1f, -2.5f}, tensors.get("h").data());
        assertArrayEquals(new float[] {1f, -3f}, tensors.get("b").data());
    }

    @Test
    void otherDtypesOpenButRefuseToLoadNamingTensorAndDtype() throws IOException {
        Path path = dir.resolve("ints.safetensors");
        Files.write(path, image("{\"ids\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]}}", new byte[16]));
        SafetensorsFile file = SafetensorsFile.open(path);
        assertEquals(Dtype.I64, file.dtype("ids"));
        String message = assertThrows(IllegalArgumentException.class, () -> file.load("ids")).getMessage();
        assertTrue(message.contains("'ids'") && message.contains("I64") && message.contains(path.toString()),
                message);
    }

    @Test
    void unknownTensorNameIsRefused() {
        SafetensorsFile file = SafetensorsFile.of(Safetensors.encode(sample(), Map.of()), "mem");
        String message = assertThrows(IllegalArgumentException.class, () -> file.load("nope")).getMessage();
        assertTrue(message.contains("'nope'"), message);
    }

    @Test
    void truncatedFileIsRefusedNamingTheFileAndTensor() throws IOException {
        byte[] whole = Safetensors.encode(sample(), Map.of());
        Path path = dir.resolve("cut.safetensors");
        Files.write(path, Arrays.copyOf(whole, whole.length - 2));
        String message = assertThrows(IllegalArgumentException.class, () -> SafetensorsFile.open(path)).getMessage();
        assertTrue(message.contains(path.toString()) && message.contains("'step'") && message.contains("truncated"),
                message);
    }

    @Test
    void fileTooShortForTheHeaderLengthIsRefused() throws IOException {
        Path path = dir.resolve("tiny.safetensors");
        Files.write(path, new byte[5]);
        String message = assertThrows(IllegalArgumentException.class, () -> SafetensorsFile.open(path)).getMessage();
        assertTrue(message.contains(path.toString()) && message.contains("5 bytes"), message);
    }

    @Test
    void headerLengthBeyondTheFileIsRefused() {
        byte[] bytes = image("{}", new byte[0]);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 3);
        assertTrue(rejection(bytes).contains("beyond the end"));
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1);
        assertTrue(rejection(bytes).contains("exceeds the limit"));
    }

    @Test
    void malformedOrNonObjectJsonIsRefused() {
        assertTrue(rejection(image("{\"a\":", new byte[0])).contains("not valid JSON"));
        assertTrue(rejection(image("[1,2]", new byte[0])).contains("must be a JSON object"));
        assertTrue(rejection(image("{} {}", new byte[0])).contains("not valid JSON"));
        String duplicate = "{\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}";
        assertTrue(rejection(image(duplicate, new byte[4])).contains("not valid JSON"));
    }

    @Test
    void entriesWithBadFieldsAreRefusedNamingTheTensor() {
        String message = rejection(image("{\"w\":{\"dtype\":\"F33\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                new byte[4]));
        assertTrue(message.contains("'w'") && message.contains("F33"), message);
        assertTrue(rejection(image("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}",
                new byte[4])).contains("'w' has shape dimension 0"));
        assertTrue(rejection(image("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", new byte[4]))
                .contains("'w' needs a shape"));
        assertTrue(rejection(image("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", new byte[4]))
                .contains("'w' needs data_offsets"));
        assertTrue(rejection(image("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}}",
                new byte[4])).contains("'w' has unknown field 'x'"));
        assertTrue(rejection(image("{\"__metadata__\":{\"k\":1}}", new byte[0])).contains("'k' must be a string"));
    }

    @Test
    void offsetsMustMatchShapeTimesDtypeSize() {
        String message = rejection(image("{\"w\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,8]}}",
                new byte[8]));
        assertTrue(message.contains("'w' spans 8 bytes") && message.contains("need 6"), message);
        assertTrue(rejection(image("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}",
                new byte[4])).contains("end before they begin"));
    }

    @Test
    void offsetsOutOfRangeOverlappingOrLeavingGapsAreRefused() {
        assertTrue(rejection(image("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[4]))
                .contains("'w' ends at data byte 8"));
        String overlap = rejection(image("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]));
        assertTrue(overlap.contains("'b'") && overlap.contains("overlap tensor 'a'"), overlap);
        assertTrue(rejection(image("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]))
                .contains("data bytes [0, 4) before tensor 'a' belong to no tensor"));
        assertTrue(rejection(image("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[8]))
                .contains("data section has 8 bytes but the tensors end at byte 4"));
    }

    @Test
    void writerRefusesBadArguments() {
        Map<String, String> none = Map.of();
        SortedMap<String, Tensor> reserved = new TreeMap<>(Map.of("__metadata__", Tensor.scalar(1f)));
        assertThrows(IllegalArgumentException.class, () -> Safetensors.encode(reserved, none));
        assertThrows(IllegalArgumentException.class, () -> Safetensors.encode(null, none));
        assertThrows(IllegalArgumentException.class, () -> Safetensors.encode(sample(), null));
        SortedMap<String, Tensor> reversed = new TreeMap<>(java.util.Comparator.reverseOrder());
        reversed.putAll(sample());
        assertThrows(IllegalArgumentException.class, () -> Safetensors.encode(reversed, none));
        assertThrows(IllegalArgumentException.class, () -> Safetensors.write(null, sample(), none));
    }
}
