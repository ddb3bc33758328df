package io.verigrid.cli;

import io.verigrid.node.demo.Demo;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code verigrid demo}: the whole network on this machine, one honest job and one caught cheat. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {
            "Run the whole network on loopback: an honest job verified and paid, a cheat caught and slashed.",
            "%nStarts a one-peer Ratis ledger, two providers and a verifier, each with its own HTTP server. The second",
            "job's provider corrupts one operator at one step; the verifier's re-execution differs, the dispute game",
            "pinpoints that operator, and the ledger's referee re-executes it and slashes the cheater."
        })
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--data-dir", description = "Where the demo keeps its chain and blobs (cleared first). Default: ${DEFAULT-VALUE}.",
            defaultValue = ".verigrid/demo")
    Path dataDir;

    @Option(names = "--block-ms", description = "Block interval of the ledger in milliseconds. Default: ${DEFAULT-VALUE}.", defaultValue = "100")
    long blockMillis;

    @Option(names = "--threads", description = "Engine threads per node (the bits do not depend on it). Default: ${DEFAULT-VALUE}.",
            defaultValue = "1")
    int threads;

    @Override
    public Integer call() {
        if (blockMillis < 10) throw new IllegalArgumentException("--block-ms must be at least 10, got " + blockMillis);
        if (threads < 1) throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
        long start = System.nanoTime();
        Demo.run(new Demo.Options(dataDir, blockMillis, threads), System.out::println);
        System.out.printf("%n   demo finished in %.1f s%n", (System.nanoTime() - start) / 1e9);
        return 0;
    }
}
