package io.verigrid.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;

/** A decode step records exactly its position's program, whose last output is the logits it returns. */
class DecoderPositionTraceTest {
    @Test
    void eachStepRecordsThePositionProgramAndEndsInItsLogits() {
        LlamaConfig config = new LlamaConfig(16, 32, 2, 2, 1, 40, 16, 1e-5f, 10000f, false);
        LlamaModel model = new LlamaModel(config);
        SortedMap<String, Tensor> weights = model.initialParameters(3);
        Decoder traced = new Decoder(model, weights, Parallelism.single());
        Decoder plain = new Decoder(model, weights, Parallelism.single());
        int[] tokens = {1, 7, 39, 4};
        for (int t = 0; t < tokens.length; t++) {
            List<OpRecord> records = new ArrayList<>();
            Tensor logits = traced.next(tokens[t], records);
            List<OpSpec> program = Decoder.positionProgram(model, t);
            assertEquals(program.size(), records.size());
            for (int j = 0; j < program.size(); j++) assertEquals(program.get(j), records.get(j).spec(), "op " + j);
            assertArrayEquals(logits.data(), records.get(records.size() - 1).output().data());
            assertArrayEquals(plain.next(tokens[t]).data(), logits.data(), "recording changes no bit");
        }
        assertEquals(Decoder.positionProgram(model, 0).size(), Decoder.positionProgram(model, 9).size());
        assertThrows(IllegalArgumentException.class, () -> Decoder.positionProgram(model, 16));
    }
}
