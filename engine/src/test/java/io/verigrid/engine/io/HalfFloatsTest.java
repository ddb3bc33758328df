package io.verigrid.engine.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class HalfFloatsTest {
    @Test
    void everyHalfWidensToTheFloatNumpyGives() throws IOException {
        // f16_all.expected.bin: numpy's float16 -> float32 of the bit patterns 0..65535, little-endian float32.
        ByteBuffer expected;
        try (InputStream in = HalfFloatsTest.class.getResourceAsStream("/safetensors/f16_all.expected.bin")) {
            expected = ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
        }
        assertEquals(65536 * 4, expected.capacity());
        for (int half = 0; half < 65536; half++) {
            int want = expected.getInt(half * 4);
            int got = Float.floatToRawIntBits(HalfFloats.halfToFloat(half));
            assertEquals(want, got, () -> "half 0x" + Integer.toHexString(want));
        }
    }

    @Test
    void halfLandmarksHaveTheirKnownValues() {
        assertEquals(1.0f, HalfFloats.halfToFloat(0x3c00));
        assertEquals(-2.0f, HalfFloats.halfToFloat(0xc000));
        assertEquals(65504.0f, HalfFloats.halfToFloat(0x7bff));
        assertEquals(0x1p-24f, HalfFloats.halfToFloat(0x0001));
        assertEquals(0x1p-14f - 0x1p-24f, HalfFloats.halfToFloat(0x03ff));
        assertEquals(Float.NEGATIVE_INFINITY, HalfFloats.halfToFloat(0xfc00));
        assertEquals(0x80000000, Float.floatToRawIntBits(HalfFloats.halfToFloat(0x8000)));
        assertEquals(0x7f802000, Float.floatToRawIntBits(HalfFloats.halfToFloat(0x7c01)));
    }

    @Test
    void bfloat16IsTheTopHalfOfAFloat32() {
        for (int bits = 0; bits < 65536; bits++) {
            assertEquals(bits << 16, Float.floatToRawIntBits(HalfFloats.bfloat16ToFloat(bits)));
        }
        assertEquals(1.0f, HalfFloats.bfloat16ToFloat(0x3f80));
        assertEquals(-1.5f, HalfFloats.bfloat16ToFloat((short) 0xbfc0));
    }
}
