package io.verigrid.cli;

import io.verigrid.ledger.NeuronView;
import io.verigrid.ledger.SubnetHyperparams;
import io.verigrid.ledger.SubnetView;
import io.verigrid.ledger.tx.SubnetTx;
import io.verigrid.node.ledger.LedgerHttp;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code verigrid subnet create|list|hyperparams|register|metagraph}: subnets on the ledger. */
@Command(name = "subnet", mixinStandardHelpOptions = true, description = "Create, list, inspect and join subnets.",
        subcommands = {SubnetCommand.Create.class, SubnetCommand.ListSubnets.class, SubnetCommand.Hyperparams.class,
                SubnetCommand.Register.class, SubnetCommand.Metagraph.class})
final class SubnetCommand {
    private SubnetCommand() {}

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a subnet owned by a key (the creation cost is burned).")
    static final class Create implements Callable<Integer> {
        @Mixin
        LedgerOptions opts;

        @Option(names = "--from", required = true, description = "Name of the owner's key.")
        String from;

        @Option(names = "--name", required = true, description = "The subnet's name.")
        String name;

        @Option(names = "--model-quality", description = "The built-in verified-model-quality task.")
        boolean modelQuality;

        @Option(names = "--lm-quality", description = "The built-in LM-quality task: miners serve Llama models, validators score them (`verigrid node --role miner|validator`).")
        boolean lmQuality;

        @Override
        public Integer call() {
            if (modelQuality && lmQuality) throw new IllegalArgumentException("choose one of --model-quality and --lm-quality");
            return TxCommand.submit(opts, from, new SubnetTx.CreateSubnet(name, lmQuality ? 2 : modelQuality ? 1 : 0));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Every subnet: id, name, owner, UIDs, stake, pending emission.")
    static final class ListSubnets implements Callable<Integer> {
        @Mixin
        LedgerOptions opts;

        @Override
        public Integer call() {
            LedgerHttp ledger = opts.ledger();
            List<SubnetView> subnets = opts.call(ledger, ledger::subnets);
            StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "%6s  %-16s %-14s %5s %14s %12s %10s  %s%n",
                    "NETUID", "NAME", "TASK", "UIDS", "STAKE", "PENDING", "NEXT EPOCH", "OWNER"));
            for (SubnetView s : subnets) {
                text.append(String.format(Locale.ROOT, "%6d  %-16s %-14s %5d %14s %12s %10d  %s%n", s.netuid(), s.name(), s.task(), s.uids(),
                        LedgerOptions.tokens(s.totalStake()), LedgerOptions.tokens(s.pending()), s.nextEpoch(), s.owner()));
            }
            opts.print(subnets, text.toString().stripTrailing());
            return 0;
        }
    }

    @Command(name = "hyperparams", mixinStandardHelpOptions = true,
            description = "Show a subnet's hyperparameters; with --from (the owner) and any option, change them.")
    static final class Hyperparams implements Callable<Integer> {
        @Mixin
        LedgerOptions opts;

        @Option(names = "--netuid", required = true, description = "The subnet.")
        int netuid;

        @Option(names = "--from", description = "The owner's key, to change the values given below.")
        String from;

        @Option(names = "--tempo") Integer tempo;
        @Option(names = "--kappa") Integer kappa;
        @Option(names = "--bonds-moving-average") Long bondsMovingAverage;
        @Option(names = "--bonds-penalty") Integer bondsPenalty;
        @Option(names = "--activity-cutoff-factor-milli") Integer activityCutoffFactorMilli;
        @Option(names = "--max-validators") Integer maxValidators;
        @Option(names = "--immunity-period") Integer immunityPeriod;
        @Option(names = "--max-uids") Integer maxUids;
        @Option(names = "--commit-reveal", arity = "1") Boolean commitReveal;
        @Option(names = "--commit-reveal-window") Integer commitRevealWindow;
        @Option(names = "--owner-cut-ppm") Integer ownerCutPpm;
        @Option(names = "--yuma3", arity = "1") Boolean yuma3;
        @Option(names = "--liquid-alpha", arity = "1") Boolean liquidAlpha;

        @Override
        public Integer call() {
            LedgerHttp ledger = opts.ledger();
            SubnetHyperparams h = opts.call(ledger, () -> ledger.subnet(netuid)).hyperparams();
            if (from == null) {
                opts.print(h, h.toString());
                return 0;
            }
            SubnetHyperparams next = new SubnetHyperparams(or(tempo, h.tempo()), or(kappa, h.kappa()),
                    or(bondsMovingAverage, h.bondsMovingAverage()), or(bondsPenalty, h.bondsPenalty()),
                    or(activityCutoffFactorMilli, h.activityCutoffFactorMilli()), or(maxValidators, h.maxValidators()),
                    or(immunityPeriod, h.immunityPeriod()), or(maxUids, h.maxUids()), or(commitReveal, h.commitReveal()),
                    or(commitRevealWindow, h.commitRevealWindow()), or(ownerCutPpm, h.ownerCutPpm()), or(yuma3, h.yuma3()),
                    or(liquidAlpha, h.liquidAlpha()));
            return TxCommand.submit(opts, from, new SubnetTx.SetHyperparams(netuid, next));
        }

        private static <T> T or(T value, T current) {
            return value != null ? value : current;
        }
    }

    @Command(name = "register", mixinStandardHelpOptions = true, description = "Register a key as a UID (the registration cost is burned).")
    static final class Register implements Callable<Integer> {
        @Mixin
        LedgerOptions opts;

        @Option(names = "--from", required = true, description = "Name of the key (the hotkey) to register.")
        String from;

        @Option(names = "--netuid", required = true, description = "The subnet.")
        int netuid;

        @Override
        public Integer call() {
            return TxCommand.submit(opts, from, new SubnetTx.Register(netuid));
        }
    }

    @Command(name = "metagraph", mixinStandardHelpOptions = true,
            description = "The subnet's UIDs: stake, trust, consensus, incentive, dividends and emission of the last epoch.")
    static final class Metagraph implements Callable<Integer> {
        @Mixin
        LedgerOptions opts;

        @Option(names = "--netuid", required = true, description = "The subnet.")
        int netuid;

        @Override
        public Integer call() {
            LedgerHttp ledger = opts.ledger();
            List<NeuronView> rows = opts.call(ledger, () -> ledger.metagraph(netuid));
            StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "%5s %14s %8s %9s %9s %9s %14s %3s  %s%n",
                    "UID", "STAKE", "TRUST", "CONSENSUS", "INCENTIVE", "DIVIDENDS", "EMISSION", "VP", "HOTKEY"));
            for (NeuronView n : rows) {
                text.append(String.format(Locale.ROOT, "%5d %14s %8.5f %9.5f %9.5f %9.5f %14s %3s  %s%n", n.uid(), LedgerOptions.tokens(n.stake()),
                        n.trust() / 65535.0, n.consensus() / 65535.0, n.incentive() / 65535.0, n.dividends() / 65535.0,
                        LedgerOptions.tokens(n.emission()), n.validatorPermit() ? "*" : "", n.hotkey()));
            }
            opts.print(rows, text.toString().stripTrailing());
            return 0;
        }
    }
}
