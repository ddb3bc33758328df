package io.verigrid.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code verigrid}: one binary for every participant of the network. */
@Command(
        name = "verigrid",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {
            "Verigrid: verified ML compute. Same model, same data, same bits:",
            "results are checked by hash, disputes are bisected to one operator and refereed by the ledger.",
            ""
        },
        subcommands = {DemoCommand.class, YumaCommand.class, NodeCommand.class, KeysCommand.class, TxCommand.class,
                AccountCommand.class, ChainCommand.class, LedgerCommand.class, ServeCommand.class, ModelCommand.class, BlobCommand.class,
                JobCommand.class, ProviderCommand.class, MarketCommand.class, SoakCommand.class,
                SubnetCommand.class, WeightsCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {
    // gRPC inside Ratis logs through java.util.logging; its shutdown chatter is not for users. Held so it is not collected.
    private static final java.util.logging.Logger GRPC_LOG = java.util.logging.Logger.getLogger("org.apache.ratis.thirdparty");

    public static void main(String[] args) {
        GRPC_LOG.setLevel(java.util.logging.Level.SEVERE);
        CommandLine cli = commandLine();
        try {
            useConfigFile(cli, args);
        } catch (IllegalArgumentException e) {
            System.err.println("verigrid: " + e.getMessage());
            System.exit(2);
        }
        System.exit(cli.execute(args));
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        // A user sees the message, not a stack trace; picocli owns the exit codes.
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println(cmd.getColorScheme().errorText("verigrid: " + messageOf(e)));
            return 1;
        });
        return cli;
    }

    /** {@code verigrid node --config FILE}: the file's properties become the node command's option defaults. */
    static void useConfigFile(CommandLine cli, String[] args) {
        if (args.length == 0 || !args[0].equals("node")) return;
        for (int i = 1; i < args.length; i++) {
            String file = args[i].startsWith("--config=") ? args[i].substring("--config=".length())
                    : args[i].equals("--config") && i + 1 < args.length ? args[i + 1] : null;
            if (file == null) continue;
            if (!java.nio.file.Files.isRegularFile(java.nio.file.Path.of(file))) {
                throw new IllegalArgumentException("--config " + file + ": no such file");
            }
            cli.getSubcommands().get("node").setDefaultValueProvider(new CommandLine.PropertiesDefaultProvider(new java.io.File(file)));
            return;
        }
    }

    static String messageOf(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && (t.getMessage() == null || t instanceof java.util.concurrent.CompletionException)) t = t.getCause();
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"verigrid 0.1.0 (operator set " + io.verigrid.engine.OpSet.VERSION + ")"};
        }
    }
}
