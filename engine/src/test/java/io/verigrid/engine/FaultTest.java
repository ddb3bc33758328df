package io.verigrid.engine;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The drill cheats as the engine applies them, and the kind tags jobs are decoded by. */
class FaultTest {
    private static final MlpJob JOB = new MlpJob(3, 4, 8, 3, 32, 8, 0.05f, 0.9f, 4, 2);

    private static MlpTrainer.StepResult step(Fault fault) {
        try (Parallelism par = Parallelism.single()) {
            return JOB.step(JOB.dataset(), JOB.initialState(), par, fault);
        }
    }

    @Test
    void bfloat16RoundsToNearestEvenOnTheUpperSixteenBits() {
        assertEquals(1.0f, Fault.toBfloat16(1.0f));
        assertEquals(1.0f, Fault.toBfloat16(1.00390625f), "a tie goes to the even neighbour");
        assertEquals(1.0078125f, Fault.toBfloat16(1.005859375f));
        assertEquals(-2.0f, Fault.toBfloat16(-2.0f));
        assertTrue(Float.isNaN(Fault.toBfloat16(Float.NaN)));
        assertEquals(Float.POSITIVE_INFINITY, Fault.toBfloat16(Float.POSITIVE_INFINITY));
    }

    @Test
    void operatorCheatsChangeTheTraceFromTheirOperatorOnAndStateCheatsLeaveItHonest() {
        MlpTrainer.StepResult honest = step(null);
        MlpTrainer.StepResult flipped = step(Fault.bitFlip(1, 5, 0, 1 << 22));
        MlpTrainer.StepResult bf16 = step(Fault.lowPrecision(1, 2));
        MlpTrainer.StepResult shuffled = step(Fault.dataOutOfOrder(1));
        MlpTrainer.StepResult skipped = step(Fault.skippedStep(1));
        assertArrayEquals(honest.trace().ops().get(4).output().data(), flipped.trace().ops().get(4).output().data());
        assertFalse(java.util.Arrays.equals(honest.trace().ops().get(5).output().data(), flipped.trace().ops().get(5).output().data()));
        assertFalse(java.util.Arrays.equals(honest.trace().ops().get(2).output().data(), bf16.trace().ops().get(2).output().data()));
        float[] rows = shuffled.trace().ops().get(0).output().data();
        float[] expected = JOB.dataset().tensor("x").data();
        assertEquals(expected[JOB.batch() * JOB.inputDim()], rows[0], "step 1 reads the rows of the second batch");
        for (int j = 0; j < honest.trace().ops().size(); j++) {
            assertArrayEquals(honest.trace().ops().get(j).output().data(), skipped.trace().ops().get(j).output().data());
        }
        assertEquals(1, skipped.next().step());
        assertEquals(JOB.initialState().tensors().keySet(), skipped.next().tensors().keySet());
        for (String name : JOB.initialState().tensors().keySet()) {
            assertArrayEquals(JOB.initialState().tensor(name).data(), skipped.next().tensor(name).data(), name + " passes through");
        }
        assertTrue(Fault.staleCheckpoint(2).stale(2) && !Fault.staleCheckpoint(2).stale(1));
    }

    @Test
    void faultsNameTheirFieldsWhenMalformed() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Fault.bitFlip(1, 0, 0, 0)).getMessage().contains("bitMask"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Fault(Fault.Kind.SKIPPED_STEP, 1, 0, 0, 4)).getMessage()
                .contains("BIT_FLIP only"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Fault.skippedStep(0)).getMessage().contains("step"));
    }

    @Test
    void jobsDecodeByTheirKindAndAnUnknownKindOrAMismatchIsNamed() {
        assertEquals(JOB, TrainingJob.decode(TrainingJob.Kind.MLP, JOB.encode()));
        assertEquals(JOB, TrainingJob.decode(1, JOB.encode()));
        assertEquals("unknown job kind 9 (known: 1 = mlp, 2 = lm, 3 = lm-finetune)",
                assertThrows(IllegalArgumentException.class, () -> TrainingJob.decode(9, JOB.encode())).getMessage());
        assertEquals(TrainingJob.Kind.LM_FINETUNE, TrainingJob.Kind.ofTag("lm-finetune"));
        assertThrows(IllegalArgumentException.class, () -> TrainingJob.Kind.ofTag("diffusion"));
        GptModel gpt = new GptModel(new GptConfig(32, 8, 16, 1, 2, 1e-5f, true));
        LmJob lm = new LmJob(gpt, 1, 16, 4, 8, 4, 2, new LearningRate(1e-2f, 1e-3f, 1, 4), 0.9f, 0.95f, 1e-8f, 0f, 0f);
        assertEquals(TrainingJob.Kind.LM, TrainingJob.decode(2, lm.encode()).kind());
        LmJob tune = lm.withFineTuning(FineTuning.lora(new byte[32], new byte[32], 2, 4f, List.of("c_attn")));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TrainingJob.decode(2, tune.encode())).getMessage()
                .contains("lm-finetune job, not lm"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TrainingJob.decode(3, lm.encode())).getMessage()
                .contains("names no base checkpoint"));
        byte[] alien = lm.encode();
        alien[1] = 5;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TrainingJob.decode(2, alien)).getMessage()
                .contains("unknown model architecture 5"));
        assertThrows(IllegalStateException.class, tune::initialState, "a fine-tuning job starts from its checkpoint");
        assertArrayEquals(new byte[32], tune.declaredInitialRoot().orElseThrow());
    }
}
