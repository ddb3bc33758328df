package io.verigrid.engine.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.verigrid.engine.Tensor;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Interop with files made by another implementation: scripts/make_safetensors_fixture.py assembles the
 * fixtures with struct/json/numpy and records the float32 bits numpy expects, and its {@code check} mode
 * reads {@code verigrid_written.safetensors}, the file this writer produces.
 */
class SafetensorsFixtureTest {
    private static Path resource(String name) {
        try {
            return Path.of(SafetensorsFixtureTest.class.getResource("/safetensors/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode expected() throws IOException {
        return new ObjectMapper().readTree(resource("mixed.expected.json").toFile());
    }

    private static int[] ints(JsonNode array) {
        int[] values = new int[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (int) array.get(i).longValue();
        }
        return values;
    }

    @Test
    void readsTheNumpyFixtureBitForBit() throws IOException {
        JsonNode expected = expected();
        SafetensorsFile file = SafetensorsFile.open(resource("mixed.safetensors"));
        assertEquals(Map.of("format", "pt", "note", "g\u00e9n\u00e9r\u00e9 par numpy \u2713"), file.metadata());
        assertEquals(expected.get("tensors").size(), file.names().size());
        for (Iterator<Map.Entry<String, JsonNode>> it = expected.get("tensors").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String name = entry.getKey();
            JsonNode want = entry.getValue();
            assertEquals(Dtype.valueOf(want.get("dtype").textValue()), file.dtype(name), name);
            Tensor tensor = file.load(name);
            assertArrayEquals(ints(want.get("shape")), tensor.shape(), name);
            int[] bits = new int[tensor.size()];
            for (int i = 0; i < bits.length; i++) {
                bits[i] = Float.floatToRawIntBits(tensor.data()[i]);
            }
            assertArrayEquals(ints(want.get("f32_bits")), bits, name);
        }
    }

    @Test
    void readsAllHalfBitPatternsAsNumpyWidensThem() throws IOException {
        Tensor halves = SafetensorsFile.open(resource("f16_all.safetensors")).load("f16");
        assertArrayEquals(new int[] {256, 256}, halves.shape());
        ByteBuffer expected = ByteBuffer.wrap(Files.readAllBytes(resource("f16_all.expected.bin")))
                .order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 65536; i++) {
            assertEquals(expected.getInt(i * 4), Float.floatToRawIntBits(halves.data()[i]), "half " + i);
        }
    }

    /**
     * The fixture's values, widened to float32, written by Verigrid must be exactly the committed
     * verigrid_written.safetensors that the Python script's check mode reads. On a deliberate format
     * change, the new bytes are left in target/ for review and commit.
     */
    @Test
    void writerReproducesTheFileThePythonReaderChecks() throws IOException {
        JsonNode expected = expected();
        SortedMap<String, Tensor> tensors = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = expected.get("tensors").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            int[] bits = ints(entry.getValue().get("f32_bits"));
            float[] values = new float[bits.length];
            for (int i = 0; i < bits.length; i++) {
                values[i] = Float.intBitsToFloat(bits[i]);
            }
            tensors.put(entry.getKey(), Tensor.of(ints(entry.getValue().get("shape")), values));
        }
        Map<String, String> metadata = new TreeMap<>();
        expected.get("metadata").fields().forEachRemaining(e -> metadata.put(e.getKey(), e.getValue().textValue()));
        byte[] written = Safetensors.encode(tensors, metadata);
        byte[] committed = Files.readAllBytes(resource("verigrid_written.safetensors"));
        if (!java.util.Arrays.equals(committed, written)) {
            Path fresh = Path.of("target", "verigrid_written.safetensors");
            Files.write(fresh, written);
            assertArrayEquals(committed, written, "writer output changed; new bytes in " + fresh.toAbsolutePath());
        }
    }
}
