package io.verigrid.verify;

import io.verigrid.engine.Dataset;
import io.verigrid.engine.InputRef;
import io.verigrid.engine.MlpJob;
import io.verigrid.engine.MlpTrainer;
import io.verigrid.engine.ModelState;
import io.verigrid.engine.OpSpec;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.StepTrace;
import io.verigrid.engine.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The referee on real evidence from the demo job's step 3, one operator at a time. */
class RefereeTest {
    static MlpJob job;
    static Dataset dataset;
    static ModelState before;
    static StepTrace trace;
    static byte[] rootLo;
    static byte[] traceRoot;
    static byte[] datasetRoot;
    static final byte[] OTHER = Hashes.sha256("another output".getBytes());

    @BeforeAll
    static void runTwoStepsThenTraceTheThird() {
        job = MlpJob.demo();
        dataset = job.dataset();
        before = MlpTrainer.run(job, dataset, job.initialState(), 2, Parallelism.single(), null);
        trace = MlpTrainer.step(job, dataset, before, Parallelism.single(), null).trace();
        rootLo = Commitments.stateRoot(before);
        traceRoot = Commitments.traceRoot(trace);
        datasetRoot = Commitments.datasetRoot(dataset);
    }

    static Verdict decide(int j, List<InputEvidence> inputs, byte[] provider, byte[] challenger) {
        return Referee.decide(job, 3, j, inputs, rootLo, traceRoot, datasetRoot, provider, challenger);
    }

    static byte[] output(int j) {
        return Commitments.outputRoot(trace.ops().get(j).output());
    }

    @Test
    void everyOperatorOfTheStepReplaysToTheProvidersOutput() {
        for (int j = 0; j < trace.ops().size(); j++) {
            List<InputEvidence> inputs = InputEvidence.forOperator(job, before, dataset, trace, j);
            assertEquals(Verdict.PROVIDER_WINS, decide(j, inputs, output(j), OTHER), "op " + j);
            assertEquals(Verdict.CHALLENGER_WINS, decide(j, inputs, OTHER, output(j)), "op " + j);
            assertEquals(Verdict.BOTH_LOSE, decide(j, inputs, OTHER, Hashes.sha256(OTHER)), "op " + j);
        }
    }

    @Test
    void evidenceThatProvesSomethingElseLosesForTheProvider() {
        List<OpSpec> program = MlpTrainer.program(job, 3);
        for (int j = 0; j < program.size(); j++) {
            List<InputEvidence> honest = InputEvidence.forOperator(job, before, dataset, trace, j);
            for (int i = 0; i < honest.size(); i++) {
                Tensor real = honest.get(i).tensor();
                float[] data = real.data().clone();
                data[0] = data[0] + 1f;
                List<InputEvidence> tampered = new ArrayList<>(honest);
                tampered.set(i, new InputEvidence(Tensor.of(real.shape(), data), honest.get(i).proof()));
                assertEquals(Verdict.CHALLENGER_WINS, decide(j, tampered, output(j), OTHER),
                        "op " + j + " input " + i + " (" + program.get(j).inputs().get(i) + ")");
            }
            if (!honest.isEmpty()) {
                assertEquals(Verdict.CHALLENGER_WINS, decide(j, honest.subList(1, honest.size()), output(j), OTHER));
            }
        }
    }

    @Test
    void anOpInputMustBeProvenAtItsOwnIndex() {
        List<OpSpec> program = MlpTrainer.program(job, 3);
        int j = -1;
        int slot = -1;
        for (int candidate = 0; candidate < program.size() && j < 0; candidate++) {
            List<InputRef> refs = program.get(candidate).inputs();
            for (int i = 0; i < refs.size(); i++) {
                if (refs.get(i).source() == InputRef.Source.OP && refs.get(i).op() > 0) {
                    j = candidate;
                    slot = i;
                    break;
                }
            }
        }
        assertTrue(j > 0, "the program has an operator reading an earlier one");
        List<InputEvidence> inputs = new ArrayList<>(InputEvidence.forOperator(job, before, dataset, trace, j));
        int source = program.get(j).inputs().get(slot).op();
        inputs.set(slot, new InputEvidence(trace.ops().get(source - 1).output(), Commitments.traceProof(trace, source - 1)));
        assertEquals(Verdict.CHALLENGER_WINS, decide(j, inputs, output(j), OTHER));
    }

    @Test
    void evidenceRoundTripsThroughItsEncoding() {
        for (int j = 0; j < trace.ops().size(); j++) {
            List<InputEvidence> inputs = InputEvidence.forOperator(job, before, dataset, trace, j);
            List<InputEvidence> decoded = InputEvidence.decodeAll(InputEvidence.encodeAll(inputs));
            assertEquals(inputs.size(), decoded.size());
            for (int i = 0; i < inputs.size(); i++) {
                assertTrue(inputs.get(i).tensor().bitEquals(decoded.get(i).tensor()));
                assertEquals(inputs.get(i).proof(), decoded.get(i).proof());
            }
            assertEquals(Verdict.PROVIDER_WINS, decide(j, decoded, output(j), OTHER));
        }
        assertThrows(IllegalArgumentException.class, () -> InputEvidence.decodeAll(new byte[] {1, 0}));
    }

    @Test
    void theAssemblyRefereeReplaysTheWholeStepFromTheAgreedState() {
        ModelState after = MlpTrainer.step(job, dataset, before, Parallelism.single(), null).next();
        byte[] honestRoot = Commitments.stateRoot(after);
        assertEquals(Verdict.PROVIDER_WINS, Referee.decideAssembly(job, 3, before, rootLo, honestRoot));
        assertEquals(Verdict.CHALLENGER_WINS, Referee.decideAssembly(job, 3, before, rootLo, OTHER));
        assertEquals(Verdict.CHALLENGER_WINS, Referee.decideAssembly(job, 3, after, rootLo, honestRoot));
    }
}
