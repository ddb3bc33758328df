package io.verigrid.cli;

import io.verigrid.ledger.yuma.YumaMain;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code verigrid yuma epoch}: one Yuma consensus epoch outside the ledger, for conformance checks against the chain. */
@Command(name = "yuma", description = "Bittensor Yuma consensus, bit-exact with the chain.", subcommands = {YumaCommand.Epoch.class},
        mixinStandardHelpOptions = true)
final class YumaCommand {
    @Command(name = "epoch", mixinStandardHelpOptions = true,
            description = "Run one epoch from the JSON input of specs/yuma-epoch.md §9 and print the output object.")
    static final class Epoch implements Callable<Integer> {
        @Option(names = "--input", required = true, description = "Input JSON file, or - for standard input.")
        String input;

        @Override
        public Integer call() {
            return YumaMain.run(new String[] {"--input", input}, System.in, System.out, System.err);
        }
    }
}
