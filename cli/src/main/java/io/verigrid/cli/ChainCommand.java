package io.verigrid.cli;

import io.verigrid.ledger.BlockView;
import io.verigrid.ledger.ChainStatus;
import io.verigrid.ledger.Params;
import io.verigrid.node.http.Json;
import io.verigrid.node.ledger.LedgerHttp;
import io.verigrid.node.ledger.PeerView;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code verigrid chain status|params|blocks|block}: the chain as the ledger node sees it. */
@Command(name = "chain", mixinStandardHelpOptions = true, description = "Read the chain: head, parameters, blocks.",
        subcommands = {ChainCommand.Status.class, ChainCommand.ParamsCommand.class, ChainCommand.Blocks.class, ChainCommand.Block.class})
final class ChainCommand {
    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Chain id, height, state root and supply (through the leader), and the answering peer's own view.")
    static final class Status implements Callable<Integer> {
        @Mixin
        LedgerOptions opts;

        @Override
        public Integer call() {
            LedgerHttp ledger = opts.ledger();
            ChainStatus s = opts.call(ledger, ledger::status);
            PeerView peer = opts.call(ledger, ledger::peer);
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("chain", s);
            json.put("peer", peer);
            String text = "chain        " + s.chainId()
                    + "\nheight       " + s.height()
                    + "\nblock hash   " + s.lastBlockHash()
                    + "\nstate root   " + s.stateRoot()
                    + "\nsupply       " + LedgerOptions.tokens(s.totalSupply()) + " (genesis " + LedgerOptions.tokens(s.genesisSupply())
                    + ", burned " + LedgerOptions.tokens(s.burned()) + ")"
                    + "\npeer         " + peer.id() + " at " + peer.address() + (peer.leader() ? " (leader)" : "")
                    + ", applied height " + peer.local().height()
                    + (peer.haltReason() == null ? "" : "\nHALTED       " + peer.haltReason());
            opts.print(json, text);
            return 0;
        }
    }

    @Command(name = "params", mixinStandardHelpOptions = true, description = "The genesis parameters (amounts in base units).")
    static final class ParamsCommand implements Callable<Integer> {
        @Mixin
        LedgerOptions opts;

        @Override
        public Integer call() throws Exception {
            LedgerHttp ledger = opts.ledger();
            Params p = opts.call(ledger, ledger::params);
            opts.print(p, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(p));
            return 0;
        }
    }

    @Command(name = "blocks", mixinStandardHelpOptions = true, description = "The newest blocks, newest first: height, hash, transactions.")
    static final class Blocks implements Callable<Integer> {
        @Mixin
        LedgerOptions opts;

        @Option(names = "--limit", defaultValue = "10", description = "How many blocks, 1 to 100 (default ${DEFAULT-VALUE}).")
        int limit;

        @Override
        public Integer call() {
            if (limit < 1 || limit > 100) throw new IllegalArgumentException("--limit must be 1 to 100, got " + limit);
            LedgerHttp ledger = opts.ledger();
            List<BlockView> blocks = opts.call(ledger, () -> ledger.blocks(limit));
            StringBuilder text = new StringBuilder(String.format("%-10s %-64s %s", "height", "hash", "txs"));
            for (BlockView b : blocks) text.append(String.format("%n%-10d %-64s %d", b.height(), b.hash(), b.txHashes().size()));
            opts.print(blocks, text.toString());
            return 0;
        }
    }

    @Command(name = "block", mixinStandardHelpOptions = true, description = "One block header and its transaction hashes.")
    static final class Block implements Callable<Integer> {
        @Mixin
        LedgerOptions opts;

        @Parameters(index = "0", paramLabel = "HEIGHT")
        long height;

        @Override
        public Integer call() {
            LedgerHttp ledger = opts.ledger();
            BlockView b = opts.call(ledger, () -> ledger.block(height));
            String text = "height       " + b.height() + "\nhash         " + b.hash() + "\nprev         " + b.prevHash()
                    + "\ntx root      " + b.txRoot() + "\nstate root   " + b.stateRoot() + "\ntxs          " + b.txHashes().size()
                    + b.txHashes().stream().map(h -> "\n  " + h).reduce("", String::concat);
            opts.print(b, text);
            return 0;
        }
    }
}
