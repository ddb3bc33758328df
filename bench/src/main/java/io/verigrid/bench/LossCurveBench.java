package io.verigrid.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.verigrid.engine.LossCurveCompare;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code verigrid bench loss-curve}: trains the character-level GPT of {@code docs/loss-curve.md} in Verigrid and,
 * on the same initial weights and batches, in PyTorch, and prints both loss curves side by side.
 */
@Command(name = "loss-curve", mixinStandardHelpOptions = true,
        description = "The character-level GPT trained by Verigrid and by PyTorch on the same weights and batches, curves side by side.")
final class LossCurveBench implements Callable<Integer> {
    @Option(names = "--python", defaultValue = "/usr/bin/python3", description = "Python with torch. Default: ${DEFAULT-VALUE}.")
    String python;

    @Option(names = "--script", defaultValue = "scripts/torch_reference_gpt.py",
            description = "The PyTorch reference script. Default: ${DEFAULT-VALUE} (relative to the working directory).")
    Path script;

    @Option(names = "--out", defaultValue = "target/loss-curve", description = "Where the shared inputs are written. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--json", description = "End with one JSON line: final losses, their relative difference, step times and their ratio.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (!Files.isExecutable(Path.of(python))) {
            throw new IllegalArgumentException(python + " not found: install Debian's python3-torch, or name another Python with --python");
        }
        if (!Files.isRegularFile(script)) {
            throw new IllegalArgumentException("reference script " + script + " not found: run from the repository root or pass --script");
        }
        LossCurveCompare.Result result = LossCurveCompare.run(out, python, script.toString());
        LossCurveCompare.print(result);
        if (json) {
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("bench", "loss-curve");
            summary.put("steps", result.verigridLosses().size());
            summary.put("final_loss_pytorch", result.torchFinal());
            summary.put("final_loss_verigrid", result.verigridFinal());
            summary.put("final_loss_relative_difference", result.finalRelativeDifference());
            summary.put("worst_step_relative_difference", result.worstStepRelativeDifference());
            summary.put("step_ms_pytorch", result.torchStepMillis());
            summary.put("step_ms_verigrid", result.verigridStepMillis());
            summary.put("step_vs_pytorch", result.torchStepMillis() / result.verigridStepMillis());
            System.out.println(new ObjectMapper().writeValueAsString(summary));
        }
        return 0;
    }
}
