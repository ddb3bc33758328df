package io.verigrid.cli;

import io.verigrid.node.drill.CheatSoak;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code verigrid soak cheats}: the fault-injection soak of the verification game over a real network. */
@Command(name = "soak", description = "Long-running property checks.", subcommands = {SoakCommand.Cheats.class},
        mixinStandardHelpOptions = true)
final class SoakCommand {
    @Command(name = "cheats", mixinStandardHelpOptions = true,
            description = "Random cheats (flipped bit, skipped step, stale checkpoint, out-of-order data, bf16 kernel) on mlp, lm and"
                    + " lm-finetune jobs, each played through a real ledger and real provider/verifier nodes: every cheater must be"
                    + " caught at its operator and slashed, no honest provider slashed.")
    static final class Cheats implements Callable<Integer> {
        @Option(names = "--cases", defaultValue = "1000", description = "Cases to play. Default: ${DEFAULT-VALUE}.")
        int cases;

        @Option(names = "--seed", defaultValue = "1", description = "Seed the cases are drawn from. Default: ${DEFAULT-VALUE}.")
        long seed;

        @Option(names = "--lanes", defaultValue = "3", description = "Independent networks playing cases at once. Default: ${DEFAULT-VALUE}.")
        int lanes;

        @Option(names = "--dir", description = "Where the networks keep their data (default: a temporary directory).")
        Path dir;

        @Override
        public Integer call() throws IOException {
            Path work = dir != null ? dir : Files.createTempDirectory("verigrid-cheat-soak");
            long started = System.nanoTime();
            List<CheatSoak.Outcome> outcomes = CheatSoak.soak(work, seed, cases, lanes, System.out::println);
            long failed = outcomes.stream().filter(o -> !o.passed()).count();
            long dishonest = outcomes.stream().filter(o -> o.cheat().dishonestChallenger()).count();
            System.out.printf("%d cases (%d cheating providers, %d dishonest challengers) in %.1f s: %d failed%n", outcomes.size(),
                    outcomes.size() - dishonest, dishonest, (System.nanoTime() - started) / 1e9, failed);
            return failed == 0 ? 0 : 1;
        }
    }
}
