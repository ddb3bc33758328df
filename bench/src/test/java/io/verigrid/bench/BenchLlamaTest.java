package io.verigrid.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.verigrid.engine.LlamaConfig;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.Tensor;
import java.nio.file.Files;
import java.util.List;
import java.util.SortedMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The bench's Llama workloads give PyTorch the same weights and the same math as Verigrid. */
class BenchLlamaTest {
    private static final LlamaConfig TINY = new LlamaConfig(32, 64, 2, 4, 2, 100, 64, 1e-5f, 10000f, true);

    @Test
    void weightsAreSeededScaledAndNormsAreOne() {
        BenchLlama llama = new BenchLlama("tiny", TINY, 2, 8, false);
        SortedMap<String, Tensor> weights = llama.weights(3);
        assertEquals(llama.model().parameterShapes().keySet(), weights.keySet());
        float bound = (float) (1 / Math.sqrt(32));
        for (float value : weights.get("model.layers.0.self_attn.q_proj.weight").data()) {
            assertTrue(Math.abs(value) <= bound, "q_proj value " + value + " within ±1/√32");
        }
        assertEquals(1f, weights.get("model.norm.weight").data()[5]);
        assertEquals(BenchLlama.bitSum(weights), BenchLlama.bitSum(llama.weights(3)));
        assertTrue(BenchLlama.bitSum(weights) != BenchLlama.bitSum(llama.weights(4)));
    }

    @Test
    void pytorchRegeneratesTheWeightsBitForBitAndComputesTheSameLogitsAndLoss() {
        Assumptions.assumeTrue(Files.isExecutable(TorchReference.DEFAULT_PYTHON), "needs /usr/bin/python3 with torch");
        BenchLlama forward = new BenchLlama("tiny_forward", TINY, 2, 8, false);
        BenchLlama step = new BenchLlama("tiny_step", TINY, 2, 8, true);
        TorchReference.Outcome torch = TorchReference.run(TorchReference.DEFAULT_PYTHON, 1, List.of(), List.of(),
                new int[] {4, 8, 2, 8}, List.of(forward.torchSpec(3), step.torchSpec(3)), 0, 1, 1);
        Assumptions.assumeTrue(torch.available(), () -> "no PyTorch: " + torch.reason());
        JsonNode llama = torch.json().path("llama");
        SortedMap<String, Tensor> weights = forward.weights(3);
        assertEquals(BenchLlama.bitSum(weights), llama.path("tiny_forward").path("weights_bit_checksum").asLong());
        EngineWorkloads engine = new EngineWorkloads(Parallelism.single(), 0, 1);
        double sumOfSquares = engine.llamaForward(forward, weights)[1];
        assertEquals(sumOfSquares, llama.path("tiny_forward").path("logits_sum_squares").asDouble(), 1e-4 * sumOfSquares);
        double loss = engine.llamaTrainStep(step, weights)[1];
        assertEquals(loss, llama.path("tiny_step").path("loss").asDouble(), 1e-4 * loss);
    }
}
