package io.verigrid.cli;

import io.verigrid.ledger.tx.SubnetTx;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code verigrid weights set|commit|reveal}: a validator's weights, directly or by commit-reveal. */
@Command(name = "weights", mixinStandardHelpOptions = true, description = "Set weights, or commit and later reveal them.",
        subcommands = {WeightsCommand.Set.class, WeightsCommand.Commit.class, WeightsCommand.Reveal.class})
final class WeightsCommand {
    private WeightsCommand() {}

    /** Options every weights command takes: who, which subnet, which UIDs with which u16 values. */
    static final class Vector {
        @Option(names = "--from", required = true, description = "Name of the validator's key.")
        String from;

        @Option(names = "--netuid", required = true, description = "The subnet.")
        int netuid;

        @Option(names = "--uids", required = true, split = ",", description = "UIDs, comma-separated.")
        int[] uids;

        @Option(names = "--values", required = true, split = ",", description = "u16 weights, comma-separated, one per UID.")
        int[] values;
    }

    @Command(name = "set", mixinStandardHelpOptions = true, description = "Set weights (subnets without commit-reveal).")
    static final class Set implements Callable<Integer> {
        @Mixin
        LedgerOptions opts;

        @Mixin
        Vector w;

        @Override
        public Integer call() {
            return TxCommand.submit(opts, w.from, new SubnetTx.SetWeights(w.netuid, w.uids, w.values));
        }
    }

    @Command(name = "commit", mixinStandardHelpOptions = true, description = "Commit the hash of weights and a 16-byte salt.")
    static final class Commit implements Callable<Integer> {
        @Mixin
        LedgerOptions opts;

        @Mixin
        Vector w;

        @Option(names = "--salt", required = true, description = "32 hex digits, kept secret until the reveal.")
        String salt;

        @Override
        public Integer call() {
            byte[] key = HexFormat.of().parseHex(opts.address(w.from));
            return TxCommand.submit(opts, w.from, new SubnetTx.CommitWeights(w.netuid, SubnetTx.commitHash(w.netuid, key, w.uids, w.values, salt(salt))));
        }
    }

    @Command(name = "reveal", mixinStandardHelpOptions = true, description = "Reveal committed weights with their salt.")
    static final class Reveal implements Callable<Integer> {
        @Mixin
        LedgerOptions opts;

        @Mixin
        Vector w;

        @Option(names = "--salt", required = true, description = "The 32 hex digits used in the commit.")
        String salt;

        @Override
        public Integer call() {
            return TxCommand.submit(opts, w.from, new SubnetTx.RevealWeights(w.netuid, w.uids, w.values, salt(salt)));
        }
    }

    static byte[] salt(String hex) {
        if (hex == null || !hex.matches("[0-9a-fA-F]{32}")) throw new IllegalArgumentException("--salt must be 32 hex digits, got " + hex);
        return HexFormat.of().parseHex(hex);
    }
}
