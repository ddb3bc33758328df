package io.verigrid.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The canonical bytes of fine-tuning jobs: version 2 after the unchanged version-1 body, and clear rejections. */
class FineTuningCodecTest {
    private static final LmJob SEEDED = LmTrainerTest.job(LmTrainerTest.LLAMA, 4);
    /** Where the fine-tuning section starts: right after a version-1 body. */
    private static final int SECTION = LmJobCodec.encode(SEEDED).length;
    private static final int MODE = SECTION + 64;

    private static LmJob lora(List<String> targets) {
        return SEEDED.withFineTuning(FineTuning.lora(FineTuningTest.id(7), FineTuningTest.id(8), 4, 16f, targets));
    }

    private static String decodeError(byte[] bytes) {
        return assertThrows(IllegalArgumentException.class, () -> LmJobCodec.decode(bytes)).getMessage();
    }

    @Test
    void aJobTrainingFromSeedKeepsItsVersionOneBytes() {
        byte[] bytes = LmJobCodec.encode(SEEDED);
        assertEquals(1, bytes[0]);
        // Pinned: the bytes of this job before fine-tuning existed; old specs keep their hash.
        assertEquals("7673ba0b47478f42b508cce1ba067b12739baa6d4ad4caf8345c6da17ee33958",
                OpsTest.sha256Hex(bytes));
        assertNull(LmJobCodec.decode(bytes).fineTuning());
    }

    @Test
    void fullAndLoraJobsRoundTripWithVersionTwo() {
        List<LmJob> jobs = List.of(
                SEEDED.withFineTuning(FineTuning.full(FineTuningTest.id(3), FineTuningTest.id(4),
                        List.of("model.layers.1.", "model.embed_tokens."))),
                lora(List.of("v_proj", "q_proj")),
                LmTrainerTest.job(LmTrainerTest.GPT, 4).withFineTuning(
                        FineTuning.lora(FineTuningTest.id(5), FineTuningTest.id(6), 2, 0.5f, List.of("attn.c_proj"))));
        for (LmJob job : jobs) {
            byte[] bytes = LmJobCodec.encode(job);
            assertEquals(2, bytes[0]);
            LmJob decoded = LmJobCodec.decode(bytes);
            assertEquals(job.fineTuning(), decoded.fineTuning());
            assertArrayEquals(bytes, LmJobCodec.encode(decoded));
            byte[] body = Arrays.copyOf(bytes, SECTION);
            body[0] = 1;
            if (job.model() == SEEDED.model()) {
                assertArrayEquals(LmJobCodec.encode(SEEDED), body, "the version-1 body comes first, unchanged");
            }
        }
        // Equal jobs have equal bytes: name lists are canonical whatever order the buyer gave.
        assertArrayEquals(LmJobCodec.encode(lora(List.of("q_proj", "v_proj", "q_proj"))),
                LmJobCodec.encode(lora(List.of("v_proj", "q_proj"))));
    }

    @Test
    void malformedFineTuningBytesAreRejectedByName() {
        byte[] good = LmJobCodec.encode(lora(List.of("q_proj", "v_proj")));

        byte[] mode = good.clone();
        mode[MODE] = 3;
        assertEquals("unknown fine-tuning mode byte 3 (1 FULL, 2 LORA)", decodeError(mode));

        byte[] rank = good.clone();
        ByteBuffer.wrap(rank).order(ByteOrder.LITTLE_ENDIAN).putInt(MODE + 1, 0);
        assertEquals("LoRA rank must be > 0, got 0", decodeError(rank));

        byte[] alpha = good.clone();
        ByteBuffer.wrap(alpha).order(ByteOrder.LITTLE_ENDIAN).putFloat(MODE + 5, Float.NaN);
        assertTrue(decodeError(alpha).contains("LoRA alpha must be finite and > 0"));

        int firstName = MODE + 1 + 4 + 4 + 4 + 2;
        byte[] unknown = good.clone();
        System.arraycopy("x_proj".getBytes(StandardCharsets.UTF_8), 0, unknown, firstName + 8, 6);
        assertEquals("unknown target module 'x_proj' (model has: down_proj, gate_proj, k_proj, o_proj, q_proj, up_proj, "
                + "v_proj)", decodeError(unknown));

        byte[] unsorted = good.clone();
        System.arraycopy("v_proj".getBytes(StandardCharsets.UTF_8), 0, unsorted, firstName, 6);
        System.arraycopy("q_proj".getBytes(StandardCharsets.UTF_8), 0, unsorted, firstName + 8, 6);
        assertEquals("target modules must be sorted without duplicates: 'q_proj' follows 'v_proj'", decodeError(unsorted));

        byte[] notUtf8 = good.clone();
        notUtf8[firstName] = (byte) 0xC3;
        assertEquals("target modules entry 0 is not valid UTF-8", decodeError(notUtf8));

        byte[] count = good.clone();
        ByteBuffer.wrap(count).order(ByteOrder.LITTLE_ENDIAN).putInt(MODE + 9, -1);
        assertEquals("target modules count must be in [0, 4096], got 4294967295", decodeError(count));

        byte[] empty = good.clone();
        ByteBuffer.wrap(empty).order(ByteOrder.LITTLE_ENDIAN).putInt(MODE + 9, 0);
        assertTrue(decodeError(empty).contains("targets must name at least one module"));

        assertEquals("job bytes are truncated", decodeError(Arrays.copyOf(good, good.length - 1)));
        assertEquals("job bytes have 1 trailing bytes", decodeError(Arrays.copyOf(good, good.length + 1)));
        // A version-1 spec never carries a fine-tuning section.
        byte[] versionOne = good.clone();
        versionOne[0] = 1;
        assertTrue(decodeError(versionOne).contains("trailing bytes"));
    }
}
