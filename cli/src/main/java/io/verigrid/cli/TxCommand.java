package io.verigrid.cli;

import io.verigrid.ledger.TxResult;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.node.ledger.LedgerHttp;
import io.verigrid.node.ledger.Wallet;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code verigrid tx transfer|stake|unstake|show}: signs with a named key, submits to the ledger node and
 * waits until the transaction is committed. Exit code 0 when accepted, 1 when rejected (the reason is printed).
 */
@Command(name = "tx", mixinStandardHelpOptions = true, description = "Sign and submit transactions; look one up by hash.",
        subcommands = {TxCommand.Transfer.class, TxCommand.Stake.class, TxCommand.Unstake.class, TxCommand.Show.class})
final class TxCommand {
    private TxCommand() {}

    static int submit(LedgerOptions opts, String from, TxBody body) {
        LedgerHttp ledger = opts.ledger();
        TxResult result = opts.call(ledger, () -> new Wallet(from, opts.keys().load(from), ledger).submit(body));
        opts.print(result, describe(result));
        return result.accepted() ? 0 : 1;
    }

    static String describe(TxResult r) {
        return r.accepted() ? "accepted in block " + r.height() + ": " + r.txHash()
                : "rejected " + r.code() + ": " + r.message() + " (" + r.txHash() + ")";
    }

    @Command(name = "transfer", mixinStandardHelpOptions = true, description = "Send tokens to an address or a named key.")
    static final class Transfer implements Callable<Integer> {
        @Mixin
        LedgerOptions opts;

        @Option(names = "--from", required = true, description = "Name of the sending key.")
        String from;

        @Option(names = "--to", required = true, description = "Receiving address (64 hex digits) or key name.")
        String to;

        @Option(names = "--amount", required = true, description = "Tokens, up to 9 decimals (1 token = 10^9 units).")
        String amount;

        @Override
        public Integer call() {
            long units = LedgerOptions.units(amount, "--amount");
            return submit(opts, from, new TxBody.Transfer(HexFormat.of().parseHex(opts.address(to)), units));
        }
    }

    @Command(name = "stake", mixinStandardHelpOptions = true, description = "Lock tokens as stake.")
    static final class Stake implements Callable<Integer> {
        @Mixin
        LedgerOptions opts;

        @Option(names = "--from", required = true, description = "Name of the staking key.")
        String from;

        @Option(names = "--amount", required = true, description = "Tokens, up to 9 decimals.")
        String amount;

        @Override
        public Integer call() {
            return submit(opts, from, new TxBody.Stake(LedgerOptions.units(amount, "--amount")));
        }
    }

    @Command(name = "unstake", mixinStandardHelpOptions = true,
            description = "Start unbonding stake; it returns to the balance after the chain's unbondingBlocks.")
    static final class Unstake implements Callable<Integer> {
        @Mixin
        LedgerOptions opts;

        @Option(names = "--from", required = true, description = "Name of the staking key.")
        String from;

        @Option(names = "--amount", required = true, description = "Tokens, up to 9 decimals.")
        String amount;

        @Override
        public Integer call() {
            return submit(opts, from, new TxBody.Unstake(LedgerOptions.units(amount, "--amount")));
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "The recorded result of a transaction.")
    static final class Show implements Callable<Integer> {
        @Mixin
        LedgerOptions opts;

        @Parameters(index = "0", paramLabel = "HASH", description = "Transaction hash (64 hex digits).")
        String hash;

        @Override
        public Integer call() {
            if (!hash.matches("[0-9a-fA-F]{64}")) throw new IllegalArgumentException("HASH must be 64 hex digits, got " + hash);
            LedgerHttp ledger = opts.ledger();
            TxResult result = opts.call(ledger, () -> ledger.tx(hash.toLowerCase(java.util.Locale.ROOT)));
            opts.print(result, describe(result));
            return 0;
        }
    }
}
