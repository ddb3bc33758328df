package io.verigrid.cli;

import io.verigrid.ledger.yuma.YumaEpoch;
import io.verigrid.ledger.yuma.YumaJson;
import java.nio.charset.StandardCharsets;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code verigrid yuma epoch}: one Yuma consensus epoch outside the ledger, for conformance checks against the chain. */
@Command(name = "yuma", description = "Yuma consensus tools.", subcommands = {YumaCommand.Epoch.class}, mixinStandardHelpOptions = true)
final class YumaCommand {
    @Command(name = "epoch", mixinStandardHelpOptions = true,
            description = "Run one epoch from the JSON input of specs/yuma-epoch.md §9 and print the output object.")
    static final class Epoch implements Callable<Integer> {
        @Option(names = "--input", required = true, description = "Input JSON file, or - for standard input.")
        String input;

        @Override
        public Integer call() throws Exception {
            byte[] json;
            if (input.equals("-")) {
                try (InputStream in = System.in) {
                    json = in.readAllBytes();
                }
            } else {
                json = Files.readAllBytes(Path.of(input));
            }
            System.out.println(YumaJson.writeOutput(YumaEpoch.run(YumaJson.readInput(new String(json, StandardCharsets.UTF_8)))));
            return 0;
        }
    }
}
