package io.verigrid.bench;

import io.verigrid.engine.LossCurveCompare;
import java.nio.file.Files;
import java.nio.file.Path;
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

    @Override
    public Integer call() throws Exception {
        if (!Files.isExecutable(Path.of(python))) {
            throw new IllegalArgumentException(python + " not found: install Debian's python3-torch, or name another Python with --python");
        }
        if (!Files.isRegularFile(script)) {
            throw new IllegalArgumentException("reference script " + script + " not found: run from the repository root or pass --script");
        }
        LossCurveCompare.main(new String[] {out.toString(), python, script.toString()});
        return 0;
    }
}
