package io.verigrid.cli;

import io.verigrid.ledger.MarketViews.BidView;
import io.verigrid.ledger.MarketViews.LeaseView;
import io.verigrid.ledger.MarketViews.OrderView;
import io.verigrid.ledger.MarketViews.ProviderView;
import io.verigrid.node.ledger.LedgerHttp;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code verigrid market orders|bids|leases|providers}: the market's tables as the ledger holds them. */
@Command(name = "market", mixinStandardHelpOptions = true, description = "List the compute market's orders, bids, leases and providers.",
        subcommands = {MarketCommand.Orders.class, MarketCommand.Bids.class, MarketCommand.Leases.class, MarketCommand.Providers.class,
                MarketCommand.Soak.class})
final class MarketCommand {
    private MarketCommand() {}

    private static String shortAddress(String a) {
        return a == null ? "-" : a.substring(0, 12) + "…";
    }

    @Command(name = "orders", mixinStandardHelpOptions = true, description = "Every order with its status, round and price cap.")
    static final class Orders implements Callable<Integer> {
        @Mixin
        LedgerOptions opts;

        @Override
        public Integer call() {
            LedgerHttp ledger = opts.ledger();
            List<OrderView> orders = opts.call(ledger, ledger::marketOrders);
            StringBuilder sb = new StringBuilder(String.format("%5s %5s %-9s %5s %12s %9s %13s %s%n", "order", "job", "status", "round", "max/unit", "verified", "paid", "buyer"));
            for (OrderView o : orders) {
                sb.append(String.format("%5d %5d %-9s %5d %12s %4d/%-4d %13s %s%n", o.id(), o.jobId(), o.status(), o.round(),
                        LedgerOptions.tokens(o.maxUnitPrice()), o.verifiedUnits(), o.units(), LedgerOptions.tokens(o.paid()), shortAddress(o.buyer())));
            }
            opts.print(orders, sb.toString().stripTrailing());
            return 0;
        }
    }

    @Command(name = "bids", mixinStandardHelpOptions = true, description = "Bids, of every order or of one.")
    static final class Bids implements Callable<Integer> {
        @Mixin
        LedgerOptions opts;

        @Option(names = "--order", defaultValue = "0", description = "Only this order's bids.")
        long order;

        @Override
        public Integer call() {
            LedgerHttp ledger = opts.ledger();
            List<BidView> bids = opts.call(ledger, () -> ledger.marketBids(order));
            StringBuilder sb = new StringBuilder(String.format("%5s %5s %5s %12s %-9s %7s %s%n", "bid", "order", "round", "price/unit", "status", "block", "provider"));
            for (BidView b : bids) {
                sb.append(String.format("%5d %5d %5d %12s %-9s %7d %s%n", b.id(), b.orderId(), b.round(), LedgerOptions.tokens(b.unitPrice()),
                        b.status(), b.height(), shortAddress(b.provider())));
            }
            opts.print(bids, sb.toString().stripTrailing());
            return 0;
        }
    }

    @Command(name = "leases", mixinStandardHelpOptions = true, description = "Leases with their price, deadlines and how they ended.")
    static final class Leases implements Callable<Integer> {
        @Mixin
        LedgerOptions opts;

        @Override
        public Integer call() {
            LedgerHttp ledger = opts.ledger();
            List<LeaseView> leases = opts.call(ledger, ledger::marketLeases);
            StringBuilder sb = new StringBuilder(String.format("%5s %5s %5s %12s %-9s %7s %s%n", "lease", "order", "job", "price/unit", "status", "start", "provider / reason"));
            for (LeaseView l : leases) {
                sb.append(String.format("%5d %5d %5d %12s %-9s %7d %s %s%n", l.id(), l.orderId(), l.jobId(), LedgerOptions.tokens(l.unitPrice()),
                        l.status(), l.startHeight(), shortAddress(l.provider()), l.reason()));
            }
            opts.print(leases, sb.toString().stripTrailing());
            return 0;
        }
    }

    @Command(name = "providers", mixinStandardHelpOptions = true, description = "Registered providers: capability and reputation.")
    static final class Providers implements Callable<Integer> {
        @Mixin
        LedgerOptions opts;

        @Override
        public Integer call() {
            LedgerHttp ledger = opts.ledger();
            List<ProviderView> providers = opts.call(ledger, ledger::marketProviders);
            StringBuilder sb = new StringBuilder(String.format("%-13s %9s %9s %6s %6s %7s %s%n", "provider", "GFLOP/s", "verified", "won", "failed", "uptime", "url"));
            for (ProviderView p : providers) {
                sb.append(String.format("%-13s %9.2f %9d %6d %6d %6.1f%% %s%n", shortAddress(p.address()), p.effectiveMflops() / 1000.0,
                        p.verifiedUnits(), p.leasesWon(), p.leasesFailed(), p.uptimePpm() / 1e4, p.url()));
            }
            opts.print(providers, sb.toString().stripTrailing());
            return 0;
        }
    }

    @Command(name = "soak", mixinStandardHelpOptions = true,
            description = "Property-check the market rules: random buyers and providers, invariants after every step (no ledger needed).")
    static final class Soak implements Callable<Integer> {
        @Option(names = "--tries", defaultValue = "200", description = "Fresh chains to run. Default: ${DEFAULT-VALUE}.")
        int tries;

        @Option(names = "--steps", defaultValue = "1000", description = "Random steps per chain. Default: ${DEFAULT-VALUE}.")
        int steps;

        @Option(names = "--seed", defaultValue = "1", description = "Seed (a failure replays with the same seed). Default: ${DEFAULT-VALUE}.")
        long seed;

        @Option(names = "--json", description = "Print the report as JSON.")
        boolean json;

        @Override
        public Integer call() throws com.fasterxml.jackson.core.JsonProcessingException {
            io.verigrid.ledger.MarketSoak.Report r = io.verigrid.ledger.MarketSoak.run(tries, steps, seed);
            System.out.println(json ? io.verigrid.node.http.Json.MAPPER.writeValueAsString(r)
                    : String.format("%d chains, %d steps, %d transactions accepted, %d leases (%d failed), %d orders completed: %s",
                            r.tries(), r.steps(), r.accepted(), r.leases(), r.failedLeases(), r.completedOrders(),
                            r.passed() ? "every invariant held" : r.failures() + " FAILURES\n" + String.join("\n", r.firstFailures())));
            return r.passed() ? 0 : 1;
        }
    }
}
