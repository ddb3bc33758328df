package io.verigrid.cli;

import io.verigrid.ledger.AccountView;
import io.verigrid.node.ledger.LedgerHttp;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code verigrid account show}: balance, nonce, stake, unbonding and penalties of one account. */
@Command(name = "account", mixinStandardHelpOptions = true, description = "Read accounts.", subcommands = AccountCommand.Show.class)
final class AccountCommand {
    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show an account (amounts in tokens; --json: base units).")
    static final class Show implements Callable<Integer> {
        @Mixin
        LedgerOptions opts;

        @Parameters(index = "0", paramLabel = "ACCOUNT", description = "Address (64 hex digits) or key name.")
        String account;

        @Override
        public Integer call() {
            String address = opts.address(account);
            LedgerHttp ledger = opts.ledger();
            AccountView a = opts.call(ledger, () -> ledger.account(address));
            String text = "address    " + a.address()
                    + "\nbalance    " + LedgerOptions.tokens(a.balance())
                    + "\nnonce      " + a.nonce()
                    + "\nstake      " + LedgerOptions.tokens(a.stake())
                    + "\nunbonding  " + LedgerOptions.tokens(a.unbondingTotal())
                    + a.unbonding().stream().map(u -> "\n  " + LedgerOptions.tokens(u.amount()) + " at block " + u.releaseHeight()).reduce("", String::concat)
                    + "\npenalties  " + a.penalties().size()
                    + a.penalties().stream().map(p -> "\n  " + p.kind() + " " + LedgerOptions.tokens(p.amount()) + " (dispute " + p.disputeId()
                            + ", job " + p.jobId() + ", block " + p.height() + "): " + p.reason()).reduce("", String::concat);
            opts.print(a, text);
            return 0;
        }
    }
}
