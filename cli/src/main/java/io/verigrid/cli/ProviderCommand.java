package io.verigrid.cli;

import io.verigrid.ledger.MarketViews.ProviderView;
import io.verigrid.node.ledger.LedgerHttp;
import io.verigrid.node.market.MarketOffer;
import io.verigrid.node.process.ProviderProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code verigrid provider start|status}: sell compute on the market, and see a provider's record. */
@Command(name = "provider", mixinStandardHelpOptions = true, description = "Run a market provider; show a provider's capability and reputation.",
        subcommands = {ProviderCommand.Start.class, ProviderCommand.Status.class})
final class ProviderCommand {
    private ProviderCommand() {}

    @Command(name = "start", mixinStandardHelpOptions = true,
            description = {"Measure this machine, register on the market, bid --ask on every order it can serve, run what it wins.",
                    "The key's account must hold stake (`verigrid tx stake`). Runs until SIGTERM."})
    static final class Start implements Callable<Integer> {
        @Mixin
        LedgerOptions opts;

        @Option(names = "--key", required = true, description = "The provider's key name.")
        String key;

        @Option(names = "--ask", required = true, description = "Tokens asked per verified unit (the bid).")
        String ask;

        @Option(names = "--remeasure-minutes", defaultValue = "10", description = "Re-measure capability this often. Default: ${DEFAULT-VALUE}.")
        long remeasureMinutes;

        @Option(names = "--threads", defaultValue = "1", description = "Engine threads. Default: ${DEFAULT-VALUE}.")
        int threads;

        @Option(names = "--http-host", defaultValue = "127.0.0.1", description = "Where the node's HTTP API listens. Default: ${DEFAULT-VALUE}.")
        String host;

        @Option(names = "--http-port", defaultValue = "0", description = "HTTP port (0: any free). Default: ${DEFAULT-VALUE}.")
        int port;

        @Option(names = "--data-dir", description = "Blob store. Default: HOME/provider-KEY.")
        Path dataDir;

        @Override
        public Integer call() throws InterruptedException {
            if (remeasureMinutes < 1) throw new IllegalArgumentException("--remeasure-minutes must be at least 1, got " + remeasureMinutes);
            MarketOffer offer = new MarketOffer(LedgerOptions.units(ask, "--ask"), Duration.ofMinutes(remeasureMinutes));
            Path data = dataDir != null ? dataDir : opts.home().resolve("provider-" + key);
            ProviderProcess.run(new ProviderProcess.Config(key, opts.keys().file(key), opts.nodeUrl(), data, threads, host, port, offer),
                    System.out::println);
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "A registered provider: URL, measured capability, reputation.")
    static final class Status implements Callable<Integer> {
        @Mixin
        LedgerOptions opts;

        @Parameters(index = "0", paramLabel = "KEY|ADDRESS", description = "A key name in --home or a 64-hex-digit address.")
        String who;

        @Override
        public Integer call() {
            LedgerHttp ledger = opts.ledger();
            String address = opts.address(who);
            ProviderView p = opts.call(ledger, () -> ledger.marketProvider(address));
            if (p == null) throw new IllegalArgumentException(address + " is not a registered provider");
            opts.print(p, String.join("\n",
                    "provider " + p.address() + " at " + p.url(),
                    String.format("  measured        %.2f GFLOP/s (market counts %.2f), %d MiB memory, %d GiB disk, at block %d",
                            p.mflops() / 1000.0, p.effectiveMflops() / 1000.0, p.memoryBytes() >> 20, p.diskBytes() >> 30, p.measuredHeight()),
                    "  stake           " + LedgerOptions.tokens(p.stake()) + " (docked " + LedgerOptions.tokens(p.stakeDocked()) + ")",
                    "  verified units  " + p.verifiedUnits(),
                    "  disputes        won " + p.disputesWon() + ", lost " + p.disputesLost(),
                    "  leases          won " + p.leasesWon() + ", completed " + p.leasesCompleted() + ", failed " + p.leasesFailed()
                            + " (deadlines missed " + p.deadlinesMissed() + ")",
                    String.format("  uptime          %.1f%% (%d heartbeats)", p.uptimePpm() / 1e4, p.heartbeats())));
            return 0;
        }
    }
}
