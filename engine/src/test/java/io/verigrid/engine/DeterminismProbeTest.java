package io.verigrid.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class DeterminismProbeTest {
    private static List<String> probe(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            DeterminismProbe.main(args);
        } finally {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8).lines().collect(Collectors.toList());
    }

    @Test
    void theSmallProbeIsTheSameForAnyThreadCountAndPinsTheDemoDigest() {
        List<String> one = probe("--threads", "1", "--small");
        assertEquals(one, probe("--small", "--threads", "3"));
        // Pinned: the line CI compares between -Xint and compiled code (20 demo steps).
        assertEquals("digest 7dcc6e95d3a967762529d1e2ba81969a8ed1ab5e8198d6f6a7a0b66e28d683aa", one.get(0));
        assertEquals(one.get(0), probe("--threads", "2", "--steps", "20").get(0));
        // Pinned: every operator kind's bits, the tiny GPT and Llama after two steps, six decoded tokens and two
        // LoRA fine-tuning steps.
        assertEquals("47e0fa9a7f570e91d6b1cc7b00b5463fb79e663a6158b98d2dbd0b95538d231b", OpsTest.sha256Hex(String.join("\n", one).concat("\n")
                .getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void theProbeHasOneLinePerOperatorKindAndTheLanguageModelLines() {
        List<String> lines = probe("--small");
        List<String> kinds = lines.stream().filter(line -> line.startsWith("op "))
                .map(line -> line.split(" ")[1]).collect(Collectors.toList());
        assertEquals(List.copyOf(Ops.kinds()), kinds);
        assertEquals(1 + kinds.size() + 4, lines.size());
        assertTrue(lines.get(lines.size() - 4).matches("gpt [0-9a-f]{64}"), lines.get(lines.size() - 4));
        assertTrue(lines.get(lines.size() - 3).matches("llama [0-9a-f]{64}"), lines.get(lines.size() - 3));
        assertTrue(lines.get(lines.size() - 2).matches("decode [0-9a-f]{64}"), lines.get(lines.size() - 2));
        assertTrue(lines.get(lines.size() - 1).matches("finetune [0-9a-f]{64}"), lines.get(lines.size() - 1));
    }

    @Test
    void theFullProbesGptLineIsThePinnedGptStateAfterSixSteps() {
        List<String> lines = probe("--threads", "2", "--steps", "1");
        assertEquals("gpt " + OpHarness.golden("gpt_state_after_6_steps"), lines.get(lines.size() - 4));
    }

    @Test
    void theProbeRejectsUnknownOptionsAndStepsBeyondTheJob() {
        assertThrows(IllegalArgumentException.class, () -> probe("--fast", "1"));
        assertThrows(IllegalArgumentException.class, () -> probe("--threads"));
        assertThrows(IllegalArgumentException.class, () -> probe("--steps", "201"));
    }
}
