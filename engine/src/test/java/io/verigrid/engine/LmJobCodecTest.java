package io.verigrid.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Language-model jobs survive their canonical encoding with the same program. */
class LmJobCodecTest {
    @Test
    void gptAndLlamaJobsRoundTripToTheSameBytesAndProgram() {
        for (LanguageModel model : List.of(LmTrainerTest.GPT, LmTrainerTest.LLAMA)) {
            LmJob job = LmTrainerTest.job(model, 4);
            byte[] bytes = LmJobCodec.encode(job);
            LmJob decoded = LmJobCodec.decode(bytes);
            assertArrayEquals(bytes, LmJobCodec.encode(decoded));
            assertEquals(LmTrainer.program(job, 3), LmTrainer.program(decoded, 3));
        }
    }

    @Test
    void truncatedOrTrailingBytesAreRejected() {
        byte[] bytes = LmJobCodec.encode(LmTrainerTest.job(LmTrainerTest.LLAMA, 4));
        assertThrows(IllegalArgumentException.class, () -> LmJobCodec.decode(Arrays.copyOf(bytes, bytes.length - 1)));
        assertThrows(IllegalArgumentException.class, () -> LmJobCodec.decode(Arrays.copyOf(bytes, bytes.length + 1)));
        byte[] badVersion = bytes.clone();
        badVersion[0] = 9;
        assertThrows(IllegalArgumentException.class, () -> LmJobCodec.decode(badVersion));
    }
}
