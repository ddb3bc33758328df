package io.verigrid.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code verigrid bench}: measurements of this machine, run by the launcher from the bench module. */
@Command(
        name = "verigrid bench",
        mixinStandardHelpOptions = true,
        description = "Benchmarks of the Verigrid engine on this machine, with reference implementations run alongside.",
        subcommands = {EngineBench.class, InferenceBench.class, LedgerBench.class, MarketBench.class, YumaBench.class, LossCurveBench.class,
                VerifyBench.class,
                CommandLine.HelpCommand.class})
public final class BenchMain {
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new BenchMain());
        // A user sees the message, not a stack trace; picocli owns the exit codes.
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("verigrid bench: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return 1;
        });
        return cli;
    }
}
