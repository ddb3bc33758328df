package io.verigrid.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class MlpTrainerTest {
    /** Pinned: any change to the engine's arithmetic, the dataset or the init must change this and OpSet.VERSION. */
    private static final String DEMO_DIGEST_AFTER_200_STEPS =
            "1f33bdee5337b143092893775fe86f75e38535eb09368717f12562d089679f68";

    private static final MlpJob JOB = MlpJob.demo();
    private static final Dataset DATA = JOB.dataset();

    private static ModelState train(int threads) {
        try (Parallelism par = Parallelism.of(threads)) {
            return MlpTrainer.run(JOB, DATA, JOB.initialState(), JOB.steps(), par, null);
        }
    }

    @Test
    void theDemoJobReachesThePinnedDigestAfter200Steps() {
        ModelState done = train(1);
        assertEquals(200, done.step());
        assertEquals(DEMO_DIGEST_AFTER_200_STEPS, DeterminismProbe.hex(done.digest()));
    }

    @Test
    void oneTwoAndFourThreadsGiveIdenticalDigests() {
        byte[] one = train(1).digest();
        assertArrayEquals(one, train(2).digest());
        assertArrayEquals(one, train(4).digest());
    }

    @Test
    void lossAtStep200IsClearlyBelowLossAtStep1() {
        MlpTrainer.StepResult first = MlpTrainer.step(JOB, DATA, JOB.initialState(), Parallelism.single(), null);
        ModelState before200 = MlpTrainer.run(JOB, DATA, first.next(), 199, Parallelism.single(), null);
        MlpTrainer.StepResult last = MlpTrainer.step(JOB, DATA, before200, Parallelism.single(), null);
        assertEquals(200, last.next().step());
        assertTrue(last.loss() < first.loss() / 4, "loss " + first.loss() + " → " + last.loss());
    }

    @Test
    void theProgramEqualsTheSpecsTheStepRecorded() {
        ModelState state = JOB.initialState();
        for (int s = 1; s <= 40; s++) {
            MlpTrainer.StepResult result = MlpTrainer.step(JOB, DATA, state, Parallelism.single(), null);
            List<OpSpec> recorded = result.trace().ops().stream().map(OpRecord::spec).toList();
            assertEquals(MlpTrainer.program(JOB, s), recorded, "step " + s);
            assertEquals(s, result.trace().step());
            state = result.next();
        }
    }

    @Test
    void theBatchOfStepSStartsAtRowSMinusOneTimesBatchModuloSamples() {
        // 2048 samples / 64 per batch: step 33 wraps back to row 0, step 34 starts at row 64.
        assertArrayEquals(new long[] {0, 64}, MlpTrainer.program(JOB, 33).get(0).attrs());
        assertArrayEquals(new long[] {64, 64}, MlpTrainer.program(JOB, 34).get(0).attrs());
    }

    @Test
    void theProgramIsForwardLossBackwardThenOptimizer() {
        List<String> kinds = MlpTrainer.program(JOB, 1).stream().map(OpSpec::kind).toList();
        assertEquals(List.of("slice_rows", "slice_rows", "matmul", "add_bias", "relu", "matmul", "add_bias",
                "softmax_xent", "softmax_xent_backward", "sum_rows", "matmul", "matmul", "relu_backward",
                "sum_rows", "matmul", "momentum_update", "sgd_apply", "momentum_update", "sgd_apply",
                "momentum_update", "sgd_apply", "momentum_update", "sgd_apply"), kinds);
    }

    @Test
    void replayingAnyRecordedOperatorReproducesItsOutputBitForBit() {
        ModelState state = MlpTrainer.run(JOB, DATA, JOB.initialState(), 7, Parallelism.single(), null);
        StepTrace trace = MlpTrainer.step(JOB, DATA, state, Parallelism.single(), null).trace();
        try (Parallelism three = Parallelism.of(3)) {
            for (OpRecord record : trace.ops()) {
                List<Tensor> inputs = new ArrayList<>();
                for (InputRef ref : record.spec().inputs()) {
                    inputs.add(switch (ref.source()) {
                        case STATE -> state.tensor(ref.name());
                        case DATA -> DATA.tensor(ref.name());
                        case OP -> trace.ops().get(ref.op()).output();
                    });
                }
                Tensor replayed = Ops.execute(record.spec().kind(), record.spec().attrs(), inputs, three);
                assertTrue(replayed.bitEquals(record.output()), "op " + record.index() + " " + record.spec());
            }
        }
    }

    @Test
    void aFaultChangesTheTargetedOpAndEverythingDownstreamButNothingBefore() {
        ModelState state = MlpTrainer.run(JOB, DATA, JOB.initialState(), 4, Parallelism.single(), null);
        int target = 8; // softmax_xent_backward: every gradient and update depends on it
        Fault fault = new Fault(5, target, 0, 1 << 22);
        StepTrace clean = MlpTrainer.step(JOB, DATA, state, Parallelism.single(), null).trace();
        StepTrace faulty = MlpTrainer.step(JOB, DATA, state, Parallelism.single(), fault).trace();

        Set<Integer> downstream = downstreamOf(MlpTrainer.program(JOB, 5), target);
        for (int i = 0; i < clean.ops().size(); i++) {
            boolean same = clean.ops().get(i).output().bitEquals(faulty.ops().get(i).output());
            assertEquals(!downstream.contains(i), same, "op " + i);
        }
        float[] before = clean.ops().get(target).output().data();
        float[] after = faulty.ops().get(target).output().data();
        assertEquals(Float.floatToRawIntBits(before[0]) ^ (1 << 22), Float.floatToRawIntBits(after[0]));
        for (int e = 1; e < before.length; e++) {
            assertEquals(Float.floatToRawIntBits(before[e]), Float.floatToRawIntBits(after[e]), "element " + e);
        }
    }

    /** The target and every op that reads it, directly or through other ops. */
    private static Set<Integer> downstreamOf(List<OpSpec> program, int target) {
        Set<Integer> reached = new HashSet<>(Set.of(target));
        for (int i = target + 1; i < program.size(); i++) {
            for (InputRef ref : program.get(i).inputs()) {
                if (ref.source() == InputRef.Source.OP && reached.contains(ref.op())) {
                    reached.add(i);
                }
            }
        }
        return reached;
    }

    @Test
    void aFaultOnlyActsAtItsOwnStep() {
        Fault atStep4 = new Fault(4, 8, 0, 1 << 22);
        ModelState clean = MlpTrainer.run(JOB, DATA, JOB.initialState(), 3, Parallelism.single(), null);
        ModelState faulted = MlpTrainer.run(JOB, DATA, JOB.initialState(), 3, Parallelism.single(), atStep4);
        assertArrayEquals(clean.digest(), faulted.digest());
        ModelState cleanAfter4 = MlpTrainer.run(JOB, DATA, clean, 4, Parallelism.single(), null);
        ModelState faultedAfter4 = MlpTrainer.run(JOB, DATA, faulted, 4, Parallelism.single(), atStep4);
        assertFalse(Arrays.equals(cleanAfter4.digest(), faultedAfter4.digest()));
    }

    @Test
    void aFaultOutsideTheOutputIsRejected() {
        Fault fault = new Fault(1, 7, 1, 1); // op 7 is the scalar loss: element 1 does not exist
        assertThrows(IllegalArgumentException.class,
                () -> MlpTrainer.step(JOB, DATA, JOB.initialState(), Parallelism.single(), fault));
    }

    @Test
    void stepsOutsideTheJobAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> MlpTrainer.program(JOB, 0));
        assertThrows(IllegalArgumentException.class, () -> MlpTrainer.program(JOB, 201));
        ModelState finished = JOB.initialState().withStep(200);
        assertThrows(IllegalArgumentException.class,
                () -> MlpTrainer.step(JOB, DATA, finished, Parallelism.single(), null));
    }

    @Test
    void aStateMissingATensorNamesIt() {
        ModelState state = JOB.initialState();
        TreeMap<String, Tensor> tensors = new TreeMap<>(state.tensors());
        tensors.remove("v_w2");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MlpTrainer.step(JOB, DATA,
                new ModelState(tensors, 0), Parallelism.single(), null));
        assertTrue(e.getMessage().contains("v_w2"), e.getMessage());
    }

    @Test
    void theNextStateIsMadeOfTheOptimizerOutputs() {
        MlpTrainer.StepResult result = MlpTrainer.step(JOB, DATA, JOB.initialState(), Parallelism.single(), null);
        List<OpRecord> ops = result.trace().ops();
        assertTrue(result.next().tensor("w2").bitEquals(ops.get(22).output()));
        assertTrue(result.next().tensor("v_w2").bitEquals(ops.get(21).output()));
        assertEquals(ops.get(7).output().data()[0], result.loss());
        assertEquals(1, result.next().step());
    }
}
