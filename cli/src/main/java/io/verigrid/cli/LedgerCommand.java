package io.verigrid.cli;

import io.verigrid.ledger.Genesis;
import io.verigrid.ledger.GenesisAccount;
import io.verigrid.ledger.LedgerFuzz;
import io.verigrid.ledger.MarketParams;
import io.verigrid.ledger.Params;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code verigrid ledger genesis|fuzz}: make a genesis file; fuzz the transaction decoders. */
@Command(name = "ledger", mixinStandardHelpOptions = true, description = "Ledger tools: genesis files and decoder fuzzing.",
        subcommands = {LedgerCommand.GenesisCommand.class, LedgerCommand.Fuzz.class})
final class LedgerCommand {
    @Command(name = "genesis", mixinStandardHelpOptions = true,
            description = {"Write a genesis JSON file: chain id, funded accounts, default parameters (edit the file to change them).",
                "Here --chain-id names the new chain (default: verigrid-local)."})
    static final class GenesisCommand implements Callable<Integer> {
        @Mixin
        LedgerOptions opts;

        @Option(names = "--out", required = true, description = "The genesis file to write (refuses to overwrite).")
        Path out;

        @Option(names = "--fund", required = true, paramLabel = "ACCOUNT=TOKENS",
                description = "Fund a key name (in --home) or a 64-hex-digit address at genesis; repeatable.")
        List<String> funds;

        @Option(names = "--block-ms", defaultValue = "1000",
                description = "The block interval the peers will run (`node --block-ms`): the market's heartbeat and "
                        + "deadline windows, counted in blocks, are scaled to last as long as at one block a second. "
                        + "Default: ${DEFAULT-VALUE}.")
        long blockMillis;

        @Override
        public Integer call() {
            if (Files.exists(out)) throw new IllegalArgumentException("--out " + out + " already exists");
            MarketParams market = MarketParams.forBlockMillis(blockMillis);
            List<GenesisAccount> accounts = new ArrayList<>();
            for (String f : funds) {
                int eq = f.lastIndexOf('=');
                if (eq <= 0) throw new IllegalArgumentException("--fund must be ACCOUNT=TOKENS, got " + f);
                accounts.add(new GenesisAccount(HexFormat.of().parseHex(opts.address(f.substring(0, eq))),
                        LedgerOptions.units(f.substring(eq + 1), "--fund " + f)));
            }
            String chain = opts.chainId != null ? opts.chainId : "verigrid-local"; // --chain-id names the new chain here
            Genesis genesis = new Genesis(chain, accounts, Params.defaults()).withMarket(market);
            genesis.write(out);
            opts.print(genesis, "wrote " + out + ": chain " + chain + ", " + accounts.size() + " funded accounts, supply "
                    + LedgerOptions.tokens(genesis.supply()) + " tokens");
            return 0;
        }
    }

    @Command(name = "fuzz", mixinStandardHelpOptions = true,
            description = "Feed random and mutated bytes to the transaction decoder and the state machine; fails on any "
                    + "escaped exception, non-canonical decode or state change by a rejected input.")
    static final class Fuzz implements Callable<Integer> {
        @Option(names = "--count", defaultValue = "1000000", description = "Inputs to feed. Default: ${DEFAULT-VALUE}.")
        long count;

        @Option(names = "--seed", defaultValue = "1", description = "Seed of the input generator. Default: ${DEFAULT-VALUE}.")
        long seed;

        @Option(names = "--json", description = "Print the report as JSON.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            long start = System.nanoTime();
            LedgerFuzz.Report r = LedgerFuzz.run(count, seed);
            double seconds = (System.nanoTime() - start) / 1e9;
            if (json) {
                System.out.println(io.verigrid.node.http.Json.MAPPER.writeValueAsString(r));
            } else {
                System.out.printf("%d inputs in %.1f s: %d decoded, %d applied, %d failures%n", r.inputs(), seconds,
                        r.decoded(), r.accepted(), r.failures());
                r.firstFailures().forEach(f -> System.out.println("  " + f));
            }
            return r.passed() ? 0 : 1;
        }
    }
}
