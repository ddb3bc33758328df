package io.verigrid.node.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.util.HexFormat;

/** The one JSON mapper of the node: byte arrays travel as lowercase hex, map keys sorted. */
public final class Json {
    public static final ObjectMapper MAPPER = create();

    private Json() {}

    private static ObjectMapper create() {
        SimpleModule hexBytes = new SimpleModule("hex-bytes");
        hexBytes.addSerializer(byte[].class, new JsonSerializer<>() {
            @Override
            public void serialize(byte[] value, JsonGenerator gen, SerializerProvider provider) throws IOException {
                gen.writeString(HexFormat.of().formatHex(value));
            }
        });
        hexBytes.addDeserializer(byte[].class, new JsonDeserializer<>() {
            @Override
            public byte[] deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                String text = p.getValueAsString();
                try {
                    return HexFormat.of().parseHex(text);
                } catch (IllegalArgumentException e) {
                    throw ctxt.weirdStringException(text, byte[].class, "expected lowercase hex");
                }
            }
        });
        return new ObjectMapper()
                .registerModule(hexBytes)
                .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }
}
