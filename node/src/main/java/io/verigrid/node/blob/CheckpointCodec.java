package io.verigrid.node.blob;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.verigrid.engine.ModelState;
import io.verigrid.engine.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * A checkpoint on the wire and on disk: safetensors layout (u64 header length, JSON header, F32 data in
 * name order), with the step counter in {@code __metadata__}. Whoever loads one recomputes its state root
 * and compares it with the commitment on the ledger, so this format carries no trust of its own.
 */
public final class CheckpointCodec {
    private static final ObjectMapper JSON = new ObjectMapper();

    private CheckpointCodec() {}

    public static byte[] encode(ModelState state) {
        ObjectNode header = JSON.createObjectNode();
        header.putObject("__metadata__").put("step", Long.toString(state.step()));
        long offset = 0;
        for (Map.Entry<String, Tensor> e : state.tensors().entrySet()) {
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", "F32");
            var shape = t.putArray("shape");
            for (int d : e.getValue().shape()) shape.add(d);
            long end = offset + 4L * e.getValue().size();
            t.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] headerBytes = padded(header.toString().getBytes(StandardCharsets.UTF_8));
        ByteBuffer out = ByteBuffer.allocate(8 + headerBytes.length + (int) offset).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(headerBytes.length).put(headerBytes);
        for (Tensor t : state.tensors().values()) out.put(t.toBytes());
        return out.array();
    }

    public static ModelState decode(byte[] bytes) {
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            long headerLength = in.getLong();
            if (headerLength < 2 || headerLength > bytes.length - 8) {
                throw new IllegalArgumentException("checkpoint header length " + headerLength + " does not fit in " + bytes.length + " bytes");
            }
            JsonNode header = JSON.readTree(new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8));
            int dataStart = 8 + (int) headerLength;
            long step = Long.parseLong(header.path("__metadata__").path("step").asText("missing"));
            TreeMap<String, Tensor> tensors = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) continue;
                JsonNode t = e.getValue();
                if (!"F32".equals(t.path("dtype").asText())) {
                    throw new IllegalArgumentException("checkpoint tensor " + e.getKey() + " has dtype " + t.path("dtype") + ", expected F32");
                }
                int[] shape = new int[t.path("shape").size()];
                for (int i = 0; i < shape.length; i++) shape[i] = t.path("shape").get(i).asInt();
                long begin = t.path("data_offsets").get(0).asLong();
                long end = t.path("data_offsets").get(1).asLong();
                if (begin < 0 || end < begin || dataStart + end > bytes.length) {
                    throw new IllegalArgumentException("checkpoint tensor " + e.getKey() + " points outside the file");
                }
                tensors.put(e.getKey(), Tensor.fromBytes(shape, Arrays.copyOfRange(bytes, dataStart + (int) begin, dataStart + (int) end)));
            }
            return new ModelState(tensors, step);
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalArgumentException("malformed checkpoint: " + e.getMessage(), e);
        }
    }

    /** safetensors pads the header with spaces so the data starts 8-byte aligned. */
    private static byte[] padded(byte[] header) {
        int pad = (8 - (header.length % 8)) % 8;
        byte[] out = Arrays.copyOf(header, header.length + pad);
        Arrays.fill(out, header.length, out.length, (byte) ' ');
        return out;
    }
}
