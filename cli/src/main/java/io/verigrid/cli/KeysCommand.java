package io.verigrid.cli;

import io.verigrid.ledger.Keys;
import java.security.SecureRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code verigrid keys new|list}: named Ed25519 keys under {@code --home}. */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Create and list account keys (HOME/keys/NAME.json, mode 600).",
        subcommands = {KeysCommand.New.class, KeysCommand.ListKeys.class})
final class KeysCommand {
    @Command(name = "new", mixinStandardHelpOptions = true, description = "Create a new key and print its address.")
    static final class New implements Callable<Integer> {
        @Mixin
        LedgerOptions opts;

        @Parameters(index = "0", paramLabel = "NAME", description = "Letters, digits, '-' or '_'.")
        String name;

        @Override
        public Integer call() {
            Keys keys = opts.keys().create(name, new SecureRandom());
            opts.print(new KeyStore.Entry(name, keys.address()), name + " " + keys.address());
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the keys in --home with their addresses.")
    static final class ListKeys implements Callable<Integer> {
        @Mixin
        LedgerOptions opts;

        @Override
        public Integer call() {
            var entries = opts.keys().list();
            StringBuilder text = new StringBuilder();
            entries.forEach(e -> text.append(e.name()).append(' ').append(e.address()).append('\n'));
            opts.print(entries, entries.isEmpty() ? "no keys in " + opts.home().resolve("keys") : text.toString().stripTrailing());
            return 0;
        }
    }
}
