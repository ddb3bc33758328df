package io.verigrid.ledger.yuma;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code verigrid yuma epoch --input FILE} (or {@code -} for standard input): runs one epoch on a §9 input
 * object and prints the output object. Exit status 1 with a message on standard error for bad input.
 */
public final class YumaMain {
    private YumaMain() {}

    public static void main(String[] args) {
        int status = run(args, System.in, System.out, System.err);
        if (status != 0) System.exit(status);
    }

    /** The command without {@code System.exit}: returns the exit status. */
    public static int run(String[] args, InputStream stdin, PrintStream out, PrintStream err) {
        String source;
        if (args.length == 2 && args[0].equals("--input")) {
            source = args[1];
        } else if (args.length == 1 && !args[0].startsWith("--")) {
            source = args[0];
        } else if (args.length == 1 && args[0].startsWith("--input=")) {
            source = args[0].substring("--input=".length());
        } else {
            err.println("usage: yuma epoch --input FILE   (FILE '-' reads standard input)");
            return 1;
        }
        String json;
        try {
            json = source.equals("-")
                    ? new String(stdin.readAllBytes(), StandardCharsets.UTF_8)
                    : Files.readString(Path.of(source), StandardCharsets.UTF_8);
        } catch (IOException e) {
            err.println("yuma epoch: cannot read " + source + ": " + e.getMessage());
            return 1;
        }
        try {
            out.println(YumaJson.writeOutput(YumaEpoch.run(YumaJson.readInput(json))));
            out.flush();
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("yuma epoch: bad input: " + e.getMessage());
            return 1;
        }
    }
}
