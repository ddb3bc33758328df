package io.verigrid.node.blob;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.verigrid.engine.MlpJob;
import io.verigrid.engine.MlpTrainer;
import io.verigrid.engine.ModelState;
import io.verigrid.engine.Parallelism;
import io.verigrid.verify.Commitments;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CheckpointCodecTest {
    @Test
    void aCheckpointRoundTripsToTheSameStateRoot() {
        MlpJob job = MlpJob.demo();
        ModelState state = MlpTrainer.run(job, job.dataset(), job.initialState(), 20, Parallelism.single(), null);
        ModelState back = CheckpointCodec.decode(CheckpointCodec.encode(state));
        assertEquals(20, back.step());
        assertArrayEquals(Commitments.stateRoot(state), Commitments.stateRoot(back));
    }

    @Test
    void theHeaderIsPaddedSoTensorDataStartsAligned() {
        byte[] bytes = CheckpointCodec.encode(MlpJob.demo().initialState());
        long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, (8 + headerLength) % 8);
    }

    @Test
    void truncatedOrGarbageCheckpointsAreRejectedWithAMessage() {
        byte[] bytes = CheckpointCodec.encode(MlpJob.demo().initialState());
        IllegalArgumentException truncated = assertThrows(IllegalArgumentException.class,
                () -> CheckpointCodec.decode(Arrays.copyOf(bytes, bytes.length - 10)));
        assertTrue(truncated.getMessage().contains("outside the file"), truncated.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CheckpointCodec.decode(new byte[] {1, 2, 3}));
        assertThrows(IllegalArgumentException.class, () -> CheckpointCodec.decode(new byte[64]));
    }
}
